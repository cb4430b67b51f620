"""The email channel in the app: polling IMAP into cases, the acknowledgement, and sending mail from the outbox.

``flask --app web mailbox fetch`` polls once (progress bar, summary, ``--json``); the worker polls every
``MAIL_POLL_MINUTES`` when IMAP is configured. The ``send_mail`` outbox topic sends replies (``{"reply_id"}``,
acknowledgements included) and notices (``{"kind": "notice", "to", "subject", "body", "case_id"}``).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any
from urllib.parse import urlencode

import click
from flask import Flask, g, has_app_context
from flask.cli import AppGroup
from huey import crontab
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from tqdm import tqdm

from cases import events, outbox
from cases.context import SYSTEM
from cases.drafts import LetterDraft
from cases.file_packs import remove_unindexed
from cases.mail_files import AttachmentsFromRaw, local_store
from cases.mail_intake import DatabaseIntakeStore
from cases.models import Case, Letter, OutboxItem, Reply, utcnow
from mailbox import (HeaderInjectionError, MailConfigError, MailConnectionError, MailSettings, PollSummary,
                     SendError, build_message, check_header_value, poll_all, send_message,
                     settings_from_mapping)
from mailbox.compose import check_address
from mailbox.parse import attachment_payloads
from web.jobs import drain, register_outbox_handler
from web.replies import LetterError, RenderedLetter, default_template, email_parts, render_letter
from web.replies.labels import letter_date
from web.state import db, state

ACKNOWLEDGEMENT = "acknowledgement"
RETRYABLE = ("pending", "failed")  # reply states the sender acts on (others: sent, or not released yet)
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


# --- configuration ---------------------------------------------------------------------------------------------
def mail_settings(app: Flask) -> MailSettings:
    """``MailSettings`` from the app's ``IMAP_*``, ``SMTP_*`` and ``MAIL_*`` keys; ``MailConfigError`` if wrong."""
    cfg = app.config
    settings = settings_from_mapping(cfg)
    try:
        return replace(settings, batch_size=int(cfg.get("MAIL_BATCH_SIZE") or settings.batch_size),
                       parse_workers=int(cfg.get("MAIL_PARSE_WORKERS", settings.parse_workers)),
                       timeout=float(cfg.get("MAIL_TIMEOUT") or settings.timeout))
    except (TypeError, ValueError) as exc:
        raise MailConfigError(f"MAIL_BATCH_SIZE, MAIL_PARSE_WORKERS and MAIL_TIMEOUT must be numbers: {exc}") from None


def imap_configured(app: Flask) -> bool:
    return bool(app.config.get("IMAP_HOST") and app.config.get("IMAP_USER"))


def tracking_url(app: Flask, case: Case) -> str:
    """The citizen's tracking page for ``case`` (number and secret code in the query)."""
    base = str(app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return f"{base}/track?{urlencode({'number': case.number, 'code': case.tracking_code})}"


# --- intake ------------------------------------------------------------------------------------------------------
def _letter_language(app: Flask, draft: LetterDraft) -> str:
    if _CJK.search(draft.subject or "") or _CJK.search((draft.body or "")[:2000]):
        return "zh"
    lang = str(app.config.get("BABEL_DEFAULT_LOCALE") or "en")[:2]
    return lang if lang in ("en", "zh", "es") else "en"


class _AcknowledgementHook:
    """The ``on_new_case`` hook: queue the acknowledgement of a new, person-written email case (MAIL_ACKNOWLEDGE).

    Only an outbox item is written, in the case's own transaction, so it is queued exactly once and intake stays
    cheap; the ``send_mail`` handler renders it into a ``Reply`` row (channel email, template
    "acknowledgement"), sends it and stores its Message-ID, so answers to it join the case.
    """

    def __init__(self, app: Flask):
        self.app = app

    def __call__(self, case_id: int, draft: LetterDraft) -> list[dict[str, Any]]:
        app = self.app
        if draft.automatic or not app.config.get("MAIL_ACKNOWLEDGE", True) or not draft.sender_email:
            return []
        if not app.config.get("MAIL_FROM"):
            return []
        return [{"topic": outbox.SEND_MAIL, "key": f"ack:{case_id}",
                 "payload": {"kind": ACKNOWLEDGEMENT, "case_id": case_id, "lang": _letter_language(app, draft)}}]


def acknowledgement_hook(app: Flask) -> _AcknowledgementHook:
    """The ``on_new_case`` hook of the mail store (see ``_AcknowledgementHook``)."""
    return _AcknowledgementHook(app)


_TEMPLATES: dict[str, str] = {}


def acknowledgement_reply(app: Flask, session: Session, case: Case, lang: str = "en") -> Reply:
    """The case's acknowledgement as a ``Reply`` row (rendered now, kept exactly as it will be sent).

    Raises ``LetterError`` if the template cannot be rendered.
    """
    existing = session.scalar(select(Reply).where(Reply.case_id == case.id, Reply.template == ACKNOWLEDGEMENT)
                              .order_by(Reply.id).limit(1))
    if existing is not None:
        return existing
    lang = lang if lang in ("en", "zh", "es") else "en"
    if lang not in _TEMPLATES:
        _TEMPLATES[lang] = default_template(ACKNOWLEDGEMENT, lang)
    policy = state(app).policy
    context = {
        "citizen_name": case.citizen.name if case.citizen else "", "case_number": case.number,
        "case_subject": case.subject, "kind": case.kind.value,
        "received_date": letter_date(policy.local_date(case.received_at), lang),
        "due_date": "", "reply_date": letter_date(policy.today(), lang), "unit": "",
        "officer_name": "", "office_name": app.config.get("OFFICE_NAME", ""),
        "office_phone": app.config.get("OFFICE_PHONE") or "12345",
        "tracking_code": case.tracking_code, "tracking_url": tracking_url(app, case),
    }
    letter = render_letter(_TEMPLATES[lang], context, lang=lang)
    row = Reply(case=case, channel="email", subject=letter.subject, body=letter.text, template=ACKNOWLEDGEMENT,
                status="pending")
    session.add(row)
    session.flush()
    return row


def intake_store(app: Flask) -> DatabaseIntakeStore:
    """The database store the poller writes through, with the acknowledgement hook."""
    lease = timedelta(seconds=float(app.config.get("MAIL_LOCK_SECONDS", 30)))
    # One commit per fetch batch where that keeps exactly-once (see DatabaseIntakeStore); per message otherwise.
    batch = mail_settings(app).done_action != "move"
    return DatabaseIntakeStore(state(app).sessions, state(app).policy, lease=lease,
                               on_new_case=acknowledgement_hook(app), batch_commits=batch,
                               raw_packs=raw_packs(app))


def raw_packs(app: Flask) -> bool:
    """Whether mail intake writes raw mail as one pack per batch (MAIL_RAW_PACKS; by default with SQLite only).

    A pack's index is a SQLite file in FILES_DIR, which must not be written from several machines (a FILES_DIR
    shared over NFS); a SQLite case database means one machine anyway."""
    setting = app.config.get("MAIL_RAW_PACKS")
    if setting is None:
        return state(app).engine.dialect.name == "sqlite"
    return bool(setting)


def poll(app: Flask, *, on_progress=None, checkpoint=None, store: DatabaseIntakeStore | None = None) -> PollSummary:
    """Poll every configured folder once, then hand new work (indexing, acknowledgements) to the outbox drains.

    Raises ``MailConfigError`` for bad settings and ``MailConnectionError`` when the server cannot be reached.
    """
    if not imap_configured(app):
        raise MailConfigError("IMAP_HOST and IMAP_USER must be set to fetch mail")
    summary = poll_all(mail_settings(app), store or intake_store(app), on_progress=on_progress,
                       checkpoint=checkpoint)
    if summary.new_cases or summary.attached:
        for topic in (outbox.INDEX_CASE, outbox.SEND_MAIL):
            _kick(app, topic)
    return summary


def _kick(app: Flask, topic: str) -> None:
    task = state(app).extra.get("drain_outbox")
    try:
        if task is not None:
            task(topic)
    except Exception:  # the periodic drain picks it up
        app.logger.exception("could not queue %s", topic)


# --- sending -----------------------------------------------------------------------------------------------------
def next_attempt_at(item: OutboxItem, base_seconds: float) -> datetime:
    """When an item that failed ``attempts`` times may be tried again: created_at + base * (2^attempts - 1)."""
    step = base_seconds * (2 ** min(item.attempts, 20) - 1)
    created = item.created_at if item.created_at.tzinfo else item.created_at.replace(tzinfo=timezone.utc)
    return created + timedelta(seconds=step)


class _Sender:
    """Sends the pending ``send_mail`` items of one drain."""

    def __init__(self, app: Flask, session: Session):
        self.app = app
        self.session = session
        self.store = state(app).policy.store
        self.base = float(app.config.get("MAIL_RETRY_SECONDS", 60))
        self.max_attempts = int(app.config.get("MAIL_SEND_MAX_ATTEMPTS", 8))
        self._settings: MailSettings | None = None

    @property
    def settings(self) -> MailSettings:
        if self._settings is None:
            self._settings = mail_settings(self.app)
            if not self._settings.smtp_host or not self._settings.mail_from:
                raise SendError("SMTP_HOST and MAIL_FROM must be configured to send mail", transient=False)
        return self._settings

    def run(self, items: list[OutboxItem]) -> list[int]:
        done = []
        now = utcnow()
        for item in items:
            if item.attempts and next_attempt_at(item, self.base) > now:
                continue  # backing off
            attempt = self._claim(item)
            if attempt is None:
                continue  # another worker is on it
            payload = item.payload or {}
            if payload.get("kind") == "notice":
                finished = self._notice(item, attempt, payload)
            elif payload.get("kind") == ACKNOWLEDGEMENT:
                finished = self._acknowledgement(item, attempt, payload)
            elif "reply_id" in payload:
                finished = self._reply(item, attempt, int(payload["reply_id"]))
            else:
                self.app.logger.error("send_mail item %s has an unknown payload %r", item.id, payload)
                finished = True
            if finished:
                outbox.mark_done(self.session, [item.id])
                self.session.commit()
                done.append(item.id)
        return done

    def _claim(self, item: OutboxItem) -> int | None:
        """Count the attempt before making it, with one conditional UPDATE: of two workers draining at once only
        one wins the item, and a crash mid-send leaves it pending with its backoff. Returns the attempt number."""
        seen = item.attempts or 0
        result = self.session.execute(update(OutboxItem).where(
            OutboxItem.id == item.id, OutboxItem.attempts == seen, OutboxItem.done_at.is_(None))
            .values(attempts=seen + 1))
        self.session.commit()
        return seen + 1 if result.rowcount == 1 else None

    def _note_error(self, item: OutboxItem, reason: str) -> None:
        self.session.execute(update(OutboxItem).where(OutboxItem.id == item.id).values(last_error=reason[:2000]))

    # -- replies and acknowledgements
    def _acknowledgement(self, item: OutboxItem, attempt: int, payload: dict[str, Any]) -> bool:
        case = self.session.get(Case, payload.get("case_id"))
        if case is None:
            return True
        try:
            reply = acknowledgement_reply(self.app, self.session, case, str(payload.get("lang") or "en"))
        except LetterError as exc:  # the case is registered; staff see why no acknowledgement went out
            self.session.rollback()
            events.record(self.session, case, SYSTEM, "mail_failed", note=f"acknowledgement not rendered: {exc}")
            self.session.commit()
            return True
        self.session.commit()
        return self._reply(item, attempt, reply.id)

    def _reply(self, item: OutboxItem, attempt: int, reply_id: int) -> bool:
        reply = self.session.get(Reply, reply_id)
        if reply is None or reply.status not in RETRYABLE or reply.channel != "email":
            return True
        case = reply.case
        try:
            message = self._reply_message(reply, case)
            if not reply.message_id:
                # Kept before sending: a resend after a crash carries the same Message-ID, answers to either join.
                reply.message_id = message["Message-ID"]
                self.session.commit()
            else:
                del message["Message-ID"]
                message["Message-ID"] = reply.message_id
            send_message(self.settings, message)
        except (SendError, HeaderInjectionError, MailConfigError) as exc:
            return self._reply_failed(item, attempt, reply, case, exc)
        sha = self.store.put(_wire_bytes(message))
        reply.status, reply.sent_at, reply.error = "sent", utcnow(), ""
        events.record(self.session, case, SYSTEM, "mail_sent", internal=reply.template != ACKNOWLEDGEMENT,
                      note=f"{reply.template or 'reply'} sent to {case.citizen.email}",
                      data={"reply_id": reply.id, "message_id": reply.message_id, "raw_sha256": sha})
        self.session.commit()  # sent is sent: never again, even if the drain dies before marking the item done
        return True

    def _reply_message(self, reply: Reply, case: Case) -> EmailMessage:
        citizen = case.citizen
        if citizen is None or not citizen.email:
            raise HeaderInjectionError("the case has no citizen email address")
        ids = [letter.external_id for letter in self.session.scalars(
            select(Letter).where(Letter.case_id == case.id, Letter.external_id.is_not(None))
            .order_by(Letter.received_at, Letter.id)) if _safe_message_id(letter.external_id)]
        url = tracking_url(self.app, case)
        text, html = email_parts(RenderedLetter.from_text(reply.subject, reply.body, tracking_url=url))
        return build_message(self.settings, to=citizen.email, to_name=_safe_header(citizen.name, ""),
                             subject=_safe_header(reply.subject, f"Case {case.number}"), text=text, html=html,
                             case_number=case.number,
                             in_reply_to=ids[-1] if ids else None, references=ids[:-1][-10:],
                             automatic=reply.template == ACKNOWLEDGEMENT)

    def _reply_failed(self, item: OutboxItem, attempt: int, reply: Reply, case: Case, exc: Exception) -> bool:
        reason = getattr(exc, "reason", None) or str(exc)
        transient = isinstance(exc, SendError) and exc.transient
        self.session.rollback()
        self._note_error(item, reason)
        if transient and attempt < self.max_attempts:
            reply.error = f"not sent yet (attempt {attempt}, will retry): {reason}"
            self.session.commit()
            return False
        reply.status, reply.error = "failed", reason
        events.record(self.session, case, SYSTEM, "mail_failed", note=reason, data={"reply_id": reply.id})
        self.session.commit()
        return True

    # -- notices to units
    def _notice(self, item: OutboxItem, attempt: int, payload: dict[str, Any]) -> bool:
        case = self.session.get(Case, payload.get("case_id")) if payload.get("case_id") else None
        try:
            message = self._notice_message(payload, case)
            send_message(self.settings, message)
        except (SendError, HeaderInjectionError, MailConfigError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            self.session.rollback()
            self._note_error(item, reason)
            if isinstance(exc, SendError) and exc.transient and attempt < self.max_attempts:
                self.session.commit()
                return False
            if case is not None:
                events.record(self.session, case, SYSTEM, "mail_failed", note=reason,
                              data={"notice": payload.get("notice", "")})
            self.session.commit()
            return True
        sha = self.store.put(_wire_bytes(message))
        if case is not None:
            events.record(self.session, case, SYSTEM, "mail_sent",
                          note=f"{payload.get('notice', 'notice')} sent to {', '.join(payload['to'])}",
                          data={"notice": payload.get("notice", ""), "message_id": message["Message-ID"],
                                "raw_sha256": sha})
        self.session.commit()
        return True

    def _notice_message(self, payload: dict[str, Any], case: Case | None) -> EmailMessage:
        to = [check_address(str(a), "notice recipient") for a in payload.get("to") or [] if str(a).strip()]
        if not to:
            raise HeaderInjectionError("the notice has no recipient")
        message = build_message(self.settings, to=to[0], subject=_safe_header(str(payload.get("subject") or ""),
                                                                              "Notice"),
                                text=str(payload.get("body") or ""), case_number=case.number if case else None)
        if len(to) > 1:
            del message["To"]
            message["To"] = ", ".join(to)
        return message


def _one_line(value: str) -> str:
    """Stored text shown in a header: line breaks become spaces (the header check still guards the rest)."""
    return " ".join((value or "").split())


def _safe_header(value: str, fallback: str) -> str:
    """``value`` on one line, or ``fallback`` when it still hides a break (e.g. in an encoded word)."""
    value = _one_line(value)
    try:
        return check_header_value(value, "header")
    except HeaderInjectionError:
        return fallback


def _safe_message_id(value: str | None) -> bool:
    if not value or not _MESSAGE_ID.fullmatch(value.strip()):
        return False
    try:
        check_header_value(value, "message id")
    except HeaderInjectionError:
        return False
    return True


def _wire_bytes(message: EmailMessage) -> bytes:
    """The message as sent (CRLF line ends), for the sent copy."""
    return message.as_bytes(policy=SMTP)


def send_mail_items(app: Flask, session: Session, items: list[OutboxItem]) -> list[int]:
    """The ``send_mail`` outbox handler: ids of items finished (sent, or failed for good)."""
    return _Sender(app, session).run(items)


def retry_reply(session: Session, reply: Reply) -> None:
    """Queue a failed (or stuck) email reply again; the caller commits and kicks the outbox."""
    reply.status, reply.error = "pending", ""
    events.record(session, reply.case, SYSTEM, "mail_retry", data={"reply_id": reply.id})
    outbox.enqueue(session, outbox.SEND_MAIL, f"reply:{reply.id}", {"reply_id": reply.id})


# --- command line and worker -------------------------------------------------------------------------------------
mailbox_cli = AppGroup("mailbox", help="The email channel.")
# Exit status of a fetch that skipped a folder because another poller holds it (EX_TEMPFAIL: try again later).
FETCH_SKIPPED_LOCKED = 75


@mailbox_cli.command("fetch")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def fetch_command(as_json: bool) -> None:
    """Fetch new mail from every configured IMAP folder into cases, once."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    bar = tqdm(unit="msg", desc="fetching", disable=as_json)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        summary = poll(app, on_progress=progress)
    except (MailConfigError, MailConnectionError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        click.echo(f"fetched {summary.fetched}: {summary.new_cases} new case(s), {summary.attached} attached, "
                   f"{summary.duplicates} duplicate(s), {summary.quarantined} quarantined"
                   + (f"; {len(summary.errors)} error(s): " + "; ".join(summary.errors) if summary.errors else ""))
        for line in summary.skipped_lines():
            click.echo(line)
    if summary.errors:
        raise SystemExit(1)
    if summary.skipped_locked:
        raise SystemExit(FETCH_SKIPPED_LOCKED)


def _schedule(minutes: int) -> Any:
    if minutes < 60:
        return crontab(minute=f"*/{minutes}")
    return crontab(minute="0", hour=f"*/{max(1, minutes // 60)}")


@contextmanager
def _reading_session(app: Flask) -> Iterator[Session]:
    """The request's session when one is open (a second transaction in the same thread would wait for it on
    SQLite), else a short one of our own."""
    if has_app_context() and "db_session" in g:
        yield db()
        return
    with state(app).sessions() as session:
        yield session


def init_app(app: Flask) -> None:
    """Register the ``send_mail`` handler, the ``mailbox`` commands and the periodic poll (when configured)."""
    app_state = state(app)
    # Email attachments stay inside their raw message (see cases.mail_files); the app's reads find them there.
    app_state.policy = replace(app_state.policy, store=AttachmentsFromRaw(
        app_state.policy.store, lambda: _reading_session(app), attachment_payloads))
    register_outbox_handler(app, outbox.SEND_MAIL, send_mail_items)
    app.cli.add_command(mailbox_cli)
    minutes = int(app.config.get("MAIL_POLL_MINUTES") or 0)
    if minutes > 0 and imap_configured(app):
        huey = state(app).huey

        @huey.periodic_task(_schedule(minutes), name="mail_poll")
        def mail_poll() -> None:
            with app.app_context():
                try:
                    summary = poll(app)
                except (MailConfigError, MailConnectionError) as exc:
                    app.logger.error("mail poll failed: %s", exc)
                    return
                app.logger.info("mail poll: %s", summary.as_dict())
                for line in summary.skipped_lines():
                    app.logger.warning("mail poll %s", line)
                drain(app, outbox.INDEX_CASE)
                drain(app, outbox.SEND_MAIL)

        state(app).extra["mail_poll_task"] = mail_poll

        if raw_packs(app):
            @huey.periodic_task(crontab(minute="40", hour="3"), name="clean_packs")
            def clean_packs_task() -> None:
                with app.app_context():
                    removed = clean_packs(app)
                    if removed:
                        app.logger.info("removed %d unindexed raw-mail pack(s)", len(removed))

            state(app).extra["clean_packs_task"] = clean_packs_task


def clean_packs(app: Flask, older_than_hours: float = 1.0) -> list[str]:
    """Delete raw-mail packs no index refers to (a worker died between writing and indexing them), once older
    than ``older_than_hours``; their names. Nightly in the worker when mail is polled with packs."""
    local = local_store(state(app).policy.store)
    if local is None:
        raise MailConfigError("the file store is not a local folder")
    return remove_unindexed(local.root, older_than_hours * 3600)
