"""Public pages, no log-in: write to the mayor, confirmation, tracking and rating."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from cases import new_cases, queries, services
from cases.context import CITIZEN
from cases.drafts import Channel, LetterDraft
from cases.errors import CaseError, NotFound
from cases.sniff import UPLOAD_TYPES
from web.extensions import limiter
from web.forms_common import attachment_drafts
from web.jobs import kick
from web.public.forms import LetterForm, RatingForm, TrackForm
from web.public.page_cache import cached_page
from web.state import db, policy, state

bp = Blueprint("public", __name__)


def _letter_limit() -> str:
    return current_app.config["LETTER_RATE_LIMIT"]


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


@bp.route("/")
def index() -> str:
    return render_template("pages/public/index.html")


def _draft_from_form(form: LetterForm) -> LetterDraft:
    # The post is stored as it came, before anything is derived from it (nothing is lost, even on a bug below).
    raw = {name: field.data for name, field in form._fields.items()
           if name not in {"attachments", "csrf_token", "submit"}}
    raw["_received"] = datetime.now(timezone.utc).isoformat()
    raw["_address"] = request.remote_addr
    raw_sha = policy().store.put(json.dumps(raw, ensure_ascii=False, sort_keys=True).encode())
    return LetterDraft(channel=Channel.WEB, subject=form.subject.data, body=form.body.data,
                       sender_name=form.name.data, sender_email=form.email.data or "",
                       sender_phone=form.phone.data or "", sender_address=form.address.data or "",
                       preferred_reply=form.preferred_reply.data, kind=form.kind.data,
                       consent_to_publish=bool(form.consent.data), attachments=attachment_drafts(form.attachments),
                       raw_sha256=raw_sha)


def blank_letter_fields(form: LetterForm) -> Markup:
    """The blank letter form's fields (all but the CSRF token), rendered once per language in this process.

    They are the same for every visitor, and rendering them through the field widgets is most of the cost of the
    busiest page; the token, which differs per session, is rendered around them on every request."""
    cache: dict[str, Markup] = state().blank_letter_fields
    locale = str(get_locale())
    html = cache.get(locale)
    if html is None:
        html = cache[locale] = Markup(render_template("pages/public/_letter_fields.html", form=form))
    return html


@bp.route("/write", methods=["GET", "POST"])
@limiter.limit(_letter_limit, methods=["POST"])
def write() -> str | Response:
    if request.method == "GET":
        return cached_page(_blank_letter_page)
    form = LetterForm()
    if form.validate_on_submit():
        # A web letter answers no earlier case, and its stored post carries its moment of arrival (no earlier
        # letter has the same raw bytes): always a new case.
        case = new_cases.open_case(db(), policy(), _draft_from_form(form), actor=CITIZEN,
                                   allowed_types=UPLOAD_TYPES)
        db().commit()
        kick()
        session["sent_case"] = {"number": case.number, "code": case.tracking_code}
        return redirect(url_for("public.confirm"))
    return render_template("pages/public/write.html", form=form), 400


@bp.route("/write/sent")
def confirm() -> str | Response:
    sent = session.get("sent_case")
    if not sent:
        return redirect(url_for("public.write"))
    return cached_page(_confirmation_page, number=str(sent.get("number", "")), code=str(sent.get("code", "")))


def _blank_letter_page() -> str:
    form = LetterForm()
    return render_template("pages/public/write.html", form=form, fields_html=blank_letter_fields(form))


def _confirmation_page(number: str, code: str) -> str:
    return render_template("pages/public/confirm.html", sent={"number": number, "code": code})


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_track_limit)
def track() -> tuple[str, int] | str:
    form = TrackForm(request.form if request.method == "POST" else request.args, meta={"csrf": False})
    if not (form.number.data or form.code.data):
        return render_template("pages/public/track.html", form=form, case=None)
    try:
        case = queries.track(db(), form.number.data or "", form.code.data or "") if form.validate() else None
    except NotFound:
        case = None
    if case is None:
        flash(_("No case matches this number and tracking code."), "error")
        return render_template("pages/public/track.html", form=form, case=None), 404
    rating = RatingForm(number=case.number, code=case.tracking_code)
    return render_template("pages/public/track.html", form=form, case=case, rating=rating)


@bp.route("/track/rate", methods=["POST"])
@limiter.limit(_track_limit)
def rate() -> Response | tuple[str, int]:
    form = RatingForm()
    if not form.validate_on_submit():
        flash(_("Choose how satisfied you are."), "error")
        return redirect(url_for("public.track", number=form.number.data, code=form.code.data))
    try:
        case = queries.track(db(), form.number.data, form.code.data)
        services.collect_rating(db(), policy(), case, CITIZEN, form.satisfaction.data, form.comment.data or "")
        db().commit()
        kick()
        flash(_("Thank you for your rating."), "success")
    except NotFound:
        return render_template("pages/error.html", code=404, message=_("No such case.")), 404
    except CaseError as err:
        db().rollback()
        flash(str(err), "error")
    return redirect(url_for("public.track", number=form.number.data, code=form.code.data))
