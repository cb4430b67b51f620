"""Cases for the privacy tests: a letter through the public form (its raw post and a photo stored), finished
and made old as if the retention period had passed."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from cases.models import Case
from cases.workflow import Status
from tests.helpers.web_forms import PNG, submit_letter
from web.app_state import state


def letter_case(client: FlaskClient, photo: bytes = b"a photo", **over: object) -> str:
    """A new case from the public form with a photo (``photo`` makes its bytes); its number."""
    number, _code = submit_letter(client, attachments=[(io.BytesIO(PNG + photo), "photo.png")], **over)
    return number


def finish(app: Flask, number: str, *, days_ago: int, status: Status = Status.CLOSED) -> None:
    """Mark ``number`` finished ``days_ago`` days ago (the way there is the workflow's business, tested
    elsewhere)."""
    moment = datetime.now(timezone.utc) - timedelta(days=days_ago)
    with state(app).sessions() as session:
        session.execute(update(Case).where(Case.number == number)
                        .values(status=status, updated_at=moment, satisfaction="satisfied"))
        session.commit()


def case_row(app: Flask, number: str) -> Case:
    with state(app).sessions() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        _ = case.citizen, case.letters, case.attachments, case.events, case.unit  # loaded for the caller
        return case
