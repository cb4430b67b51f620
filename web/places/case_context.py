"""What a case page shows of places: where the case is, and the unit its area proposes for dispatch."""
from __future__ import annotations

from typing import Any

from cases import case_places
from cases.models import Case
from web.app_state import db


def place_context(case: Case) -> dict[str, Any]:
    """``place`` (the case's place in words, or "") and ``area_unit`` ((area, unit) or None) for the template."""
    return {"place": case_places.describe_place(db(), case.id), "area_unit": case_places.area_unit(db(), case)}
