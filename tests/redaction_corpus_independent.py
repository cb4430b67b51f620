"""An evaluation set for redaction written apart from the rules: letters to a 12345 hotline in Chinese, English and
Spanish, the way citizens write them, each with every personal item annotated (its text and kind) and the public
words that must survive (streets where a problem is, bus lines, amounts, dates, case numbers, offices).

Kinds: name, phone, email, id (identity documents), account (bank cards, IBANs), address (where a person lives),
plate (vehicle registration), handle (messaging and social accounts).

``known`` is what the citizen registered (the form's fields); ``reply`` is the office's answer, published with the
letter, in which a person the letter named must be redacted too. Identity and account numbers carry valid check
digits; phone numbers are valid for their region. Every person, number and address here is invented.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Letter:
    """One letter with its annotations."""

    lang: str
    text: str
    personal: tuple[tuple[str, str], ...]  # (item as written, kind)
    public: tuple[str, ...]
    known: dict[str, str] = field(default_factory=dict)  # name / phone / email / address as registered
    subject: str = ""
    reply: str = ""


def _l(lang: str, text: str, personal: list[tuple[str, str]], public: list[str], known: dict[str, str] | None = None,
       subject: str = "", reply: str = "") -> Letter:
    return Letter(lang, text, tuple(personal), tuple(public), dict(known or {}), subject, reply)


LETTERS: tuple[Letter, ...] = (
    # ---- Chinese ------------------------------------------------------------------------------------------------
    _l("zh", "市长您好！我家住在朝阳区建国路88号院3号楼2单元501室，楼下的烧烤店每天营业到凌晨两点，油烟和噪音让老人孩子"
             "无法休息。已经向街道反映过三次（2026年10月8日、10月15日、10月22日），都没有结果。联系电话13912345678。王秀英",
       [("朝阳区建国路88号院3号楼2单元501室", "address"), ("13912345678", "phone"), ("王秀英", "name")],
       ["2026年10月8日", "10月15日", "凌晨两点", "街道"],
       known={"name": "王秀英", "phone": "13912345678"}, subject="楼下烧烤店油烟噪音扰民"),
    _l("zh", "我是出租车司机，车牌号京B·T6823。11月2日晚上在三环路被一辆渣土车刮蹭，对方车牌冀F52K31，司机逃逸。"
             "交警大队的刘建国警官说监控看不清。希望有关部门调取长安街路口的监控。我的手机：138 0013 4567。",
       [("京B·T6823", "plate"), ("冀F52K31", "plate"), ("刘建国", "name"), ("138 0013 4567", "phone")],
       ["11月2日", "三环路", "长安街", "交警大队"],
       known={"name": "赵德胜", "phone": "13800134567"},
       reply="经核查，交警大队已调取长安街路口监控，刘建国警官将与您联系。"),
    _l("zh", "我在幸福家园小区7栋1203住，小区电梯上个月坏了四次，物业经理孙丽华总说在等配件。我母亲今年82岁，上下楼非常"
             "困难。物业收费每月每平方米2.8元，一分不少，服务却越来越差。请住建局督促解决。",
       [("幸福家园小区7栋1203", "address"), ("孙丽华", "name")],
       ["82岁", "2.8元", "住建局", "四次"],
       known={"name": "周敏", "phone": "15012346789"}),
    _l("zh", "反映15路公交车司机服务态度问题。11月5日上午9点左右，我在人民医院站上车，司机不等老人坐稳就急刹车，我父亲"
             "陈国栋摔倒受伤，医药费花了1260元。车号是粤B·D12345。请公交公司给个说法。我叫陈晓燕，电话0755-86012345。",
       [("陈国栋", "name"), ("陈晓燕", "name"), ("0755-86012345", "phone"), ("粤B·D12345", "plate")],
       ["15路", "11月5日", "人民医院站", "1260元", "公交公司"],
       known={"name": "陈晓燕", "phone": "075586012345"}),
    _l("zh", "我叫李伟，在网上登记的名字是拼音。我想咨询新生儿落户需要哪些材料。孩子出生在市妇幼保健院，我的身份证号"
             "110105198503123475，户籍在海淀区。请通过微信lw_beijing85联系我，谢谢。",
       [("李伟", "name"), ("110105198503123475", "id"), ("lw_beijing85", "handle")],
       ["市妇幼保健院", "海淀区"],
       known={"name": "Li Wei", "email": "liwei85@example.com"}),
    _l("zh", "我们小区门口的共享单车堆了好几百辆，把人行道全占了，轮椅根本过不去。我拍了照片发在业主群里，群主张海涛说"
             "已经打过12345。这次我自己再反映一次。地址是和平路与解放大道交叉口东北角。",
       [("张海涛", "name")],
       ["12345", "和平路", "解放大道", "几百辆"],
       known={"name": "吴芳", "phone": "13698765432"}),
    _l("zh", "投诉：2026年9月我在锦绣装饰公司装修房子，签了合同付了定金3万元，负责人黄志强收钱后就联系不上了。我转账用的"
             "是工商银行卡6222021001123456789。他的电话是17712340987，现在已经停机。请市场监管局查处。",
       [("黄志强", "name"), ("6222021001123456789", "account"), ("17712340987", "phone")],
       ["2026年9月", "3万元", "市场监管局", "锦绣装饰公司"],
       known={"name": "刘洋", "phone": "18611112222"}),
    _l("zh", "尊敬的领导：我是退休教师马玉兰，住在东城区和平里北街12号楼3门402。社区卫生服务中心的王医生（王建军）开药时"
             "态度粗暴，我拿出身份证（440304199207185124）核对信息时他还嫌我慢。希望改进。",
       [("马玉兰", "name"), ("东城区和平里北街12号楼3门402", "address"), ("王建军", "name"),
        ("440304199207185124", "id")],
       ["社区卫生服务中心"],
       known={"name": "马玉兰"}),
    _l("zh", "建议在地铁5号线天通苑站增加一个出口。每天早高峰排队要二十分钟。我和同事杨帆、郭静每天都在这里换乘，"
             "大家都有同样的感受。有问题可以加QQ 384729165找我。",
       [("杨帆", "name"), ("郭静", "name"), ("384729165", "handle")],
       ["5号线", "天通苑站", "二十分钟"],
       known={"name": "许可", "email": "xuke@example.cn"}),
    _l("zh", "表扬信：11月10日我在地铁上丢了钱包，里面有身份证和银行卡，是站务员何晓东捡到后交到了服务台，一分钱没少。"
             "特此感谢！失主：Zhang Xiaoming（张晓明），联系方式 +86 186 2233 4455。",
       [("何晓东", "name"), ("Zhang Xiaoming", "name"), ("张晓明", "name"), ("+86 186 2233 4455", "phone")],
       ["11月10日", "服务台"],
       known={"name": "Zhang Xiaoming", "phone": "+8618622334455"},
       reply="感谢您的来信，我们已将您的表扬转达地铁公司，对何晓东同志提出表扬。"),
    _l("zh", "邻居家的狗天天在楼道里大小便，我跟狗主人说过很多次。他叫徐大鹏，住楼上602，车是白色的沪A88K31。物业说管不了，"
             "城管也说不归他们管，请问到底该找哪个部门？",
       [("徐大鹏", "name"), ("沪A88K31", "plate")],
       ["城管", "物业"],
       known={"name": "蒋红", "phone": "13300001111"}),
    _l("zh", "我的母亲罗桂芝今年75岁，申请高龄补贴三个月了还没批下来。街道办的工作人员让我们等通知。我的身份证号"
             "510107199006157318。家庭住址：武侯区玉林南路28号2栋1单元3楼。电话028-85123456。",
       [("罗桂芝", "name"), ("510107199006157318", "id"), ("武侯区玉林南路28号2栋1单元3楼", "address"),
        ("028-85123456", "phone")],
       ["75岁", "三个月", "街道办"],
       known={"name": "罗小川", "phone": "02885123456"}),
    _l("zh", "关于案件2026-000187的补充：上次反映的路灯问题还是没修好，只修了两盏，还有五盏不亮。长江路从128号到"
             "200号这一段晚上一片漆黑。我儿子赵磊上晚自习回来要走这段路，很不安全。",
       [("赵磊", "name")],
       ["2026-000187", "长江路", "128号", "200号", "五盏"],
       known={"name": "赵春梅", "phone": "13566667777"}),
    _l("zh", "咨询：外地车在本市限行怎么规定？我的车是浙A·7Q2M9，每周要来市里送货两三次。公司的联系人是钱丽，"
             "邮箱qianli@example.com，电话0571-87654321。",
       [("浙A·7Q2M9", "plate"), ("钱丽", "name"), ("qianli@example.com", "email"), ("0571-87654321", "phone")],
       ["每周", "两三次"],
       known={"name": "钱丽", "email": "qianli@example.com"}),
    _l("zh", "我是外卖骑手，11月12日在中山路被一辆电动车撞了，对方车主叫韩梅梅，没有赔偿。我已经在医院花了2300元。"
             "请交警帮忙处理。我的微信号：rider_wang2026，支付宝同手机号15800001234。",
       [("韩梅梅", "name"), ("rider_wang2026", "handle"), ("15800001234", "phone")],
       ["11月12日", "中山路", "2300元"],
       known={"name": "王强", "phone": "15800001234"}),
    _l("zh", "本人Chen Jing，在本市工作三年，想咨询公租房申请条件。我爱人陈静（同名不同字，她是陈静，我登记用的是拼音）"
             "也在本市缴纳社保。请回复到 chenjing.work@example.org。",
       [("Chen Jing", "name"), ("陈静", "name"), ("chenjing.work@example.org", "email")],
       ["三年", "公租房"],
       known={"name": "Chen Jing", "email": "chenjing.work@example.org"}),

    # ---- English ------------------------------------------------------------------------------------------------
    _l("en", "Dear Mayor, I live at 221 Oak Street, Apt 4B, and the streetlight outside has been broken since October 14. "
             "My neighbour Margaret Hollis tripped on the kerb last week and broke her wrist. Please fix it before "
             "someone else gets hurt. Thanks, Daniel Brooks, (415) 555-0132",
       [("221 Oak Street, Apt 4B", "address"), ("Margaret Hollis", "name"), ("Daniel Brooks", "name"),
        ("(415) 555-0132", "phone")],
       ["October 14", "streetlight"],
       known={"name": "Daniel Brooks", "phone": "4155550132", "address": "221 Oak Street, Apt 4B"}),
    _l("en", "The number 42 bus skipped the Riverside stop three times this week (Nov 3, Nov 5 and Nov 6). The driver on "
             "the 7:45 service, whose badge read T. Okafor, waved at us and drove on. I will be late for work again. "
             "Priya Raman, priya.raman@example.net",
       [("T. Okafor", "name"), ("Priya Raman", "name"), ("priya.raman@example.net", "email")],
       ["number 42 bus", "Riverside", "Nov 3", "7:45"],
       known={"name": "Priya Raman", "email": "priya.raman@example.net"}),
    _l("en", "I am writing about the parking enforcement officer Sgt. Miller, who gave my car (LD68 KXP) a ticket of $65 "
             "while I was unloading a wheelchair. I have a disabled badge. Could someone review this? You can reach me "
             "on 020 7946 0321 or at 14 Maple Grove, Flat 3.",
       [("Miller", "name"), ("LD68 KXP", "plate"), ("020 7946 0321", "phone"), ("14 Maple Grove, Flat 3", "address")],
       ["$65", "disabled badge"],
       known={"name": "Olivia Grant", "phone": "02079460321"}),
    _l("en", "Complaint about the landlord: Kevin Doyle, who owns the building at 9 Harbour Road, has not fixed the heating "
             "since November 1. Four families including mine have small children. My tenancy deposit of $1,800 was paid "
             "by card 4532015112830366 and he refuses to return it.",
       [("Kevin Doyle", "name"), ("4532015112830366", "account"), ("9 Harbour Road", "address")],
       ["November 1", "$1,800", "Four families"],
       known={"name": "Aisha Bello", "phone": "+447911123456"}),
    _l("en", "Hello, my name is Tom Wheeler. Councillor Cllr. Patel promised at the October 20 meeting that the potholes "
             "on Station Road would be filled within 30 days. It is now 45 days later. Please reply to "
             "tom.wheeler@example.co.uk.",
       [("Tom Wheeler", "name"), ("Patel", "name"), ("tom.wheeler@example.co.uk", "email")],
       ["October 20", "Station Road", "30 days", "45 days"],
       known={"name": "Tom Wheeler", "email": "tom.wheeler@example.co.uk"}),
    _l("en", "I'd like to praise the nurse at City Hospital, Grace Kim, who stayed past her shift to help my father. "
             "Dr. Alvarez in the emergency department was also very kind. We were there on 2026-11-09 for six hours.",
       [("Grace Kim", "name"), ("Alvarez", "name")],
       ["City Hospital", "2026-11-09", "six hours"],
       known={"name": "Hannah Lewis", "email": "hlewis@example.org"},
       reply="Thank you. We have passed your praise for Grace Kim and the emergency department to City Hospital."),
    _l("en", "Noise complaint: the bar below my flat plays music until 3 am on weekends. I've spoken to the manager, "
             "Ryan Costa, who laughed. My flat is 3F, 58 Wellington Street. Case reference from last time: 2026-000342. "
             "Contact: +44 7911 123456 or WhatsApp the same number.",
       [("Ryan Costa", "name"), ("3F, 58 Wellington Street", "address"), ("+44 7911 123456", "phone")],
       ["3 am", "2026-000342", "weekends"],
       known={"name": "Fiona McLeod", "phone": "+447911123456"}),
    _l("en", "Request for help: my elderly mother, Dorothy Fletcher, lives alone at 7 Birch Lane and her water has been cut "
             "off because of a billing error. Her account was paid from IBAN GB29 NWBK 6016 1331 9268 19. Please "
             "ask the water company to restore it. My number is 0161 496 0753.",
       [("Dorothy Fletcher", "name"), ("7 Birch Lane", "address"), ("GB29 NWBK 6016 1331 9268 19", "account"),
        ("0161 496 0753", "phone")],
       ["water company", "billing error"],
       known={"name": "Susan Fletcher", "phone": "01614960753"}),
    _l("en", "Someone keeps dumping construction waste behind the community centre on Park Avenue. I saw a white van, "
             "plate 7XKM 204, on November 12 around 11 pm. The driver was a man called Steve, I think. I posted the "
             "video on Telegram, my channel is @parkave_watch.",
       [("7XKM 204", "plate"), ("Steve", "name"), ("@parkave_watch", "handle")],
       ["community centre", "Park Avenue", "November 12", "11 pm"],
       known={"name": "Marcus Reed", "email": "mreed@example.com"}),
    _l("en", "I am a foreign resident (passport holder, NIE Y7654321G) and I want to know how to register my child at a "
             "public school. We moved to the city in September. My wife Li Na speaks Chinese; I speak English. "
             "Phone 202-555-0147.",
       [("Y7654321G", "id"), ("Li Na", "name"), ("202-555-0147", "phone")],
       ["September", "public school"],
       known={"name": "James O'Connor", "phone": "2025550147"}),
    _l("en", "The traffic light at the junction of 5th Avenue and Main Street has been stuck on red for northbound cars "
             "since Monday. Yesterday a driver ran it and nearly hit a cyclist. Officer Brandon Hayes was there and "
             "took notes. I'm Carlos Mendes, 617-253-1000.",
       [("Brandon Hayes", "name"), ("Carlos Mendes", "name"), ("617-253-1000", "phone")],
       ["5th Avenue", "Main Street", "Monday"],
       known={"name": "Carlos Mendes", "phone": "6172531000"}),
    _l("en", "Thank you for fixing the playground at Lincoln Park so fast (case 2026-000511). My kids Ethan and Chloe "
             "are back on the swings. Special thanks to the crew leader, Mr. Nakamura. From Jennifer Walsh.",
       [("Ethan", "name"), ("Chloe", "name"), ("Nakamura", "name"), ("Jennifer Walsh", "name")],
       ["Lincoln Park", "2026-000511"],
       known={"name": "Jennifer Walsh", "email": "jwalsh@example.com"}),
    _l("en", "My Chinese name is 黄丽 but I registered as Huang Li. The benefits office on Queen Street lost my form for "
             "the third time. My ID card number is 420106199504092133. WeChat: huangli_uk. I live at 32 Elm Close, "
             "flat 2.",
       [("黄丽", "name"), ("Huang Li", "name"), ("420106199504092133", "id"), ("huangli_uk", "handle"),
        ("32 Elm Close, flat 2", "address")],
       ["Queen Street", "third time"],
       known={"name": "Huang Li", "address": "32 Elm Close, flat 2"}),
    _l("en", "Complaint about Prof. Whitman at the city college, who shared students' grades in a public group chat. "
             "My daughter Sophie Turner was named. We pay $4,200 a year in fees. Please investigate. "
             "- Robert Turner, robert.t@example.com",
       [("Whitman", "name"), ("Sophie Turner", "name"), ("Robert Turner", "name"), ("robert.t@example.com", "email")],
       ["city college", "$4,200"],
       known={"name": "Robert Turner", "email": "robert.t@example.com"}),
    _l("en", "Please refund the double charge for my parking permit. The card ending was charged twice: full number "
             "4000 0012 3456 7899, $120 each time, on 11/03/2026. Account holder: Nadia Hussain, 88 Cedar Road.",
       [("4000 0012 3456 7899", "account"), ("Nadia Hussain", "name"), ("88 Cedar Road", "address")],
       ["$120", "11/03/2026", "parking permit"],
       known={"name": "Nadia Hussain", "address": "88 Cedar Road"}),

    # ---- Spanish ------------------------------------------------------------------------------------------------
    _l("es", "Buenos días. Vivo en C/ Alcalá 145, 3º B y desde hace dos semanas el contenedor de basura de la esquina no "
             "se vacía. Hay ratas. Mi vecina Encarnación Ruiz Molina ya llamó al 010 sin resultado. Un saludo, "
             "Javier Moreno Díaz. Tel. 612 345 678",
       [("C/ Alcalá 145, 3º B", "address"), ("Encarnación Ruiz Molina", "name"), ("Javier Moreno Díaz", "name"),
        ("612 345 678", "phone")],
       ["dos semanas", "010"],
       known={"name": "Javier Moreno Díaz", "phone": "612345678"}),
    _l("es", "Quiero denunciar que el autobús de la Línea 27 no para en la parada de Cibeles desde el 3 de noviembre. "
             "El conductor, que se llama Rafael según su tarjeta, dice que son órdenes. Soy Lucía Fernández, "
             "DNI 50123456Q, y necesito ese autobús para ir al hospital.",
       [("Rafael", "name"), ("Lucía Fernández", "name"), ("50123456Q", "id")],
       ["Línea 27", "Cibeles", "3 de noviembre"],
       known={"name": "Lucía Fernández", "email": "lucia.f@example.es"}),
    _l("es", "Reclamación: el Sr. Gutiérrez, del servicio de licencias, me pidió 300 euros en efectivo para \"agilizar\" mi "
             "licencia de obra. Mi expediente es el 2026-000233. Tengo la conversación grabada. Mi dirección es "
             "Avda. de la Constitución 12, 4º izda., y mi móvil +34 699 12 34 56.",
       [("Gutiérrez", "name"), ("Avda. de la Constitución 12, 4º izda.", "address"), ("+34 699 12 34 56", "phone")],
       ["300 euros", "2026-000233", "servicio de licencias"],
       known={"name": "Andrés Castillo", "phone": "+34699123456"}),
    _l("es", "Solicito ayuda para mi madre, Dolores Navarro, de 88 años, que vive sola en Pza. Mayor 3, 1º dcha. No puede "
             "bajar a comprar y los servicios sociales no han venido. Su DNI es 08134567L. Contacto: "
             "manuel.navarro@example.es",
       [("Dolores Navarro", "name"), ("Pza. Mayor 3, 1º dcha.", "address"), ("08134567L", "id"),
        ("manuel.navarro@example.es", "email")],
       ["88 años", "servicios sociales"],
       known={"name": "Manuel Navarro", "email": "manuel.navarro@example.es"}),
    _l("es", "Un coche lleva abandonado más de tres meses en la calle del Pez, matrícula 4821 KLM, con las ruedas "
             "pinchadas. Los niños juegan dentro. Ya lo comuniqué al agente Morales en octubre. Firmado: Pilar Santos.",
       [("4821 KLM", "plate"), ("Morales", "name"), ("Pilar Santos", "name")],
       ["calle del Pez", "tres meses", "octubre"],
       known={"name": "Pilar Santos", "phone": "655123987"}),
    _l("es", "Me han cobrado dos veces el IBI de 2026 (412,50 euros cada vez). El cargo se hizo en mi cuenta "
             "ES91 2100 0418 4502 0005 1332. Solicito la devolución. Atentamente, Rosa María Vidal Pons, NIE X1234567L.",
       [("ES91 2100 0418 4502 0005 1332", "account"), ("Rosa María Vidal Pons", "name"), ("X1234567L", "id")],
       ["IBI", "2026", "412,50 euros"],
       known={"name": "Rosa María Vidal Pons"}),
    _l("es", "Felicito a la policía local, en especial a la agente Sra. Beltrán y a su compañero Iván Herrera, que "
             "encontraron a mi hijo Pablo cuando se perdió en las fiestas del 12 de octubre. Gracias de corazón. "
             "Marta Iglesias",
       [("Beltrán", "name"), ("Iván Herrera", "name"), ("Pablo", "name"), ("Marta Iglesias", "name")],
       ["policía local", "12 de octubre"],
       known={"name": "Marta Iglesias", "email": "marta.ig@example.com"},
       reply="Agradecemos su mensaje y lo hemos trasladado a la Policía Local para reconocer la labor de Iván Herrera."),
    _l("es", "Las obras de la calle Toledo han dejado la acera levantada desde el 5 de septiembre. Mi padre, Antonio López "
             "García, se cayó y está en el hospital. Vivimos en C/ Toledo 88, 2ºA. Pueden llamarme al 91 523 45 67.",
       [("Antonio López García", "name"), ("C/ Toledo 88, 2ºA", "address"), ("91 523 45 67", "phone")],
       ["calle Toledo", "5 de septiembre"],
       known={"name": "Elena López", "phone": "915234567"}),
    _l("es", "Consulta: ¿cómo solicito la tarjeta de transporte para mayores de 65 años? Mi marido, Francisco Jiménez, y yo "
             "estamos empadronados desde 2019. Mi Telegram es @carmen_jimenez65 por si es más fácil.",
       [("Francisco Jiménez", "name"), ("@carmen_jimenez65", "handle")],
       ["65 años", "2019", "tarjeta de transporte"],
       known={"name": "Carmen Ortega", "phone": "600112233"}),
    _l("es", "Denuncio ruidos nocturnos en el local de la Avda. Blasco Ibáñez 30. El dueño, Sergio Pastor, no respeta el "
             "horario de cierre (1:30). Soy vecino del 2º piso del mismo edificio. Teléfono 963 12 34 56. "
             "Mi nombre es Jorge Ramírez.",
       [("Sergio Pastor", "name"), ("963 12 34 56", "phone"), ("Jorge Ramírez", "name"),
        ("Avda. Blasco Ibáñez 30", "address")],
       ["1:30"],
       known={"name": "Jorge Ramírez", "phone": "963123456"}),
    _l("es", "Mi nombre chino es 王丽, aunque estoy registrada como Wang Li. Tengo una tienda en la calle Mayor y quiero "
             "saber cómo pedir la licencia de terraza. Mi NIE es Z0381947Z. WeChat: wangli_madrid.",
       [("王丽", "name"), ("Wang Li", "name"), ("Z0381947Z", "id"), ("wangli_madrid", "handle")],
       ["calle Mayor", "licencia de terraza"],
       known={"name": "Wang Li", "email": "wangli.shop@example.es"}),
    _l("es", "Solicito información sobre la beca comedor. Mi hija Lucía Romero Sanz va al colegio público Cervantes. "
             "La ayuda se ingresaba en la cuenta ES98 2038 5778 9830 0076 0236 pero este curso no ha llegado. "
             "Teresa Sanz, teresa.sanz@example.es",
       [("Lucía Romero Sanz", "name"), ("ES98 2038 5778 9830 0076 0236", "account"), ("Teresa Sanz", "name"),
        ("teresa.sanz@example.es", "email")],
       ["beca comedor", "colegio público Cervantes"],
       known={"name": "Teresa Sanz", "email": "teresa.sanz@example.es"}),
    _l("es", "Queja contra el Ing. Carrasco, responsable de la obra del parque del Oeste: cortaron tres árboles centenarios "
             "sin permiso. Lo vio también mi vecino Tomás Aguilar. Expediente 2026-000398. Mi DNI: 26543219T.",
       [("Carrasco", "name"), ("Tomás Aguilar", "name"), ("26543219T", "id")],
       ["parque del Oeste", "tres árboles", "2026-000398"],
       known={"name": "Beatriz Molina", "phone": "622334455"}),
    _l("es", "El taxi con matrícula 1234-BCD me cobró 45 euros por un trayecto de 8 km desde la estación de Atocha. "
             "El taxista, José Manuel Prieto, no quiso dar recibo. Pagué con la tarjeta 5529 1000 1234 5673. "
             "Soy Ana Belén Cruz.",
       [("1234-BCD", "plate"), ("José Manuel Prieto", "name"), ("5529 1000 1234 5673", "account"),
        ("Ana Belén Cruz", "name")],
       ["45 euros", "8 km", "estación de Atocha"],
       known={"name": "Ana Belén Cruz", "email": "anabelen@example.es"},
       reply="Hemos trasladado su queja sobre el taxista José Manuel Prieto al servicio de taxi del Ayuntamiento."),
)
