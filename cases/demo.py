"""Demo data: units, categories, one user per role and a few cases in different states."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import accounts, admin, intake, services
from cases.context import Actor, Policy
from cases.drafts import Channel, LetterDraft
from cases.models import Unit, User

UNITS = [("Housing and Urban-Rural Development Bureau", "department"), ("Transport Bureau", "department"),
         ("Ecology and Environment Bureau", "department"), ("Eastern District", "district"),
         ("Western District", "district"), ("Riverside County", "county")]
CATEGORIES = ["Housing", "Transport", "Environment", "Public safety", "Education", "Health", "Utilities",
              "Social security"]
DEMO_USERS = [  # (user name, role, unit, password)
    ("clerk", "clerk", None, "clerk-demo-2026"),
    ("transport", "unit", "Transport Bureau", "unit-demo-2026"),
    ("housing", "unit", "Housing and Urban-Rural Development Bureau", "unit-demo-2026"),
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


def load(session: Session, policy: Policy, hasher: accounts.PasswordHasher) -> list[tuple[str, str, str]]:
    """Load the demo once (nothing happens when units exist already); returns the demo log-ins."""
    logins = [(name, role, password) for name, role, _unit, password in DEMO_USERS]
    if session.scalar(select(Unit.id).limit(1)) is not None:
        return logins
    for name, kind in UNITS:
        admin.add_unit(session, name=name, kind=kind, email=f"{name.split()[0].lower()}@units.example.org")
    for name in CATEGORIES:
        admin.add_category(session, name)
    session.flush()
    for name, role, unit, password in DEMO_USERS:
        accounts.create_user(session, hasher, username=name, password=password, role=role, unit_name=unit,
                             display_name=name.title(), email=f"{name}@office.example.org")
    session.flush()
    clerk = _actor(session, "clerk")
    transport = session.scalar(select(Unit).where(Unit.name == "Transport Bureau"))
    cases = []
    for channel, kind, subject, body, name, email in LETTERS:
        draft = LetterDraft(channel=channel, kind=kind, subject=subject, body=body, sender_name=name,
                            sender_email=email, sender_phone="13800000000" if not email else "")
        cases.append(intake.receive(session, policy, draft).case)
    session.flush()
    services.register(session, policy, cases[0], clerk)
    services.dispatch(session, policy, cases[0], clerk, transport.id, "Please check the light.")
    services.register(session, policy, cases[2], clerk)
    services.dispatch(session, policy, cases[2], clerk, transport.id)
    services.accept(session, policy, cases[2], _actor(session, "transport"))
    return logins


def _actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user_id=user.id, role=user.role.value, unit_id=user.unit_id, name=user.display_name)
