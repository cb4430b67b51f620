"""Every request as a GeoReport v2 client may see it (``/open311/v2/requests``): status, service, dates and
place of every case, whatever way it came in; its text only once the case is published, and then the published
(redacted, approved) text.

What the public gets of a case's place: the point, except that a citizen's own map pin (the web form's) is
rounded to about 100 m, since it may mark a home; the address only when it is a listed address (the office's own
address list) or the address an Open311 client filed with its request. Cases marked invalid (spam) are left out."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cases import disclosure
from cases.models import Case
from cases.models_disclosure import Publication
from cases.models_places import CasePlace
from cases.workflow import Status

# "closed" to the public once the office has replied to the citizen (published cases are all replied), closed the
# case or merged it into another.
CLOSED = frozenset({Status.REPLIED, Status.CLOSED, Status.INVALID, Status.MERGED})
PIN_DECIMALS = 3  # ~100 m: a citizen's pin is shown near, not on, the spot
PUBLIC_ADDRESS_SOURCES = frozenset({"address", "letter", "open311"})
MAX_ROWS = 1000


@dataclass(frozen=True)
class RequestFilter:
    numbers: Sequence[str] = ()
    category_id: int | None = None
    open: bool | None = None  # None: both
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class PublicRequest:
    """A case as the public API shows it; ``publication`` only when it is published."""

    case: Case
    lat: float | None
    lon: float | None
    address: str
    publication: Publication | None

    @property
    def is_open(self) -> bool:
        return self.case.status not in CLOSED


def public_place(place: CasePlace | None) -> tuple[float | None, float | None, str]:
    """The point and address of ``place`` fit for the public (see the module's note)."""
    if place is None:
        return None, None, ""
    lat, lon = place.lat, place.lon
    if place.source == "pin":
        lat, lon = round(lat, PIN_DECIMALS), round(lon, PIN_DECIMALS)
    return lat, lon, place.address if place.source in PUBLIC_ADDRESS_SOURCES else ""


def list_requests(session: Session, flt: RequestFilter, limit: int = MAX_ROWS) -> list[PublicRequest]:
    """Requests matching ``flt``, newest first (at most ``limit``)."""
    stmt = (select(Case).where(Case.status != Status.INVALID)
            .options(selectinload(Case.category), selectinload(Case.unit)))
    if flt.numbers:
        stmt = stmt.where(Case.number.in_(list(flt.numbers)))
    if flt.category_id is not None:
        stmt = stmt.where(Case.category_id == flt.category_id)
    if flt.open is True:
        stmt = stmt.where(Case.status.not_in(CLOSED))
    elif flt.open is False:
        stmt = stmt.where(Case.status.in_(CLOSED))
    if flt.start is not None:
        stmt = stmt.where(Case.received_at >= flt.start)
    if flt.end is not None:
        stmt = stmt.where(Case.received_at <= flt.end)
    cases = list(session.scalars(stmt.order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)))
    ids = [c.id for c in cases]
    places = {p.case_id: p for p in session.scalars(select(CasePlace).where(CasePlace.case_id.in_(ids)))} \
        if ids else {}
    published = {p.case_id: p for p in session.scalars(select(Publication).where(
        Publication.case_id.in_(ids), Publication.status == disclosure.PUBLISHED))} if ids else {}
    return [PublicRequest(c, *public_place(places.get(c.id)), published.get(c.id)) for c in cases]
