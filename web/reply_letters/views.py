"""Letter pages: the admin's template editor (versions, validation, PDF preview), the clerk's print queue,
reply PDFs for staff, the phone call script, and the supervisor's list of replies to approve."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask import session as web_session
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cases import audit, letters, queries, texts
from cases.errors import N_, CaseError, NotFound
from cases.models import Case, Reply
from cases.sniff import PDF
from cases.models_letters import AWAITING_APPROVAL, TO_CALL, LetterTemplate, PostalBatch
from web.auth import current_actor, role_required
from web.domain_text import say
from web.downloads import download
from web.tasks.queue import kick
from web.reply_letters import drafting, sending
from web.reply_letters.forms import CallForm, PrintedForm, PrintForm, RestoreForm, TemplateForm
from web.reply_letters.office import office_info
from web.privacy.access import log_access
from reply_render import (LANGUAGES, PURPOSES, LetterError, TemplateRejected, call_script, combine_pdfs,
                         placeholder_descriptions, sample_context, validate_template)
from reply_render.preview import preview_pdf
from web.app_state import db, policy

bp = Blueprint("letters", __name__, url_prefix="/letters")
DESK = ("clerk", "supervisor", "admin")


def _pdf(data: bytes, stem: str, *, inline: bool = False) -> Response:
    return download(data, stem, content_type=PDF, inline=inline)


def _validator(lang: str):  # type: ignore[no-untyped-def]
    return lambda source: validate_template(source, sample_context(lang))


def _known(purpose: str, lang: str) -> None:
    if purpose not in PURPOSES or lang not in LANGUAGES:
        abort(404)


# --- templates (administrators) --------------------------------------------------------------------------------

@bp.route("/templates")
@role_required("admin")
def templates() -> str:
    active = letters.active_templates(db())
    return render_template("pages/letters/templates.html", purposes=PURPOSES, languages=LANGUAGES, active=active)


@bp.route("/templates/<purpose>/<lang>", methods=["GET", "POST"])
@role_required("admin")
def edit(purpose: str, lang: str) -> str | Response | tuple[str, int]:
    _known(purpose, lang)
    form = TemplateForm()
    if not form.is_submitted():
        form.source.data = drafting.template_source(db(), purpose, lang)[0]
    if not form.validate_on_submit():
        return _edit_page(form, purpose, lang, 400 if form.is_submitted() else 200)
    source = form.source.data.replace("\r\n", "\n")
    if form.preview.data:
        pdf = _preview_or_problems(form, source, lang)
        if pdf is None:
            return _edit_page(form, purpose, lang, 400)
        return _pdf(pdf, f"preview-{purpose}-{lang}", inline=True)
    saved, status = _save_template(form, purpose, lang, source)
    if saved is None:
        return _edit_page(form, purpose, lang, status)
    flash(_("Saved as version %(version)s.", version=saved.version), "success")
    return redirect(url_for("letters.edit", purpose=purpose, lang=lang))


def _edit_page(form: TemplateForm, purpose: str, lang: str, status: int) -> tuple[str, int]:
    versions = letters.template_versions(db(), purpose, lang)
    return render_template("pages/letters/edit.html", form=form, purpose=purpose, lang=lang, versions=versions,
                           placeholders=placeholder_descriptions(), restore=RestoreForm()), status


def _preview_or_problems(form: TemplateForm, source: str, lang: str) -> bytes | None:
    """The preview PDF of ``source``; or None, its problems set as the source field's errors."""
    problems = validate_template(source, sample_context(lang))
    if not problems:
        try:
            return preview_pdf(source, lang=lang, office=office_info(current_app.config, lang))
        except (TemplateRejected, LetterError) as error:
            problems = getattr(error, "errors", None) or [str(error)]
    form.source.errors = list(problems)
    return None


def _save_template(form: TemplateForm, purpose: str, lang: str, source: str) -> tuple[LetterTemplate | None, int]:
    """Save ``source`` as the next version and commit: (the saved version, 200); or (None, the status) with the
    problems on the form or the refusal flashed."""
    try:
        saved = letters.save_template(db(), current_actor(), purpose, lang, source,
                                      validator=_validator(lang), note=form.note.data or "")
        log_access(audit.ADMIN_TEMPLATE, target=f"template {purpose}/{lang} v{saved.version}", commit=False)
        db().commit()
    except letters.TemplateProblems as error:
        db().rollback()
        form.source.errors = error.problems
        return None, 400
    except CaseError as error:
        db().rollback()
        flash(say(error), "error")
        return None, 409
    return saved, 200


@bp.route("/templates/<purpose>/<lang>/preview.pdf")
@role_required("admin")
def preview(purpose: str, lang: str) -> Response:
    _known(purpose, lang)
    source = drafting.template_source(db(), purpose, lang)[0]
    return _pdf(preview_pdf(source, lang=lang, office=office_info(current_app.config, lang)),
                f"preview-{purpose}-{lang}", inline=True)


@bp.route("/templates/versions/<int:template_id>/restore", methods=["POST"])
@role_required("admin")
def restore(template_id: int) -> Response:
    row = db().get(LetterTemplate, template_id)
    if row is None or not RestoreForm().validate_on_submit():
        abort(404 if row is None else 400)
    try:
        saved = letters.restore_template(db(), current_actor(), template_id, validator=_validator(row.lang))
        log_access(audit.ADMIN_TEMPLATE, target=f"template {row.purpose}/{row.lang} v{saved.version}",
                   data={"restored": template_id}, commit=False)
        db().commit()
        flash(_("Saved as version %(version)s.", version=saved.version), "success")
    except CaseError as error:
        db().rollback()
        flash(say(error), "error")
    return redirect(url_for("letters.edit", purpose=row.purpose, lang=row.lang))


# --- print today's post (desk) ---------------------------------------------------------------------------------

@bp.route("/post", methods=["GET", "POST"])
@role_required(*DESK)
def post() -> str | Response:
    """Step one: all waiting letters in one PDF, nothing marked yet; the clerk confirms the print on the next
    page. The run (letters and PDF) is kept in the clerk's session, so the confirmation posts exactly those."""
    form = PrintForm()
    if form.validate_on_submit():
        queue = letters.postal_queue(db())
        if not queue:
            flash(_("There are no letters to print."), "error")
            return redirect(url_for("letters.post"))
        try:
            pdfs = [sending.postal_pdf(reply) for reply in queue]
        except LetterError as error:
            flash(say(error), "error")
            return redirect(url_for("letters.post"))
        combined = combine_pdfs(pdfs, duplex=bool(current_app.config.get("LETTER_DUPLEX")))
        web_session[PRINT_RUN] = {"ids": [r.id for r in queue], "sha": policy().store.put(combined)}
        return redirect(url_for("letters.print_run"))
    batches = db().scalars(select(PostalBatch).order_by(PostalBatch.id.desc()).limit(20)).all()
    return render_template("pages/letters/post.html", queue=letters.postal_queue(db()), batches=batches, form=form)


PRINT_RUN = "postal_print_run"


@bp.route("/post/print", methods=["GET", "POST"])
@role_required(*DESK)
def print_run() -> str | Response:
    """Step two: the PDF to print, and the question whether the print went well. Only a yes marks the letters
    posted (each case gets its event); a no, or no answer, leaves them all in the queue."""
    run = web_session.get(PRINT_RUN)
    if not run:
        return redirect(url_for("letters.post"))
    form = PrintedForm()
    if form.validate_on_submit():
        web_session.pop(PRINT_RUN, None)
        if not form.confirm.data:
            flash(_("Nothing was marked as posted; the letters are still waiting."), "info")
            return redirect(url_for("letters.post"))
        try:
            batch = letters.record_postal_batch(db(), current_actor(), run["ids"], run["sha"])
            db().commit()
        except CaseError as error:
            db().rollback()
            flash(say(error), "error")
            return redirect(url_for("letters.post"))
        flash(_("%(n)s letters marked as posted.", n=batch.count), "success")
        return redirect(url_for("letters.post"))
    return render_template("pages/letters/print.html", count=len(run["ids"]), form=form)


@bp.route("/post/print.pdf")
@role_required(*DESK)
def print_run_pdf() -> Response:
    run = web_session.get(PRINT_RUN)
    if not run:
        abort(404)
    log_access(audit.DOWNLOAD_POST, target=texts.text(N_("postal print run")))
    return _pdf(policy().store.get(run["sha"]), "post-to-print")


@bp.route("/post/batches/<int:batch_id>.pdf")
@role_required(*DESK)
def batch_pdf(batch_id: int) -> Response:
    batch = db().get(PostalBatch, batch_id)
    if batch is None:
        abort(404)
    try:
        data = policy().store.get(batch.pdf_sha256)
    except FileNotFoundError:  # erased with a citizen's data
        abort(404)
    log_access(audit.DOWNLOAD_POST, target=texts.text(N_("postal batch %(id)s"), id=batch.id))
    return _pdf(data, f"post-{batch.created_at:%Y-%m-%d}-{batch.id}")


# --- one reply (desk) ------------------------------------------------------------------------------------------

def _case_reply(number: str, reply_id: int) -> tuple[Case, Reply]:
    try:
        case = queries.get_case(db(), current_actor(), number)
        return case, letters.find_reply(case, reply_id)
    except NotFound:
        abort(404)


@bp.route("/cases/<number>/replies/<int:reply_id>.pdf")
@role_required(*DESK)
def reply_pdf(number: str, reply_id: int) -> Response:
    _case, reply = _case_reply(number, reply_id)
    if reply.channel != "post" or not reply.pdf_sha256:
        abort(404)
    try:
        data = policy().store.get(reply.pdf_sha256)
    except FileNotFoundError:
        abort(404)
    log_access(audit.DOWNLOAD_REPLY, case_number=number, target=texts.text(N_("reply %(id)s"), id=reply.id))
    return _pdf(data, f"reply-{number}-{reply.id}")


@bp.route("/cases/<number>/replies/<int:reply_id>/call", methods=["GET", "POST"])
@role_required(*DESK)
def call(number: str, reply_id: int) -> str | Response | tuple[str, int]:
    case, reply = _case_reply(number, reply_id)
    if reply.channel != "phone":
        abort(404)
    form = CallForm()
    if form.validate_on_submit() and _record_call(case, reply, form.outcome.data):
        return redirect(url_for("casepage.show", number=number))
    return render_template("pages/letters/call.html", case=case, reply=reply, script=_call_script(case, reply),
                           form=form, open=reply.status == TO_CALL), 400 if form.is_submitted() else 200


def _record_call(case: Case, reply: Reply, outcome: str) -> bool:
    """Record how the call went and commit (True); on a refusal roll back and flash it (False)."""
    try:
        letters.record_call(db(), case, current_actor(), reply.id, outcome)
        db().commit()
    except CaseError as error:
        db().rollback()
        flash(say(error), "error")
        return False
    kick()
    flash(_("The call is recorded."), "success")
    return True


def _call_script(case: Case, reply: Reply) -> str:
    """What the clerk reads to the citizen: the stored reply letter, in its language, as a call script."""
    letter = drafting.stored_letter(reply, case)
    office = office_info(current_app.config, letter.lang)
    author = reply.author.display_name if reply.author else current_actor().name
    return call_script(letter, citizen_name=case.citizen.name if case.citizen else "", case_number=case.number,
                       officer_name=current_actor().name or author, office_name=office.name,
                       tracking_code=case.tracking_code)


# --- replies waiting for approval (supervisors) ----------------------------------------------------------------

@bp.route("/approvals")
@role_required("supervisor", "admin")
def approvals() -> str:
    waiting = db().scalars(select(Reply).where(Reply.status == AWAITING_APPROVAL)
                           .options(selectinload(Reply.case), selectinload(Reply.author)).order_by(Reply.id)).all()
    return render_template("pages/letters/approvals.html", waiting=waiting)
