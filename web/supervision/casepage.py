"""What the case page shows about supervision: the flag's notes for everyone who sees the case (the unit too),
and the supervise / end-supervision form for supervisors."""
from __future__ import annotations

from typing import Any

from flask import request

from cases import supervision
from cases.actors import Actor
from cases.models import Case
from cases.workflow import OPEN_STATUSES
from web.app_state import db
from web.supervision.forms import SuperviseForm


def supervise_context(case: Case, actor: Actor) -> dict[str, Any]:
    """Template values: ``supervision_notes`` (newest first, while the case is supervised) and
    ``supervise_form`` (supervisors and admins, open cases only; ``None`` otherwise)."""
    notes = supervision.supervision_notes(db(), case) if case.supervised else []
    form = None
    if actor.role in supervision.SUPERVISOR_ROLES and case.status in OPEN_STATUSES:
        form = SuperviseForm(formdata=None, end="1" if case.supervised else "", next=request.path)
    from web.supervision.emergency import DeclareForm

    declare = None
    if actor.role in {"clerk", *supervision.SUPERVISOR_ROLES} and case.status in OPEN_STATUSES \
            and not case.major_emergency:
        declare = DeclareForm(formdata=None)
    return {"supervision_notes": notes, "supervise_form": form, "emergency_form": declare}
