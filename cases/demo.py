"""Demo data: units, categories, one user per role and a few cases in different states."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from datetime import timedelta

from cases import accounts, admin, categories, intake, knowledge, levels, services
from cases.actors import Actor
from cases.policy import Policy
from cases.drafts import Channel, LetterDraft
from cases.models import Case, Category, Unit, User

UNITS = [("Housing and Urban-Rural Development Bureau", "department"), ("Transport Bureau", "department"),
         ("Ecology and Environment Bureau", "department"), ("Eastern District", "district"),
         ("Western District", "district"), ("Riverside County", "county")]
# Units below others (二级派单 passes cases down to them): (name, kind, parent)
SUB_UNITS = [("Jiefang Road Street Office", "street", "Eastern District")]
CATEGORIES = ["Housing", "Transport", "Environment", "Public safety", "Education", "Health", "Utilities",
              "Social security"]
# Names in the other languages, the tree below the top categories, and routing: (name, zh, es, parent, unit, days)
CATEGORY_TREE = [
    ("Housing", "住房", "Vivienda", None, "Housing and Urban-Rural Development Bureau", None),
    ("Transport", "交通", "Transporte", None, "Transport Bureau", None),
    ("Environment", "环境保护", "Medio ambiente", None, "Ecology and Environment Bureau", None),
    ("Public safety", "公共安全", "Seguridad pública", None, None, None),
    ("Education", "教育", "Educación", None, None, None),
    ("Health", "卫生健康", "Salud", None, None, None),
    ("Utilities", "水电气暖", "Suministros", None, None, None),
    ("Social security", "社会保障", "Seguridad social", None, None, None),
    ("Public transport", "公交", "Transporte público", "Transport", None, None),
    ("Bus stop facilities", "站台设施", "Paradas de autobús", "Public transport", None, 5),
    ("Construction noise", "施工噪音", "Ruido de obras", "Environment", None, 5),
]
UNIT_NAMES = {"Housing and Urban-Rural Development Bureau": ("住房和城乡建设局", "Oficina de Vivienda y Desarrollo"),
              "Transport Bureau": ("交通运输局", "Oficina de Transporte"),
              "Ecology and Environment Bureau": ("生态环境局", "Oficina de Ecología y Medio Ambiente"),
              "Eastern District": ("东区", "Distrito Este"), "Western District": ("西区", "Distrito Oeste"),
              "Riverside County": ("滨江县", "Condado Ribereño"),
              "Jiefang Road Street Office": ("解放路街道办事处", "Oficina de la Calle Jiefang")}
DEMO_USERS = [  # (user name, role, unit, password)
    ("clerk", "clerk", None, "clerk-demo-2026"),
    ("transport", "unit", "Transport Bureau", "unit-demo-2026"),
    ("housing", "unit", "Housing and Urban-Rural Development Bureau", "unit-demo-2026"),
    ("eastern", "unit", "Eastern District", "unit-demo-2026"),
    ("jiefang", "unit", "Jiefang Road Street Office", "unit-demo-2026"),
    ("supervisor", "supervisor", None, "supervisor-demo-2026"),
    ("admin", "admin", None, "admin-demo-2026"),
]
LETTERS = [
    (Channel.WEB, "report", "Street light broken on Jiefang Road", "The street light in front of No. 12 Jiefang "
     "Road has been dark for two weeks. It is dangerous at night.", "Li Hua", "lihua@example.org"),
    (Channel.WEB, "complaint", "小区夜间施工噪音扰民", "我住在幸福小区3号楼，附近工地每天晚上十一点以后还在施工，"
     "噪音很大，影响休息，希望有关部门尽快处理。", "王芳", "wangfang@example.org"),
    (Channel.WEB, "suggestion", "Más autobuses en la línea 5", "Por la mañana la línea 5 va siempre llena. "
     "Propongo aumentar la frecuencia entre las 7 y las 9.", "María García", "maria@example.org"),
    (Channel.PHONE, "help", "Heating not working in public housing", "Caller says the heating in building 4 of "
     "the Eastern District public housing has not worked since Monday; elderly residents affected.", "Zhang Wei", ""),
]

ARTICLES = [  # (language, category, unit, question, answer, source, review in days)
    ("zh", "Transport", "Transport Bureau", "公交卡（市民卡）怎么办理？",
     "携带本人身份证到任一公交服务网点或地铁客服中心办理，押金20元，当场取卡。60岁以上老人可办理免费乘车的老年卡。",
     "https://transport.example.gov/bus-card", 20),
    ("en", "Housing", "Housing and Urban-Rural Development Bureau",
     "Which documents do I need to apply for public rental housing?",
     "Bring your ID card, household register, proof of income for the last 12 months and a signed statement that "
     "you own no housing in the city. Apply at your district housing office; the answer comes within 20 working "
     "days.", "Public Rental Housing Rules, art. 8", 90),
    ("es", "Transport", "Transport Bureau", "¿Cómo solicito la tarjeta de autobús gratuita para mayores?",
     "Las personas mayores de 60 años la solicitan en cualquier oficina de atención del transporte público con su "
     "documento de identidad y una foto. La tarjeta se entrega en el acto.", "https://transport.example.gov/mayores",
     200),
    ("zh", "Environment", "Ecology and Environment Bureau", "夜间施工噪音可以向哪里反映？",
     "晚上十点至次日六点禁止产生噪音的施工作业（抢修、抢险除外）。可拨打12345或生态环境局举报电话，工作人员将到场核查。",
     "《环境噪声污染防治条例》第二十条", 120),
]


def _load_category_tree(session: Session) -> None:
    for unit in session.scalars(select(Unit)):
        unit.name_zh, unit.name_es = UNIT_NAMES.get(unit.name, ("", ""))
    for name, _zh, _es, _parent, _unit, _days in CATEGORY_TREE:
        if name not in CATEGORIES:
            admin.add_category(session, name)
    session.flush()
    ids = dict(session.execute(select(Category.name, Category.id)).all())
    units = dict(session.execute(select(Unit.name, Unit.id)).all())
    for name, zh, es, parent, unit, days in CATEGORY_TREE:
        categories.update(session, ids[name], parent_id=ids.get(parent) if parent else None,
                          unit_id=units.get(unit) if unit else None, answer_days=days, name_zh=zh, name_es=es)


def _load_articles(session: Session, policy: Policy) -> None:
    office = _actor(session, "admin")
    today = policy.today()
    for lang, category, unit, question, answer, source, review in ARTICLES:
        draft = knowledge.ArticleDraft(
            question=question, answer=answer, lang=lang, source=source, review_date=today + timedelta(days=review),
            category_id=session.scalar(select(Category.id).where(Category.name == category)))
        row = knowledge.propose(session, office, draft, unit_id=session.scalar(select(Unit.id).where(
            Unit.name == unit)))
        knowledge.decide(session, office, row.id, True, "demo article")


def load(session: Session, policy: Policy, hasher: accounts.PasswordHasher) -> list[tuple[str, str, str]]:
    """Load the demo once (nothing happens when units exist already); returns the demo log-ins."""
    logins = [(name, role, password) for name, role, _unit, password in DEMO_USERS]
    if session.scalar(select(Unit.id).limit(1)) is not None:
        return logins
    for name, kind in UNITS:
        admin.add_unit(session, name=name, kind=kind, email=f"{name.split()[0].lower()}@units.example.org")
    session.flush()
    for name, kind, parent in SUB_UNITS:
        admin.add_unit(session, name=name, kind=kind, parent_id=session.scalar(select(Unit.id).where(
            Unit.name == parent)), email=f"{name.split()[0].lower()}@units.example.org")
    for name in CATEGORIES:
        admin.add_category(session, name)
    _load_category_tree(session)
    session.flush()
    for name, role, unit, password in DEMO_USERS:
        accounts.create_user(session, hasher, username=name, password=password, role=role, unit_name=unit,
                             display_name=name.title(), email=f"{name}@office.example.org")
    session.flush()
    _load_articles(session, policy)
    clerk = _actor(session, "clerk")
    transport = session.scalar(select(Unit).where(Unit.name == "Transport Bureau"))
    cases = []
    for channel, kind, subject, body, name, email in LETTERS:
        draft = LetterDraft(channel=channel, kind=kind, subject=subject, body=body, sender_name=name,
                            sender_email=email, sender_phone="13800000000" if not email else "")
        cases.append(intake.receive(session, policy, draft).case)
    session.flush()
    transport_category = session.scalar(select(Category.id).where(Category.name == "Transport"))
    services.register(session, policy, cases[0], clerk, category_id=transport_category)
    services.dispatch(session, policy, cases[0], clerk, transport.id, "Please check the light.")
    services.register(session, policy, cases[2], clerk,
                      category_id=session.scalar(select(Category.id).where(Category.name == "Public transport")))
    services.dispatch(session, policy, cases[2], clerk, transport.id)
    services.accept(session, policy, cases[2], _actor(session, "transport"))
    _load_shared_case(session, policy, cases[3])
    return logins


def _load_shared_case(session: Session, policy: Policy, case: Case) -> None:
    """The heating case: the Eastern District leads, the Housing Bureau co-handles (协办), and the district passes
    it down to its Jiefang Road Street Office (二级派单)."""
    units = dict(session.execute(select(Unit.name, Unit.id)).all())
    services.register(session, policy, case, _actor(session, "clerk"), category_id=session.scalar(
        select(Category.id).where(Category.name == "Housing")))
    services.dispatch(session, policy, case, _actor(session, "clerk"), units["Eastern District"],
                      "Elderly residents affected: please check today.",
                      co_unit_ids=[units["Housing and Urban-Rural Development Bureau"]])
    services.accept(session, policy, case, _actor(session, "eastern"))
    levels.pass_down(session, policy, case, _actor(session, "eastern"), units["Jiefang Road Street Office"],
                     "Visit building 4 and report what the residents need.", case.due_date)


def _actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)
