"""The clerks' scan pages: upload, the job's progress, the review screen, page images, registering a letter."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cases import audit, scans, texts
from cases.errors import N_, CaseError, NotFound
from cases.models import Case
from cases.models_scans import ScanItem
from cases.sniff import PDF
from web.auth import current_actor, role_required
from web.domain_text import say
from web.downloads import download
from web.form_fields import category_choices
from web.tasks.queue import kick
from web.privacy.access import log_access
from web.scans.forms import ReviewForm, UploadForm, uploaded
from web.tasks.scans import queue_batch
from web.app_state import db, policy

bp = Blueprint("scans", __name__, url_prefix="/scans")
DESK_ROLES = ("clerk", "supervisor", "admin")


def _threshold() -> float:
    return float(current_app.config["OCR_LOW_CONFIDENCE"])


@bp.route("/", methods=["GET", "POST"])
@role_required(*DESK_ROLES)
def index() -> str | Response | tuple[str, int]:
    form = UploadForm()
    if form.validate_on_submit():
        files = [(f.filename or "scan", f.read()) for f in uploaded(form.files)]
        # Stored first, then queued: the request never parses the files itself.
        batch = scans.create_batch(db(), policy(), files, mode=form.mode.data, created_by=current_actor().user_id)
        batch_id = batch.id
        db().commit()
        db().close()  # no transaction of ours may stay open while a job runs (inline in tests, SQLite locks)
        queue_batch(current_app, batch_id)
        flash(_("%(n)s file(s) stored; reading them in the background.", n=len(files)), "success")
        return redirect(url_for("scans.batch", batch_id=batch_id))
    status = 400 if form.is_submitted() else 200
    return render_template("pages/scans/index.html", form=form, items=scans.items_to_review(db()),
                           batches=scans.recent_batches(db()), threshold=_threshold()), status


@bp.route("/batches/<int:batch_id>")
@role_required(*DESK_ROLES)
def batch(batch_id: int) -> str:
    try:
        found = scans.get_batch(db(), batch_id)
    except NotFound:
        abort(404)
    return render_template("pages/scans/batch.html", batch=found, threshold=_threshold(),
                           running=found.status in ("queued", "running"))


@bp.route("/batches/<int:batch_id>/rerun", methods=["POST"])
@role_required(*DESK_ROLES)
def rerun(batch_id: int) -> Response:
    try:
        found = scans.get_batch(db(), batch_id)
    except NotFound:
        abort(404)
    if found.status == "failed":  # a queued or stuck batch is the sweep's (it claims, so it never runs twice)
        scans.requeue(db(), found)
        db().commit()
        db().close()
        queue_batch(current_app, batch_id)
        flash(_("Reading the files again."), "success")
    return redirect(url_for("scans.batch", batch_id=batch_id))


def _item(item_id: int) -> ScanItem:
    try:
        return scans.get_item(db(), item_id)
    except NotFound:
        abort(404)


def _first_line(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@role_required(*DESK_ROLES)
def review(item_id: int) -> str | Response | tuple[str, int]:
    item = _item(item_id)
    if item.status == "registered" and item.case_id:
        case = db().get(Case, item.case_id)
        flash(_("This letter is already case %(number)s.", number=case.number), "info")
        return redirect(url_for("casepage.show", number=case.number))
    if item.status != "review":
        abort(404)
    form = _review_form(item)
    if form.validate_on_submit():
        number = _register(item, form)
        if number:
            flash(_("Registered as case %(number)s.", number=number), "success")
            return redirect(url_for("casepage.show", number=number))
    return render_template("pages/scans/review.html", item=item, form=form, threshold=_threshold()), \
        400 if form.is_submitted() else 200


def _review_form(item: ScanItem) -> ReviewForm:
    """The review form, filled from what was read on the pages (or from the post)."""
    form = ReviewForm(data=None if request.method == "POST" else {
        "subject": _first_line(item.text), "text": item.text, "sender_name": item.sender_name,
        "sender_address": item.sender_address, "kind": "consultation", "category": 0})
    form.category.choices = category_choices()
    return form


def _register(item: ScanItem, form: ReviewForm) -> str | None:
    """Register the reviewed letter; its case number, or None with the reason flashed."""
    try:
        case = scans.register(db(), policy(), item, current_actor(), subject=form.subject.data,
                              body=form.text.data, kind=form.kind.data, category_id=form.category.data or None,
                              urgent=form.urgent.data, sender_name=form.sender_name.data or "",
                              sender_address=form.sender_address.data or "",
                              sender_phone=form.sender_phone.data or "",
                              sender_email=form.sender_email.data or "")
    except CaseError as err:
        db().rollback()
        flash(say(err), "error")
        return None
    number = case.number
    db().commit()
    kick()
    return number


@bp.route("/items/<int:item_id>/pages/<int:number>.png")
@role_required(*DESK_ROLES)
def page_image(item_id: int, number: int) -> Response:
    item = _item(item_id)
    try:
        data = policy().store.get(scans.page_image(item, number))
    except (NotFound, FileNotFoundError):
        abort(404)
    log_access(audit.DOWNLOAD_SCAN, target=texts.text(N_("scan %(id)s page %(page)s"), id=item.id, page=number))
    response = Response(data, mimetype="image/png")
    # Content-addressed and personal: cache in the clerk's browser only.
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/items/<int:item_id>/searchable.pdf")
@role_required(*DESK_ROLES)
def searchable(item_id: int) -> Response:
    item = _item(item_id)
    if not item.pdf_sha:
        abort(404)
    try:
        data = policy().store.get(item.pdf_sha)
    except FileNotFoundError:
        abort(404)
    log_access(audit.DOWNLOAD_SCAN, target=texts.text(N_("scan %(id)s searchable PDF"), id=item.id))
    return download(data, f"scan-{item.id}-searchable", content_type=PDF)
