"""Chinese words typed as one word that jieba cuts differently inside a letter: the recall list of the
CJK fallback field, shared by the search tests and ``bench/search.py``.

Each pair is (what a clerk types, a letter containing it). In every pair the typed word is *not* among the
terms our analyzer indexes for the letter (a test checks that), so only the fallback field finds it:
``公交站`` is one dictionary word, while ``公交站台`` in a letter is cut ``公交/站台``. The distractors hold
the characters of some typed words, but never in a row, and must not be found.
"""

from __future__ import annotations

PAIRS = [
    ('公交站', '小区门口的公交站台被车撞坏了'),
    ('北京市', '北京市场监管部门一直没有回复'),
    ('上海市', '上海市场上的猪肉价格涨得太快'),
    ('年轻人', '这里年轻人口流失严重'),
    ('所在地', '户籍所在地区的派出所不给办理'),
    ('残疾人', '残疾人员补贴迟迟没有发放'),
    ('出版社', '出版社区图书室长期关门'),
    ('学院路', '学院路线公交车班次太少'),
    ('外国人', '外国人口登记怎么办理'),
    ('所有人', '所有人口普查员都没来过'),
    ('指挥部', '防汛指挥部门电话打不通'),
    ('司令部', '司令部队大院门口乱停车'),
    ('联合会', '联合会员卡不能使用'),
    ('垃圾桶', '垃圾桶装水乱扔在楼道'),
    ('居委会', '居委会议室被占用'),
    ('养老院', '养老院长克扣老人伙食'),
    ('充电桩', '充电桩体破损漏电'),
    ('社保卡', '社保卡片一直没有寄到'),
    ('洗衣机', '洗衣机器人宣传虚假'),
    ('经济学', '经济学费太贵'),
    ('工业化', '工业化工园区排放异味'),
    ('现代化', '现代化工企业排污'),
    ('物业费', '物业费用明细不公开'),
    ('水电费', '水电费用突然上涨'),
    ('高速路', '高速路口拥堵'),
    ('出入口', '小区出入口罩检查'),
    ('售票员', '售票员工服务差'),
    ('派送员', '派送员工暴力分拣'),
    ('中学生', '中学生活区宿舍漏水'),
    ('大学生', '大学生活补贴'),
    ('污水处理', '污水处理厂排放超标'),
    ('中国队', '中国队员训练场地被占用'),
    ('政治部', '政治部门的电话一直占线'),
    ('国防部', '国防部队家属院停水'),
    ('县级市', '县级市场监管不到位'),
    ('重庆市', '重庆市场价格欺诈'),
    ('南京市', '南京市场监管局投诉'),
    ('开发区', '开发区域内道路破损'),
    ('管理员', '管理员工号查不到'),
    ('保安员', '保安员工服不统一'),
    ('施工队', '施工队员深夜作业'),
    ('荆州市', '荆州市场的摊位费太高'),
    ('宜昌市', '宜昌市场监管热线打不通'),
    ('任何人', '任何人口登记都要身份证'),
    ('一家人', '一家人口多住房困难'),
    ('黄石市', '黄石市场监管电话没人接'),
    ('孝感市', '孝感市场门口占道经营'),
]

DISTRACTORS = [
    "公交很方便，提交站点资料的窗口在二楼",
    "北京的市场和上海的市场都在涨价",
    "年轻的人口普查员",
    "残疾证明和人员名单已经交了",
    "洗衣服的机器人很吵",
    "物业公司的费用太高",
    "水费和电费都涨了",
    "高速公路的路口堵车",
    "管理处的员工态度很好",
    "street light broken near the bus stop",
]


def documents() -> list[dict]:
    """The pairs' letters and the distractors as search documents (ids ``p0``…, ``d0``…)."""
    docs = [{"id": f"p{i}", "version": "1", "text": text} for i, (_word, text) in enumerate(PAIRS)]
    docs += [{"id": f"d{i}", "version": "1", "text": text} for i, text in enumerate(DISTRACTORS)]
    return docs


def relevant(word: str) -> set[str]:
    """Ids of the documents that contain ``word`` (its characters in a row)."""
    return {doc["id"] for doc in documents() if word in doc["text"]}


def recall_precision(found: dict[str, set[str]]) -> tuple[float, float]:
    """(recall over the pairs, precision over everything found) for ``{typed word: ids found}``."""
    hits = sum(f"p{i}" in found.get(word, set()) for i, (word, _text) in enumerate(PAIRS))
    returned = sum(len(ids) for ids in found.values())
    right = sum(len(ids & relevant(word)) for word, ids in found.items())
    return hits / len(PAIRS), (right / returned if returned else 1.0)
