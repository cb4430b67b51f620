"""The admin's letter template editor: validation before saving, versions, restore, previews, and drafts that
use the version in force."""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from cases import letters
from cases.errors import NotFound
from cases.models_letters import LetterTemplate
from tests.conftest import login
from tests.helpers.workflow import actor_for
from tests.helpers.reply_letters import answered_case, mail_app, pdf_text, reply_form
from reply_render import default_template, sample_context, validate_template
from web.app_state import state

EDIT = "/letters/templates/reply/en"
GOOD = "Subject: Our answer ({{ case_number }})\nDear {{ citizen_name }},\n\n{{ unit_feedback }}\n\nMARKER-{0}\n"


def marked(marker: object) -> str:
    return GOOD.replace("{0}", str(marker))


BAD = {
    "unknown placeholder": ("Subject: x\nDear {{ secret_key }},\nbody", "secret_key"),
    "attribute escape": ("Subject: x\n{{ citizen_name.__class__.__mro__[1].__subclasses__() }}\nbody", "not allowed"),
    "config escape": ("Subject: x\n{{ config.SECRET_KEY }}{{ self._TemplateReference__context }}\nbody", ""),
    "syntax error": ("Subject: x\n{% if %}\nbody", "syntax error"),
    "no subject": ("Dear {{ citizen_name }},\nbody", "Subject:"),
    # Forty copies of a long text held in variables: small output, much memory; refused by the render budget.
    "too much text": ('Subject: x\n{% set a = "xxxxxxxxxx" %}' + "{% set a = a ~ a %}" * 14
                      + "".join(f'{{% set b{i} = a ~ "" %}}' for i in range(40)) + "Dear {{ citizen_name }}",
                      "builds more than"),
}


@pytest.fixture
def app(app_factory: Any, smtp_server: Any) -> Flask:
    return mail_app(app_factory, smtp_server)


def versions(app: Flask) -> list[tuple[int, bool]]:
    with state(app).sessions() as s:
        return [(t.version, t.active) for t in s.scalars(select(LetterTemplate).order_by(LetterTemplate.version))]


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_template_is_refused_with_the_error_beside_the_field(app: Flask, case: str) -> None:
    source, expected = BAD[case]
    admin = app.test_client()
    login(admin, "admin")
    response = admin.post(EDIT, data={"source": source, "submit": "Save new version"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">.*?</div>', html, re.S)
    assert field and 'name="source"' in field.group(0), html[:3000]
    errors = " ".join(re.findall(r'<span class="error" id="source-error">(.*?)</span>', html, re.S))
    assert errors and expected.replace("'", "&#39;") in errors
    assert versions(app) == []
    # The preview refuses it the same way: no PDF of a template that would fail a citizen.
    preview = admin.post(EDIT, data={"source": source, "preview": "Preview PDF"})
    assert preview.status_code == 400 and preview.mimetype == "text/html"


def test_every_save_is_a_new_version_and_drafts_use_the_active_one(app: Flask) -> None:
    admin = app.test_client()
    login(admin, "admin")
    listing = admin.get("/letters/templates").get_data(as_text=True)
    assert 'id="edit-reply-en"' in listing and "default" in listing
    assert default_template("reply", "en") in re.sub(r"&#34;|&quot;", '"', admin.get(EDIT).get_data(as_text=True))
    for n in (1, 2):
        response = admin.post(EDIT, data={"source": marked(n), "note": f"change {n}", "submit": "Save"})
        assert response.status_code == 302
    assert versions(app) == [(1, False), (2, True)]
    # Saving the same text again adds nothing.
    admin.post(EDIT, data={"source": marked(2), "submit": "Save"})
    assert versions(app) == [(1, False), (2, True)]
    page = admin.get(EDIT).get_data(as_text=True)
    assert "MARKER-2" in page and "change 1" in page and 'id="version-1"' in page

    number = answered_case(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    draft = reply_form(clerk.get(f"/cases/{number}?lang=en").get_data(as_text=True))
    assert "MARKER-2" in draft["body"] and draft["subject"] == f"Our answer ({number})"

    with state(app).sessions() as s:
        first = s.scalar(select(LetterTemplate.id).where(LetterTemplate.version == 1))
    assert admin.post(f"/letters/templates/versions/{first}/restore", data={}).status_code == 302
    assert versions(app) == [(1, False), (2, False), (3, True)]
    draft = reply_form(clerk.get(f"/cases/{number}?lang=en").get_data(as_text=True))
    assert "MARKER-1" in draft["body"]
    assert clerk.post(f"/cases/{number}/reply", data=draft).status_code == 302
    with state(app).sessions() as s:
        from cases.models import Reply

        assert s.scalar(select(Reply.template).order_by(Reply.id.desc()).limit(1)) == "reply.en@v3"


def test_previews_are_pdfs_of_the_sample_letter(app: Flask) -> None:
    admin = app.test_client()
    login(admin, "admin")
    shipped = admin.get("/letters/templates/reply/zh/preview.pdf")
    assert shipped.status_code == 200 and shipped.mimetype == "application/pdf"
    assert "尊敬的" in pdf_text(shipped.data)
    draft = admin.post(EDIT, data={"source": marked("preview"), "preview": "Preview PDF"})
    assert draft.status_code == 200 and draft.mimetype == "application/pdf"
    assert "MARKER-preview" in pdf_text(draft.data) and versions(app) == []
    assert admin.get("/letters/templates/nonsense/en").status_code == 404
    assert admin.get("/letters/templates/reply/fr").status_code == 404


def test_domain_refuses_unvalidated_or_non_admin_saves(app: Flask) -> None:
    def validator(source: str) -> list[str]:
        return validate_template(source, sample_context("en"))

    with state(app).sessions() as s:
        admin, clerk = actor_for(s, "admin"), actor_for(s, "clerk")
        with pytest.raises(letters.TemplateProblems) as refused:
            letters.save_template(s, admin, "reply", "en", "Subject: x\n{{ nope }}", validator=validator)
        assert any("nope" in p for p in refused.value.problems)
        with pytest.raises(NotFound):
            letters.save_template(s, clerk, "reply", "en", marked(0), validator=validator)
        first = letters.save_template(s, admin, "reply", "es", marked(1), validator=validator)
        second = letters.save_template(s, admin, "reply", "es", marked(2), validator=validator)
        s.commit()
        assert (first.version, first.active, second.version, second.active) == (1, False, 2, True)
        assert letters.active_template(s, "reply", "es").id == second.id
        assert letters.active_template(s, "reply", "en") is None
        assert s.scalar(select(func.count()).select_from(LetterTemplate)) == 2


def test_language_guess() -> None:
    assert letters.guess_language(["小区夜间施工噪音扰民"]) == "zh"
    assert letters.guess_language(["Por la mañana la línea 5 va siempre llena."]) == "es"
    assert letters.guess_language(["The street light is broken."]) == "en"
    assert letters.guess_language(["12345", ""]) is None
