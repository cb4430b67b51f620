"""The domain's refusals reach a Chinese or Spanish user in their language, parameters filled in: an administrator
adding a unit whose name is taken and taking away their own role, a clerk answering a note of another case, a
supervisor supervising a case twice."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from cases.errors import N_, Code, TransitionError, ValidationError
from cases.models import Case, User
from cases.models_work import CaseNote
from tests.conftest import login
from web.app_state import state
from web.domain_text import say

EXPECTED = {
    "zh": {"unit_taken": "名为 Eastern District 的单位已存在。",
           "own_role": "您不能停用自己的账户，也不能取消自己的管理员角色。",
           "foreign_note": "您回复的备注不在此工单上。",
           "supervised": "该工单已在督办中。"},
    "es": {"unit_taken": "Ya existe una unidad llamada Eastern District.",
           "own_role": "No puede desactivarse a sí mismo ni quitarse su propio rol de administrador.",
           "foreign_note": "La nota que responde no está en este caso.",
           "supervised": "El caso ya está bajo supervisión."},
    "en": {"unit_taken": "A unit named Eastern District exists already.",
           "own_role": "You cannot deactivate yourself or take away your own administrator role.",
           "foreign_note": "The note you answer is not on this case.",
           "supervised": "The case is already under supervision."},
}


def _client(app: Flask, username: str, lang: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    assert client.post(f"/lang/{lang}", data={"next": "/"}).status_code == 302
    return client


def _numbers(app: Flask) -> list[str]:
    with state(app).sessions() as s:
        return list(s.scalars(select(Case.number).order_by(Case.id)))


@pytest.mark.parametrize("lang", ["zh", "es", "en"])
def test_domain_refusals_are_shown_in_the_readers_language(app: Flask, demo_data: object, lang: str) -> None:
    expected = {key: str(escape(text)) for key, text in EXPECTED[lang].items()}
    admin = _client(app, "admin", lang)
    taken = admin.post("/admin/units", data={"name": "Eastern District", "kind": "district", "parent": 0},
                       follow_redirects=True)
    assert expected["unit_taken"] in taken.get_data(as_text=True)

    with state(app).sessions() as s:
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
    own = admin.post(f"/admin/users/{admin_id}/role", data={"role": "clerk", "unit": ""})
    assert own.status_code == 400 and expected["own_role"] in own.get_data(as_text=True)

    first, second = _numbers(app)[:2]
    clerk = _client(app, "clerk", lang)
    assert clerk.post(f"/cases/{first}/notes", data={"body": "Call back tomorrow."}).status_code == 302
    with state(app).sessions() as s:
        note_id = s.scalar(select(CaseNote.id).order_by(CaseNote.id.desc()))
    foreign = clerk.post(f"/cases/{second}/notes", data={"body": "Same here.", "reply_to": str(note_id)})
    assert foreign.status_code == 400 and expected["foreign_note"] in foreign.get_data(as_text=True)

    supervisor = _client(app, "supervisor", lang)
    with state(app).sessions() as s:
        open_case = s.scalar(select(Case.number).where(Case.subject.like("Street light%")))
    path = f"/supervision/cases/{open_case}/supervise"
    assert supervisor.post(path, data={"note": "Answer this week.", "next": f"/cases/{open_case}"}).status_code == 302
    again = supervisor.post(path, data={"note": "Answer this week.", "next": f"/cases/{open_case}"},
                            follow_redirects=True)
    assert expected["supervised"] in again.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh", "状态为“已办结”的工单不能执行“派单”。"),
    ("es", "A un caso en estado «cerrado» no se le puede aplicar la acción «asignar»."),
])
def test_code_parameters_are_shown_by_their_labels(app: Flask, lang: str, expected: str) -> None:
    error = TransitionError(N_("A case that is %(status)s cannot be given the action “%(action)s”."),
                            status=Code("closed"), action=Code("dispatch"))
    assert str(error) == "A case that is closed cannot be given the action “dispatch”."
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert say(error) == expected
        # A message no catalog knows is shown as written, with its parameters.
        assert say(ValidationError("Unheard of: %(what)s.", what="x")) == "Unheard of: x."


SEARCH_REFUSALS = {
    "zh": ("“OR”后面不能跟排除词（-）；请去掉 OR 或减号", "没有可搜索的内容：请输入词语（不支持 * 和 ? 等通配符）"),
    "es": ("«OR» no puede ir seguido de un término excluido (-); quite el OR o el signo menos",
           "no hay nada que buscar: escriba algunas palabras (no se admiten comodines como * y ?)"),
    "en": ("'OR' cannot be followed by an excluded (-) term; remove the OR or the minus",
           "nothing to search for: type some words (wildcards such as * and ? are not supported)"),
}


@pytest.mark.parametrize("lang", ["zh", "es", "en"])
def test_a_query_the_search_refuses_is_explained_in_the_readers_language(app: Flask, demo_data: object,
                                                                       lang: str) -> None:
    clerk = _client(app, "clerk", lang)
    for query, expected in zip(("light OR -bridge", "* ?"), SEARCH_REFUSALS[lang]):
        page = clerk.get("/search/", query_string={"q": query})
        assert page.status_code == 400
        assert str(escape(expected)) in page.get_data(as_text=True), (lang, query)
