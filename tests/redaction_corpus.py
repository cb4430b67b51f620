"""A generated corpus of letters (Chinese, English, Spanish) with personal items planted at known positions,
and ordinary numbers that must survive redaction. Used by the redaction tests (small) and bench (large)."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from cases.redaction import Known


@dataclass(frozen=True)
class Planted:
    kind: str
    start: int
    end: int
    text: str
    who: str = "citizen"  # "other" for a third person named in the letter (neighbour, landlord, official)


@dataclass(frozen=True)
class Sample:
    language: str
    text: str
    planted: tuple[Planted, ...]
    known: Known
    traps: tuple[str, ...]  # ordinary strings that must stay in the redacted text


CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
CN_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
EN_FIRST = ["John", "Mary", "Robert", "Linda", "Michael", "Susan", "David", "Karen", "James", "Emily", "Olivia"]
EN_LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clarke"]
ES_FIRST = ["María", "José", "Lucía", "Javier", "Carmen", "Antonio", "Elena", "Manuel", "Pilar", "Sergio"]
ES_LAST = ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Ruiz", "Díaz", "Moreno"]
CN_PLACES = ["幸福", "和平", "建设", "人民", "解放", "中山", "光明", "友谊", "长江", "黄河", "新华", "朝阳"]
CN_CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都"]
CN_DISTRICTS = ["朝阳", "海淀", "浦东", "天河", "西湖", "武侯"]
EN_STREETS = ["Elm", "Maple", "Oak", "Baker", "Church", "High", "Mill", "Park", "Victoria", "King"]
ES_STREETS = ["Mayor", "Alcalá", "Gran Vía", "la Constitución", "San Bernardo", "Toledo", "Serrano", "Atocha"]
DOMAINS = ["example.org", "mail.example.com", "correo.example.es", "qq.example.cn"]
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def cn_id(rng: random.Random) -> str:
    area = rng.choice(["110101", "310104", "440305", "330106", "510107"])
    body = f"{area}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def dni(rng: random.Random) -> str:
    number = rng.randint(10_000_000, 99_999_999)
    return f"{number}{DNI_LETTERS[number % 23]}"


def nie(rng: random.Random) -> str:
    prefix = rng.choice("XYZ")
    number = rng.randint(1_000_000, 9_999_999)
    return f"{prefix}{number}{DNI_LETTERS[int(str('XYZ'.index(prefix)) + str(number)) % 23]}"


def phone(rng: random.Random, language: str) -> str:
    d = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))  # noqa: E731
    mobile = f"1{rng.choice('3456789')}{d(9)}"
    options = {
        "zh": [mobile, f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
               f"+86 {mobile}", f"010-{rng.randint(2, 8)}{d(7)}", f"(0755) {rng.randint(2, 8)}{d(3)} {d(4)}",
               f"021-{rng.randint(2, 8)}{d(7)}"],
        "en": [f"+1 (555) {d(3)}-{d(4)}", f"+44 20 {d(4)} {d(4)}", f"(212) {d(3)}-{d(4)}", f"+86 {mobile}",
               f"555-{d(3)}-{d(4)}"],
        "es": [f"{rng.choice('67')}{d(2)} {d(3)} {d(3)}", f"+34 {rng.choice('67')}{d(2)} {d(3)} {d(3)}",
               f"91 {d(3)} {d(2)} {d(2)}", f"0034 9{d(2)} {d(3)} {d(3)}", f"{rng.choice('67')}{d(8)}"],
    }
    return rng.choice(options[language])


def address(rng: random.Random, language: str) -> str:
    n = rng.randint(1, 300)
    if language == "zh":
        return rng.choice([
            f"{rng.choice(CN_CITIES)}市{rng.choice(CN_DISTRICTS)}区{rng.choice(CN_PLACES)}路{n}号",
            f"{rng.choice(CN_PLACES)}小区{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(101, 2405)}室",
            f"{rng.choice(CN_PLACES)}街{n}号",
            f"{rng.choice(CN_PLACES)}花园{rng.randint(1, 20)}栋{rng.randint(101, 2405)}室",
        ])
    if language == "en":
        street = rng.choice(EN_STREETS)
        return rng.choice([f"{n} {street} Street", f"Flat {rng.randint(1, 40)}, {n} {street} Road",
                           f"{n}B {street} Avenue, Apt {rng.randint(1, 90)}", f"{n} {street} Lane"])
    street = rng.choice(ES_STREETS)
    return rng.choice([f"Calle {street} {n}, {rng.randint(1, 9)}º {rng.choice('ABCD')}", f"Avenida de {street} {n}",
                       f"C/ {street} {n}", f"Plaza {street} {n}", f"Paseo de {street} {n}, bajo"])


def email(rng: random.Random, name: str) -> str:
    user = re.sub(r"[^a-z]", "", name.lower()) or "user"
    return f"{user}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}"


def person(rng: random.Random, language: str) -> tuple[str, str]:
    """(name as written, a Latin spelling for the email)."""
    if language == "zh":
        name = rng.choice(CN_SURNAMES) + "".join(rng.choice(CN_GIVEN) for _ in range(rng.randint(1, 2)))
        return name, "zhang"
    if language == "en":
        name = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
        return name, name
    name = f"{rng.choice(ES_FIRST)} {rng.choice(ES_LAST)} {rng.choice(ES_LAST)}"
    return name, name.encode("ascii", "ignore").decode()


TEMPLATES = {
    "zh": [
        "市长您好！我叫{name}，住在{address}。第5路公交车最近经常晚点，2026年以来已经三次。我的电话是{phone}，"
        "邮箱{email}，身份证号{id}。请尽快处理，谢谢！",
        "尊敬的领导：本人{name}，身份证号码{id}，家住{address}。小区门口的路灯坏了两个星期，晚上10点以后很黑。"
        "联系电话：{phone}；电子邮件：{email}。",
        "您好，我是{name}。我家在{address}，楼下餐馆油烟很大，已经投诉3次，编号2026-000123。"
        "请回电{phone}或发邮件到{email}。证件号：{id}。",
    ],
    "en": [
        "Dear Mayor,\nMy name is {name} and I live at {address}. The number 5 bus has been late every day since "
        "2026-03-15. Please call me on {phone} or write to {email}. My ID number is {id}.\nRegards,\n{name}",
        "Hello, I am writing about the potholes near {address}; they have been there for 3 weeks and cost me 120 "
        "dollars in repairs. Contact: {name}, phone {phone}, email {email}, passport/ID {id}.",
        "To the city office: the park gate at line 5 stop is locked after 18:00. I ({name}) live at {address}. "
        "Reach me at {email} or {phone}. ID {id}. Thank you.",
    ],
    "es": [
        "Estimado alcalde:\nMe llamo {name} y vivo en {address}. La línea 5 del autobús va siempre llena desde "
        "2026. Mi teléfono es {phone} y mi correo {email}. DNI: {id}.\nAtentamente,\n{name}",
        "Buenos días, soy vecino de {address}. Hay una fuga de agua desde hace 3 días, la factura subió 1.500 "
        "euros. Contacto: {name}, tel. {phone}, {email}, documento {id}.",
        "Les escribo como {name}, con domicilio en {address}, por el ruido del bar de la planta 2 después de las "
        "23:00. Pueden llamarme al {phone} o escribir a {email}. NIE/DNI {id}.",
    ],
}
# Sentences naming other people, by the cues letters use: relations, titles before or after the name.
# {other} is a full name, {other_first} / {other_last} its parts, {other_surname} a Chinese surname alone.
OTHERS = {
    "zh": ["邻居{other}经常把垃圾堆在楼道里。", "物业经理{other}一直不处理。", "楼下的{other}师傅也反映过这个问题。",
           "{other}阿姨每天晚上都被吵醒。", "房东{other}说不归他管。", "社区网格员{other}来看过一次。",
           "我和隔壁的{other_surname}阿姨一起去过居委会。", "他叫{other}，住在对门。"],
    "en": ["My neighbour {other} parks his van across the footpath every night.",
           "Mr. {other_last} at the corner shop has complained too.",
           "The landlord, {other}, refuses to fix the heating.",
           "I reported it to Officer {other_last} last week but nothing happened.",
           "My daughter {other_first} nearly fell into the hole.",
           "A man named {other} from the building company said it would take a month.",
           "Ms {other} upstairs can confirm this."],
    "es": ["Mi vecino {other} aparca la furgoneta en la acera.", "La señora {other} del segundo también se ha quejado.",
           "El conserje, {other}, lo ha visto varias veces.", "Hablé con don {other_first} de la junta de vecinos.",
           "Mi hija {other_first} casi se cae en el agujero.",
           "El presidente de la comunidad, {other}, ya escribió al ayuntamiento.",
           "Sra. {other_last} puede confirmarlo."],
}
# Sentences with the names of units, streets and categories: public, they must survive redaction.
PUBLIC = {"zh": "交通局说解放路下个月维修，城管局也知道。",
          "en": "The Transport Bureau said Maple Road would be repaved under the Environment programme.",
          "es": "La Policía Municipal conoce el problema de la calle Mayor y de Medio Ambiente."}
TRAPS = {"zh": ("第5路", "2026", "10点", "3次", "2026-000123", "交通局", "解放路", "城管局"),
         "en": ("number 5 bus", "2026-03-15", "3 weeks", "120 dollars", "line 5", "18:00", "Transport Bureau",
                "Maple Road", "Environment"),
         "es": ("línea 5", "2026", "3 días", "1.500 euros", "planta 2", "23:00", "Policía Municipal", "calle Mayor",
                "Medio Ambiente")}


def _other(rng: random.Random, language: str) -> dict[str, str]:
    """A third person's name and its parts (never the citizen's)."""
    if language == "zh":
        full, _latin = person(rng, language)
        return {"other": full, "other_first": full, "other_last": full, "other_surname": full[0]}
    first = rng.choice(EN_FIRST if language == "en" else ES_FIRST)
    last = rng.choice(EN_LAST if language == "en" else ES_LAST)
    return {"other": f"{first} {last}", "other_first": first, "other_last": last, "other_surname": last}


def _with_story(rng: random.Random, language: str, template: str) -> str:
    """The template with one or two sentences about other people, and sometimes public names, after its first
    sentence (before any sign-off)."""
    story = " ".join(rng.sample(OTHERS[language], rng.randint(1, 2)))
    if rng.random() < 0.5:
        story += (" " if language != "zh" else "") + PUBLIC[language]
    cut = re.search(r"[。.!！]\s?" if language == "zh" else r"[.!]\s", template)
    at = cut.end() if cut else 0
    joiner = "" if language == "zh" or template[at - 1:at].isspace() else " "
    return template[:at] + joiner + story + (" " if language != "zh" else "") + template[at:]


def make_sample(rng: random.Random, language: str, *, others: bool = True) -> Sample:
    name, latin = person(rng, language)
    values = {"name": name, "phone": phone(rng, language), "email": email(rng, latin), "address": address(rng, language),
              "id": cn_id(rng) if language in ("zh", "en") and rng.random() < 0.8 else rng.choice([dni, nie])(rng)}
    template = rng.choice(TEMPLATES[language])
    if others:
        template = _with_story(rng, language, template)
        values.update(_other(rng, language))
    text, planted, cursor = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[cursor:m.start()]
        key = m.group(1)
        value = values[key]
        kind, who = ("name", "other") if key.startswith("other") else (key, "citizen")
        planted.append(Planted(kind, len(text), len(text) + len(value), value, who))
        text += value
        cursor = m.end()
    text += template[cursor:]
    # A trap counts where it stands outside the personal items ("Maple Road" inside a planted address goes).
    traps = tuple(t for t in TRAPS[language] if any(
        not any(p.start < m.end() and m.start() < p.end for p in planted) for m in re.finditer(re.escape(t), text)))
    # Only the name is on file: phones, emails, IDs and addresses must be found by their patterns.
    return Sample(language, text, tuple(planted), Known(names=(name,)), traps)


def corpus(size: int, seed: int = 7, *, others: bool = True) -> list[Sample]:
    """``size`` letters, the three languages in turn; ``others=False`` leaves out the third persons."""
    rng = random.Random(seed)
    languages = ("zh", "en", "es")
    return [make_sample(rng, languages[i % 3], others=others) for i in range(size)]


def covered(planted: Planted, spans: list) -> bool:
    """Whether every character of the planted item lies inside some redaction span."""
    return all(any(s.start <= i < s.end for s in spans) for i in range(planted.start, planted.end))
