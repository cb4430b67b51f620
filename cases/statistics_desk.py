"""How much the desk answers itself: cases answered directly and their share of all cases, overall and per
category (the 12345 office's "answered at the desk" figure), from the rollups (or counted from the cases)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from cases.statistics import Period, source


@dataclass(frozen=True)
class DeskShare:
    """Cases received in a period (``category`` "" : all of them, or no category) and how many the desk
    answered itself: closed with a direct answer and never handed to a unit."""

    category: str
    cases: int
    direct: int

    @property
    def share(self) -> float | None:
        return self.direct / self.cases if self.cases else None


def desk_shares(session: Session, period: Period, tz: str) -> tuple[DeskShare, list[DeskShare]]:
    """(the whole office, per category with most cases first) for cases received in ``period``."""
    (total, direct), rows = source(session, tz).desk_counts(session, period, tz)
    return DeskShare("", total, direct), [DeskShare(name, n, d) for name, n, d in rows]
