"""Who acts: passed into every service call instead of read from globals."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person (or the system) doing something; ``role`` decides what the workflow allows."""

    user_id: int | None
    role: str  # clerk / unit / supervisor / admin / citizen / system
    unit_id: int | None = None
    name: str = ""

    @property
    def is_unit(self) -> bool:
        return self.role == "unit"


SYSTEM = Actor(user_id=None, role="system", name="system")
CITIZEN = Actor(user_id=None, role="citizen", name="citizen")
