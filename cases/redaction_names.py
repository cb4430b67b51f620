"""Names of other people in a letter (neighbours, landlords, officials...), in Chinese, English and Spanish.

A name we do not hold on file can only be recognised by its context: a title before it ("Mr.", "Sra.", "don"),
a title after it (王建国师傅, 李秀英阿姨), or a person word before it ("my neighbour", "mi vecina", 邻居, 房东).
Capitalised words that are not names (months, "Mayor", "Street", the city's bodies) and Chinese characters that
begin the rest of the sentence (verbs, particles) bound what is taken, so units, streets and categories stay.
"""
from __future__ import annotations

import re

_CJK = "\u4e00-\u9fff"

# ---- Chinese --------------------------------------------------------------------------------------------------

SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                     "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
                     "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒"
                     "阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司"
                     "卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁"
                     "沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "夏侯", "长孙")
# Titles after a name; the longest first so that "老师" is not read as "老" + a given name.
CN_TITLES = ("先生", "女士", "小姐", "老师", "阿姨", "大爷", "大妈", "大姐", "大哥", "奶奶", "爷爷", "师傅", "同志",
             "经理", "主任", "书记", "医生", "律师", "警官", "队长", "局长", "科长", "处长", "所长", "站长", "老板",
             "社长", "村长", "组长", "班长", "校长", "院长", "厂长", "总")
_CN_TITLE_RE = "|".join(sorted(CN_TITLES, key=len, reverse=True))
# Characters that start what follows a name (verbs, adverbs, particles, places) rather than a given name.
_STOP = set("的了在是说和与及跟同把被将也都又就还再才常总经每天一不没很太们等让给对向从往住家里楼去来会要想能已曾到打骂占"
            "堵停放扔堆养开用拿喊吵闹搞做干看找告诉问请帮带着过次多少这那个位些其他她它我你您反投表称提讲讨找门前后上下"
            "内外中边旁附近对面侧处所室号栋单元层路街区市县镇村乡院局厅委办部科处站所组队为因以而但却并且或如若时"
            "今昨，。、；：！？,.;:!?()（）“”\"' \n\t")
# Surnames that, right after a person word, are nearly always a conjunction or preposition.
_CONJUNCTIONS = set("和与同跟及")
# Words before a title that start with a surname's character but name a post, not a person (安全主任, 高中老师).
_NOT_GIVEN_NAMES = frozenset({"安全", "高中", "高级", "常务", "文明", "平安", "金牌", "成人", "和平", "华人", "车间",
                              "项目", "班主", "总经", "副主", "党支", "支部", "工程", "技术", "财务", "生产", "管理",
                              "业务", "质量", "单位", "社区", "居委", "村委", "街道", "值班", "宣传", "后勤", "办公"})
# Words before a name that say it is a person: relations, neighbours, people at work, "called".
CN_CUES = ("名叫", "叫做", "名字叫", "名字是", "姓名是", "邻居", "房东", "房主", "租客", "业主", "住户", "物业经理",
           "物业主管", "物业的", "保安", "门卫", "楼上的", "楼下的", "隔壁的", "对门的", "楼上", "楼下", "隔壁", "对门",
           "同事", "朋友", "儿子", "女儿", "丈夫", "妻子", "老公", "老婆", "爱人", "老伴", "父亲", "母亲", "爸爸",
           "妈妈", "孩子", "哥哥", "姐姐", "弟弟", "妹妹", "负责人", "经理", "主任", "书记", "社长", "老板", "司机",
           "网格员", "民警", "警官", "医生", "工作人员", "联系人", "店主", "摊主", "包工头", "快递员", "外卖员",
           "保洁员", "保洁", "清洁工", "环卫工", "协管员", "管理员", "楼长", "他叫", "她叫", "叫")
_CN_CUE_RE = re.compile("(?:" + "|".join(sorted(CN_CUES, key=len, reverse=True)) + r")(?:是|叫)?[:：，, ]?")


# Titles that make a lone surname a person (not "总": 高总是... reads "always").
_SURNAME_TITLE = re.compile("|".join(t for t in sorted(CN_TITLES, key=len, reverse=True) if len(t) > 1))
_SURNAME_AT = re.compile("(?=[" + "".join(sorted(SURNAMES)) + "])")


def _cn_surname_end(text: str, i: int) -> int | None:
    """End of a surname starting at ``i`` (compound surnames first), or None."""
    for compound in COMPOUND_SURNAMES:
        if text.startswith(compound, i):
            return i + 2
    return i + 1 if i < len(text) and text[i] in SURNAMES else None


def _is_title_at(text: str, i: int) -> bool:
    return re.match(_CN_TITLE_RE, text[i:i + 2]) is not None


def _cn_name_end(text: str, i: int, *, cue: bool) -> int | None:
    """End of a Chinese name starting at ``i``: surname and one or two given characters (or 老/小 + surname
    after a person word); the given name stops before a particle, a verb or a title."""
    if cue and text[i:i + 1] in ("老", "小"):  # 老王, 小李: but 老师, 小时, 小孙子 are no names
        end = _cn_surname_end(text, i + 1)
        if end is None or text[i + 1] in "师时" or (end < len(text) and text[end] in "子们"):
            return None
        return end
    end = _cn_surname_end(text, i)
    if end is None:
        return None
    given = 0
    while given < 2 and end < len(text) and re.match(f"[{_CJK}]", text[end]) and text[end] not in _STOP \
            and not _is_title_at(text, end):
        end += 1
        given += 1
    return end if given else None


def chinese_names(text: str) -> list[tuple[int, int]]:
    """Spans of Chinese names after a person word (邻居张伟) or before a title (王建国师傅, 张阿姨 included)."""
    found: list[tuple[int, int]] = []
    for m in _CN_CUE_RE.finditer(text):
        if text[m.end():m.end() + 1] in _CONJUNCTIONS:
            continue  # "主任和高...": 和 joins, it does not begin a name here
        end = _cn_name_end(text, m.end(), cue=True)
        if end is not None:
            found.append((m.end(), end))
    covered = 0
    for m in _SURNAME_AT.finditer(text):
        start = m.start()
        if start < covered:
            continue  # a character inside a name just found (李明华: 明 is a surname too)
        if text[start] in _CONJUNCTIONS:
            continue  # 和, 与...: "安全主任和值班经理" joins two posts
        end = _cn_name_end(text, start, cue=False)
        if end is not None and (text[start:end] in _NOT_GIVEN_NAMES or text[start + 1:end] in _NOT_GIVEN_NAMES):
            continue
        if end is not None and end < len(text) and _is_title_at(text, end):
            found.append((start, end))
            covered = end
            continue
        # A lone surname before a title names the person (李主任, 马经理), unless it ends a word (安全主任).
        bare = _cn_surname_end(text, start)
        if bare is not None and _SURNAME_TITLE.match(text, bare) \
                and text[max(0, start - 1):start + 1] not in _NOT_GIVEN_NAMES:
            found.append((start, bare))
            covered = bare
    return found


# ---- English and Spanish ----------------------------------------------------------------------------------------

_UPPER = "A-ZÁÉÍÓÚÑÜ"
_LOWER = "a-záéíóúñü"
# Smith, O'Neill, McDonald, García-Pardo
_WORD = rf"[{_UPPER}](?:['’][{_UPPER}])?[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?(?:-[{_UPPER}]?[{_LOWER}]+)*"
_NAME = rf"{_WORD}(?:\s+(?:de\s+(?:la\s+|los\s+)?|del\s+|van\s+|von\s+|da\s+|O'|Mc)?{_WORD}){{0,3}}"
# Capitalised words that are not a person's name, whichever the sentence.
NOT_NAMES = frozenset("""
the a an this that these those there here it he she they we you i my our your his her their mr mrs ms miss dr
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december street road avenue lane drive boulevard court place way square park bridge
mayor city council office bureau department district county police station hospital school church market
centre center hall committee government housing transport environment municipal public office building
estate block flat apartment unit floor number line bus metro
lunes martes miércoles jueves viernes sábado domingo enero febrero marzo abril mayo junio julio agosto
septiembre octubre noviembre diciembre calle avenida plaza paseo camino carretera ronda alcalde alcaldesa
ayuntamiento concejal concejalía policía municipal distrito oficina comunidad junta consejería servicio
servicios vecinos bloque portal piso planta edificio línea autobús metro parque mercado colegio hospital
hay la el los las lo en por para con de del y que mi mis su sus no si sí pero desde hace también muy esta este
es son está están era fue ha han hemos he un una unos unas al como cuando donde ya gracias buenos buenas hola
and or but so if as at on in to of for from with by is was are were be been has have had do does did not no
yes thank thanks please dear hello good since after before when where which who what why how all some
""".split())

# Titles and their abbreviations, officials' included ("Cllr. Patel", "Insp. Reid", "Ing. Carrasco").
_EN_TITLE = (r"(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Professor|Officer|Constable|Sergeant|Sgt|Inspector|Insp|Councillor|"
             r"Councilor|Cllr|Clr|Sir|Supt|Superintendent|Det|Detective|Lt|Lieut|Capt|Captain|Cpl|PC|DC|DI|Rev|Judge|"
             r"Hon|Cmdr|Col|Gen|Gov|Sen|Rep|Atty|Eng)")
_ES_TITLE = (r"(?:(?:Sr|Sra|Srta|Dña|Dr|Dra)\.?|D\.|Dª|don|doña|Don|Doña|señor|señora|señorita|Señor|Señora|"
             r"Señorita|agente|Agente|doctor|doctora|Doctor|Doctora|(?:Ing|Lic|Licda?|Arq|Abog|Prof|Profa|Insp|Sgto|Subinsp|"
             r"Cap|Tte|Cmdte|Excmo|Excma|Ilmo|Ilma|Mtro|Mtra)\.|ingeniero|ingeniera|inspector|inspectora|licenciado|"
             r"licenciada|arquitecto|arquitecta|concejal|concejala|sargento|comisario|comisaria)")
_EN_RELATION = (r"(?:neighbou?rs?|landlord|landlady|friend|son|daughter|husband|wife|partner|mother|father|mum|mom|dad|"
                r"brother|sister|colleague|tenant|flatmate|roommate|caretaker|janitor|concierge|boss|manager|aunt|"
                r"uncle|grandson|granddaughter|grandmother|grandfather|grandma|grandpa|nephew|niece|child|"
                r"driver|owner|contractor|builder|plumber|electrician|doctor|teacher|carer|nurse)")
_ES_RELATION = (r"(?:vecin[oa]s?|caser[oa]|hij[oa]|marido|espos[oa]|mujer|madre|padre|herman[oa]|amig[oa]|"
                r"compañer[oa]|conserje|porter[oa]|inquilin[oa]|dueñ[oa]|propietari[oa]|encargad[oa]|jef[ea]|"
                r"president[ea] de la comunidad|administrador[a]? de la finca|médic[oa]|profesor[a]?|tí[oa]|"
                r"abuel[oa]|niet[oa]|sobrin[oa]|conductor[a]?|cuñad[oa]|suegr[oa]|novi[oa]|pareja)")
_EN_WHERE = r"(?:\s+(?:next\s+door|upstairs|downstairs|across\s+the\s+(?:road|street|hall)|opposite))?"
_ES_WHERE = r"(?:\s+de\s+(?:al\s+lado|arriba|abajo|enfrente|(?:el|la)\s+\w+))?"
_LATIN_RES = (
    re.compile(rf"\b(?:{_EN_TITLE}\.?\s+)+({_NAME})"),  # "Councillor Cllr. Patel"
    re.compile(rf"(?<![\w.º°ª])(?<![º°ª] ){_ES_TITLE}\s+({_NAME})"),  # not the door of "2º D. Hay..."
    re.compile(rf"\b(?:[Mm]y|[Oo]ur|[Tt]he|[Aa]|[Hh]is|[Hh]er|[Tt]heir)\s+(?:next-door\s+|new\s+|old\s+)?"
               rf"{_EN_RELATION}{_EN_WHERE},?\s+(?:{_EN_TITLE}\.?\s+)?({_NAME})"),
    re.compile(rf"\b(?:[Mm]i|[Mm]is|[Ee]l|[Ll]a|[Ll]os|[Ll]as|[Uu]n|[Uu]na|[Nn]uestr[oa]|[Ss]u)\s+{_ES_RELATION}"
               rf"{_ES_WHERE},?\s+(?:{_ES_TITLE}\s+)?({_NAME})"),
    re.compile(rf"\b(?:named|whose name is|(?:is|was) called|se llama|llamad[oa]|de nombre)\s+({_NAME})"),
)


def trim_latin_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop trailing words that are not names ("Smith Street" keeps "Smith"); None when nothing is left."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while words and words[-1].group().strip(".,").casefold() in NOT_NAMES:
        words.pop()
    if not words or words[0].group().strip(".,").casefold() in NOT_NAMES:
        return None
    return start, start + words[-1].end()


def latin_names(text: str) -> list[tuple[int, int]]:
    """Spans of names after a title ("Mr. Smith", "Sra. López", "don Manuel") or a person word ("my neighbour
    John Clarke", "mi vecina Pilar Gómez", "a man named ...")."""
    found = []
    for pattern in _LATIN_RES:
        for m in pattern.finditer(text):
            span = trim_latin_name(text, m.start(1), m.end(1))
            if span is not None:
                found.append(span)
    return found


def third_party_names(text: str) -> list[tuple[int, int]]:
    """Every span that names a person by its context, in any of the three languages."""
    return chinese_names(text) + latin_names(text)
