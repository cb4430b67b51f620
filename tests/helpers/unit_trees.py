"""A small tree of units for the tests of what a unit sees below itself."""
from __future__ import annotations

from sqlalchemy.orm import Session

from cases.models import Unit


def district_tree(session: Session) -> tuple[Unit, Unit, Unit, Unit]:
    """A district with two street offices below it, and a department beside it (flushed, with ids)."""
    district = Unit(name="District of the test", kind="district")
    session.add(district)
    session.flush()
    street, other_street = (Unit(name=f"Street office {n}", kind="street", parent_id=district.id) for n in (1, 2))
    beside = Unit(name="A unit beside it", kind="department")
    session.add_all([street, other_street, beside])
    session.flush()
    return district, street, other_street, beside
