"""The public letter form page: its blank fields are rendered once per language, its token per visitor."""
from __future__ import annotations

import re

from tests.conftest import csrf_token
from tests.helpers.web_forms import letter_form

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def _fields(html: str) -> str:
    """The form without its token and submission key: what every visitor of one language gets."""
    form = html[html.index("<form method=\"post\" enctype"):html.index("</form>", html.index("letter-form"))]
    return KEY.sub("", TOKEN.sub("", form))


def test_each_language_gets_its_own_labels_and_returning_to_one_gives_it_back(app, client) -> None:  # type: ignore[no-untyped-def]
    labels = {"en": "Your letter", "zh": "来信内容", "es": "Su carta"}
    pages = {}
    for lang in ("en", "zh", "es", "en", "zh"):
        html = client.get("/write", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert labels[lang] in html
        assert all(other not in html for code, other in labels.items() if code != lang)
        pages.setdefault(lang, []).append(_fields(html))
    assert pages["en"][0] == pages["en"][1] and pages["zh"][0] == pages["zh"][1]


def test_every_visitor_gets_a_token_of_their_own_that_posts_the_letter(app_factory) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(WTF_CSRF_ENABLED=True)
    first, second = app.test_client(), app.test_client()
    page_a, page_b = (c.get("/write").get_data(as_text=True) for c in (first, second))
    assert TOKEN.search(page_a).group(1) != TOKEN.search(page_b).group(1)
    assert _fields(page_a) == _fields(page_b)
    token_b = TOKEN.search(page_b).group(1)
    response = first.post("/write", data=letter_form(csrf_token=token_b), content_type="multipart/form-data")
    assert response.status_code == 400  # another visitor's token is refused
    response = second.post("/write", data=letter_form(csrf_token=token_b), content_type="multipart/form-data")
    assert response.status_code == 302


def test_a_refused_letter_keeps_what_was_typed_and_the_next_blank_form_stays_blank(app_factory) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    blank = _fields(client.get("/write").get_data(as_text=True))
    token = csrf_token(client, "/write")
    response = client.post("/write", data=letter_form(csrf_token=token, subject="", body="Kept <b>text</b> here"),
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kept &lt;b&gt;text&lt;/b&gt; here" in html  # typed text comes back, escaped
    assert 'class="field has-error"' in html
    again = _fields(client.get("/write").get_data(as_text=True))
    assert again == blank and "Kept" not in again and "has-error" not in again


def test_the_same_letter_sent_twice_is_two_cases_each_with_its_own_stored_post(app, client) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from cases.models import Letter
    from tests.helpers.web_forms import submit_letter
    from web.app_state import state

    first, _ = submit_letter(client)
    second, _ = submit_letter(client)
    assert first != second
    with state(app).sessions() as s:
        raws = s.scalars(select(Letter.raw_sha256).where(Letter.subject == "Broken pavement")).all()
    assert len(raws) == 2 and len(set(raws)) == 2
    assert all(state(app).policy.store.exists(raw) for raw in raws)


def test_each_visitor_sees_their_own_case_on_the_confirmation(app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from cases.models import Case
    from tests.helpers.web_forms import submit_letter
    from web.app_state import state

    seen = []
    for lang in ("en", "zh", "en"):
        visitor = app.test_client()
        visitor.get("/write", headers={"Accept-Language": lang})
        number, code = submit_letter(visitor)
        page = visitor.get("/write/sent", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert f"/track?number={number}&amp;code={code}" in page
        seen.append((number, code))
    assert len(set(seen)) == 3
    with state(app).sessions() as s:
        stored = {row.number: row.tracking_code for row in s.execute(select(Case.number, Case.tracking_code))}
    assert all(stored[number] == code for number, code in seen)


def test_staff_get_their_own_page_frame_on_the_letter_form(app, client, demo_data) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import login

    anonymous = app.test_client().get("/write").get_data(as_text=True)
    login(client, "clerk")
    staff = client.get("/write").get_data(as_text=True)
    again = app.test_client().get("/write").get_data(as_text=True)
    assert "Log out" in staff and "Staff log-in" not in staff
    assert "Log out" not in anonymous and "Log out" not in again and "Staff log-in" in again
    assert _fields(staff) == _fields(anonymous)


def test_every_rendered_form_has_its_own_key_and_sending_it_twice_opens_one_case(app_factory) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from cases.models import Case
    from web.app_state import state

    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    pages = [client.get("/write", headers={"Accept-Language": lang}).get_data(as_text=True)
             for lang in ("en", "en", "zh")]  # the second and third come from the page cache
    keys = [KEY.search(page).group(1) for page in pages]
    assert len(set(keys)) == 3 and all(len(key) >= 16 for key in keys)
    form = letter_form(csrf_token=TOKEN.search(pages[1]).group(1), submission_key=keys[1])
    # The first answer is lost on the way (the citizen never sees it) and the same form is sent again.
    first = client.post("/write", data=dict(form), content_type="multipart/form-data")
    again = client.post("/write", data=dict(form), content_type="multipart/form-data")
    assert first.status_code == again.status_code == 302
    page = client.get("/write/sent").get_data(as_text=True)
    with state(app).sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
        number = s.scalar(select(Case.number))
    assert f'id="case-number">{number}<' in page
    # Another rendered form is another letter.
    other = letter_form(csrf_token=TOKEN.search(pages[2]).group(1), submission_key=keys[2])
    assert client.post("/write", data=other, content_type="multipart/form-data").status_code == 302
    with state(app).sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 2


def test_a_refused_letter_keeps_its_key(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    key = KEY.search(client.get("/write").get_data(as_text=True)).group(1)
    response = client.post("/write", data=letter_form(subject="", submission_key=key),
                           content_type="multipart/form-data")
    assert response.status_code == 400 and KEY.search(response.get_data(as_text=True)).group(1) == key


def test_the_phone_desk_saves_a_call_sent_twice_once(app, client, demo_data) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from cases.models import Case
    from tests.conftest import login
    from web.app_state import state

    login(client, "clerk")
    page = client.get("/desk/phone").get_data(as_text=True)
    key = KEY.search(page).group(1)
    assert key != KEY.search(client.get("/desk/phone").get_data(as_text=True)).group(1)
    with state(app).sessions() as s:
        before = s.scalar(select(func.count()).select_from(Case))
    call = {"caller": "Li Wei", "phone": "+86 10 1234 5678", "kind": "report", "category": "0",
            "summary": "Street light out on Pine Road", "submission_key": key}
    first = client.post("/desk/phone", data=call)
    again = client.post("/desk/phone", data=call)
    assert first.status_code == again.status_code == 302 and first.location == again.location
    with state(app).sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == before + 1

