"""Public pages, no log-in: write to the mayor, confirmation, tracking and rating."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from cases import queries, services, submissions
from cases.actors import CITIZEN
from cases.errors import CaseError, NotFound
from cases.outages import DATABASE, outage_of
from cases.sniff import LETTER_TYPES
from web.domain_text import say
from web.downloads import download
from web.errors import outage_page
from web.extensions import limiter
from web.tasks.queue import kick
from web.public import posts
from web.public.forms import LetterForm, RatingForm, TrackForm
from web.public.page_cache import cached_page
from web.app_state import db, policy, state

bp = Blueprint("public", __name__)


def _letter_limit() -> str:
    return current_app.config["LETTER_RATE_LIMIT"]


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


@bp.route("/")
def index() -> str:
    return render_template("pages/public/index.html")


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
def write() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return cached_page(_blank_letter_page, submission_key=submissions.new_key())
    form = LetterForm()
    if not form.validate_on_submit():
        form.submission_key.data = form.submission_key.data or submissions.new_key()
        return render_template("pages/public/write.html", form=form), 400
    key = form.submission_key.data or None
    draft = posts.posted_letter(form)
    try:
        case, _new = submissions.open_submitted(db(), policy(), draft, key, actor=CITIZEN,
                                                allowed_types=LETTER_TYPES)
        db().commit()
    except Exception as err:
        if outage_of(err) != DATABASE or not key:
            raise
        posts.keep(key, draft.raw_sha256, draft)  # in the spool: the worker registers it when the database is back
        return outage_page(DATABASE, kept=True)
    kick()
    session["sent_case"] = {"number": case.number, "code": case.tracking_code}
    return redirect(url_for("public.confirm"))


@bp.route("/write/sent")
def confirm() -> str | Response:
    sent = session.get("sent_case")
    if not sent:
        return redirect(url_for("public.write"))
    return cached_page(_confirmation_page, number=str(sent.get("number", "")), code=str(sent.get("code", "")))


def _blank_letter_page(submission_key: str) -> str:
    form = LetterForm()
    form.submission_key.data = submission_key  # one per rendered form: filled in per request by cached_page
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
        flash(say(err), "error")
    return redirect(url_for("public.track", number=form.number.data, code=form.code.data))


@bp.route("/track/<number>/files/<int:attachment_id>")
@limiter.limit(_track_limit)
def track_file(number: str, attachment_id: int) -> Response:
    """A file the citizen sent with their letter, for whoever holds the case's number and tracking code."""
    try:
        case = queries.track(db(), number, request.args.get("code", ""))
    except NotFound:
        abort(404)
    first = case.letters[0].id if case.letters else None
    item = next((a for a in case.attachments if a.id == attachment_id and a.letter_id == first), None)
    if item is None or first is None:
        abort(404)
    try:
        data = policy().store.get(item.sha256)
    except FileNotFoundError:  # erased with the citizen's data
        abort(404)
    return download(data, f"{case.number}-file-{item.id}")
