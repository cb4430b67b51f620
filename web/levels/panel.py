"""What the case page shows about a case's parts: the parts, and the forms of the part actions the user may take."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from cases import levels, parts, queries
from cases.actors import Actor
from cases.models import Case, Unit
from cases.models_levels import Assignment
from web.auth import current_actor
from web.code_labels import named
from web.levels.forms import AnswerPartForm, ChasePartForm, PassDownForm, ReviewPartForm
from web.app_state import db


def parts_context(case: Case, actor: Actor, submitted: dict[str, FlaskForm] | None = None) -> dict[str, Any]:
    """Template values: ``parts`` (the parts view) and ``part_forms`` (name -> form; a form sent back with errors
    is in ``submitted``). Review and chase forms are per part: ``review-<id>``, ``chase-<id>``."""
    view = levels.parts_view(db(), case, actor)
    submitted = submitted or {}
    forms: dict[str, FlaskForm] = {}
    if view.sub_units:
        form = submitted.get("pass_down") or PassDownForm(formdata=None)
        form.sub_unit.choices = [(u.id, named(u)) for u in view.sub_units]
        if form.due.data is None:
            form.due.data = view.own_due
        forms["pass_down"] = form
    if view.can_answer:
        forms["answer"] = submitted.get("answer") or AnswerPartForm(formdata=None)
    for part in view.reviewable:
        forms[f"review-{part.id}"] = submitted.get(f"review-{part.id}") or ReviewPartForm(formdata=None)
    for part in view.chaseable:
        forms[f"chase-{part.id}"] = submitted.get(f"chase-{part.id}") or ChasePartForm(formdata=None)
    return {"parts": view, "part_forms": forms}


def prepare_feedback(form: FlaskForm, case: Case) -> None:
    """The lead's feedback starts from the part it accepted from its sub-unit (kept, or rewritten)."""
    if not form.is_submitted() and not form.body.data:
        form.body.data = levels.accepted_answer(db(), case)


def shares(rows: Sequence[Case]) -> dict[int, str]:
    """``{case id: the current unit's share of it}`` for a unit's case list: lead (and where it passed the case
    down), a part passed down to it, co-handling, or the sub-unit below that holds it."""
    actor = current_actor()
    by_case: dict[int, list[Assignment]] = {}
    for part in parts.all_parts(db(), [c.id for c in rows]):
        by_case.setdefault(part.case_id, []).append(part)
    out: dict[int, str] = {}
    for case in rows:
        mine = [p for p in by_case.get(case.id, []) if p.unit_id == actor.unit_id]
        down = [p for p in by_case.get(case.id, []) if p.from_unit_id == actor.unit_id and p.role == "sub"
                and p.state in ("open", "answered")]
        if case.unit_id == actor.unit_id:
            text = _("lead")
        elif mine:
            text = _("co-handling") if mine[0].role == "co" else _("passed down to us")
        else:
            holder = case.unit if case.unit_id in below(actor) else next(
                (p.unit for p in by_case.get(case.id, []) if p.unit_id in below(actor)), None)
            text = _("sub-unit: %(unit)s", unit=named(holder))
        if down:
            text += " · " + _("passed down to %(unit)s", unit=named(down[0].unit))
        out[case.id] = text
    return out


def below(actor: Actor) -> frozenset[int]:
    """The units below ``actor``'s unit (and their unit), once per request."""
    if "unit_subtree" not in g:
        g.unit_subtree = frozenset(queries.visible_unit_ids(db(), actor))
    return g.unit_subtree


def missing_parts_message(units: Sequence[Unit]) -> str:
    """The feedback form's error when co-handling units' parts are missing and no reason is given."""
    return _("Waiting for the part from %(units)s: answer without it only with a reason here.",
             units=", ".join(named(u) for u in units))
