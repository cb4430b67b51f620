"""The office's address list: an admin uploads a CSV of addresses with their coordinates; an address a clerk
types, or one named in a letter, is matched against it (no outside geocoding service)."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.errors import N_, ValidationError
from cases.models_places import StreetAddress

MAX_ROWS = 200_000
MIN_KEY = 4  # shorter keys ("1号") would match inside too many letters
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


class AddressListError(ValidationError):
    """An address list that cannot be read; the message names the line and the problem."""


@dataclass(frozen=True)
class Located:
    """A point found for an address, and the address as the list writes it."""

    lat: float
    lon: float
    address: str


def address_key(text: str) -> str:
    """``text`` normalised for matching: full-width forms folded (NFKC), lower case, spaces and punctuation
    dropped, so "北京路 12 号" and "北京路１２号" match "北京路12号"."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def parse_address_csv(data: bytes | str) -> list[tuple[str, float, float]]:
    """Rows of ``address,lat,lon`` (a header line naming those columns, UTF-8); raises ``AddressListError``
    with the line number of the first bad row."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AddressListError(N_("The file must be UTF-8 text.")) from exc
    reader = csv.DictReader(io.StringIO(data))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if not {"address", "lat", "lon"} <= set(fields):
        raise AddressListError(N_("The first line must name the columns address, lat and lon."))
    reader.fieldnames = fields
    rows = []
    for row in reader:
        line = reader.line_num
        address = (row.get("address") or "").strip()
        if not address:
            raise AddressListError(N_("Line %(line)s: the address is empty."), line=line)
        if len(address) > 300:
            raise AddressListError(N_("Line %(line)s: the address is longer than 300 characters."), line=line)
        try:
            lat, lon = float(row.get("lat") or ""), float(row.get("lon") or "")
        except ValueError as exc:
            raise AddressListError(N_("Line %(line)s: lat and lon must be numbers."), line=line) from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise AddressListError(N_("Line %(line)s: lat or lon is out of range."), line=line)
        if len(address_key(address)) < MIN_KEY:
            raise AddressListError(N_("Line %(line)s: the address is too short to be matched."), line=line)
        rows.append((address, lat, lon))
        if len(rows) > MAX_ROWS:
            raise AddressListError(N_("At most %(rows)s addresses in one file."), rows=MAX_ROWS)
    if not rows:
        raise AddressListError(N_("The file has no addresses."))
    return rows


def save_addresses(session: Session, rows: list[tuple[str, float, float]]) -> int:
    """Add the rows to the list, replacing the point of an address already there. Returns how many rows were
    saved. The caller commits."""
    by_key = {address_key(address): (address, lat, lon) for address, lat, lon in rows}
    existing = {a.key: a for a in session.scalars(select(StreetAddress).where(StreetAddress.key.in_(list(by_key))))}
    for key, (address, lat, lon) in by_key.items():
        item = existing.get(key) or StreetAddress(key=key)
        item.address, item.lat, item.lon = address, lat, lon
        session.add(item)
    return len(by_key)


class AddressBook:
    """The address list in memory, loaded once for a batch of letters: exact keys, and every key longest first for
    finding the longest listed address written inside a text."""

    def __init__(self, rows: list[tuple[str, float, float, str]]) -> None:
        self.exact = {key: Located(lat, lon, address) for key, lat, lon, address in rows}
        self.longest_first = sorted(self.exact.items(), key=lambda item: (-len(item[0]), item[0]))

    @classmethod
    def load(cls, session: Session) -> AddressBook:
        return cls([tuple(row) for row in session.execute(  # type: ignore[misc]
            select(StreetAddress.key, StreetAddress.lat, StreetAddress.lon, StreetAddress.address))])

    def __bool__(self) -> bool:
        return bool(self.exact)

    def _longest_inside(self, haystack: str) -> Located | None:
        for key, found in self.longest_first:
            if key in haystack:
                return found
        return None

    def match(self, typed: str) -> Located | None:
        """The listed address ``typed`` names: the same address, else the longest listed one written inside it
        ("北京路12号东门" finds "北京路12号")."""
        key = address_key(typed)
        if len(key) < MIN_KEY:
            return None
        return self.exact.get(key) or self._longest_inside(key)

    def find_in(self, text: str) -> Located | None:
        """The longest listed address written somewhere in ``text`` (a letter's subject and body), or None."""
        haystack = address_key(text)
        return self._longest_inside(haystack) if len(haystack) >= MIN_KEY else None
