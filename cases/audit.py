"""Who saw what: the access log of personal data and of administrative changes.

Rows are only ever added (``record``); the database refuses to change or delete them. Supervisors and
administrators read them newest first with ``page``, filtered, one keyset page at a time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import texts
from cases.actors import Actor
from cases.models_privacy import AccessLog

# The actions the log records (and the filter on the log page offers).
VIEW_CITIZEN = "view_citizen"  # a case page with the citizen's contact details
DOWNLOAD_ATTACHMENT = "download_attachment"
PLAY_RECORDING = "play_recording"  # a recording played on the case page
DOWNLOAD_REPLY = "download_reply"  # a postal reply's PDF (the citizen's address)
DOWNLOAD_POST = "download_post"  # a day's combined postal PDF
DOWNLOAD_RAW = "download_raw"  # a quarantined original
DOWNLOAD_SCAN = "download_scan"  # a scanned letter's page or searchable PDF
EXPORT_CITIZEN = "export_citizen"
EXPORT_CASES = "export_cases"  # a case list downloaded as CSV or XLSX (every case of the filter)
ARCHIVE_YEAR = "archive_year"  # a year of the event log or the letters detached (and dumped, kept or dropped)
ERASE_CITIZEN = "erase_citizen"
ERASE_RETENTION = "erase_retention"
ADMIN_USER = "admin_user"
ADMIN_UNIT = "admin_unit"
ADMIN_CATEGORY = "admin_category"
ADMIN_TEMPLATE = "admin_template"
ADMIN_PLACES = "admin_places"  # areas and the address list
ACTIONS = (VIEW_CITIZEN, DOWNLOAD_ATTACHMENT, PLAY_RECORDING, DOWNLOAD_REPLY, DOWNLOAD_POST, DOWNLOAD_RAW,
           DOWNLOAD_SCAN, EXPORT_CITIZEN, EXPORT_CASES, ARCHIVE_YEAR, ERASE_CITIZEN, ERASE_RETENTION, ADMIN_USER, ADMIN_UNIT, ADMIN_CATEGORY,
           ADMIN_TEMPLATE, ADMIN_PLACES)
READERS = ("supervisor", "admin")


def record(session: Session, actor: Actor, action: str, *, case_number: str | None = None,
           target: str | texts.Text = "", address: str = "", data: dict[str, Any] | None = None) -> AccessLog:
    """Add one row to the log (committed with the caller's transaction); a ``target`` given as a text (see
    cases.texts) is kept in English and, in ``data["target_text"]``, for the log page to translate."""
    if texts.is_text(target):
        data, target = {**(data or {}), "target_text": target}, texts.english(target)
    row = AccessLog(user_id=actor.user_id, actor=(actor.name or actor.role)[:200], role=actor.role[:20],
                    action=action[:40], case_number=case_number, target=target[:200], address=(address or "")[:64],
                    data=data or {})
    session.add(row)
    return row


@dataclass(frozen=True)
class LogFilter:
    """What the log page asks for; empty fields do not filter."""

    user_id: int | None = None
    action: str = ""
    case_number: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def page(session: Session, flt: LogFilter, *, before: int | None = None, size: int = 50
         ) -> tuple[list[AccessLog], int | None]:
    """One page of the log, newest first, and the id to pass as ``before`` for the next page (None: last page).

    Keyset paging (``id < before``) costs the same on the thousandth page as on the first, and a row logged
    while someone pages does not shift what they see."""
    stmt = select(AccessLog)
    if flt.user_id is not None:
        stmt = stmt.where(AccessLog.user_id == flt.user_id)
    if flt.action:
        stmt = stmt.where(AccessLog.action == flt.action)
    if flt.case_number:
        stmt = stmt.where(AccessLog.case_number == flt.case_number.strip())
    if flt.since is not None:
        stmt = stmt.where(AccessLog.at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AccessLog.at < flt.until)
    if before is not None:
        stmt = stmt.where(AccessLog.id < before)
    rows = list(session.scalars(stmt.order_by(AccessLog.id.desc()).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)
