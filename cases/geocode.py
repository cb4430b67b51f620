"""The office's address list: an admin uploads a CSV of addresses with their coordinates; an address a clerk
types, or one named in a letter, is matched against it (no outside geocoding service)."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from cases.errors import ValidationError
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
            raise AddressListError("The file must be UTF-8 text.") from exc
    reader = csv.DictReader(io.StringIO(data))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if not {"address", "lat", "lon"} <= set(fields):
        raise AddressListError("The first line must name the columns address, lat and lon.")
    reader.fieldnames = fields
    rows = []
    for row in reader:
        line = reader.line_num
        address = (row.get("address") or "").strip()
        if not address:
            raise AddressListError(f"Line {line}: the address is empty.")
        if len(address) > 300:
            raise AddressListError(f"Line {line}: the address is longer than 300 characters.")
        try:
            lat, lon = float(row.get("lat") or ""), float(row.get("lon") or "")
        except ValueError as exc:
            raise AddressListError(f"Line {line}: lat and lon must be numbers.") from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise AddressListError(f"Line {line}: lat or lon is out of range.")
        if len(address_key(address)) < MIN_KEY:
            raise AddressListError(f"Line {line}: the address is too short to be matched.")
        rows.append((address, lat, lon))
        if len(rows) > MAX_ROWS:
            raise AddressListError(f"At most {MAX_ROWS} addresses in one file.")
    if not rows:
        raise AddressListError("The file has no addresses.")
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


def _longest_inside(session: Session, haystack: str) -> Located | None:
    # Keys hold no LIKE wildcards (address_key drops "%" and "_"), so the key can be the pattern itself.
    row = session.execute(select(StreetAddress.lat, StreetAddress.lon, StreetAddress.address)
                          .where(literal(haystack).contains(StreetAddress.key))
                          .order_by(func.length(StreetAddress.key).desc(), StreetAddress.id).limit(1)).first()
    return Located(*row) if row else None


def match_address(session: Session, typed: str) -> Located | None:
    """The listed address ``typed`` names: the same address, else the longest listed one written inside it
    ("北京路12号东门" finds "北京路12号")."""
    key = address_key(typed)
    if len(key) < MIN_KEY:
        return None
    row = session.execute(select(StreetAddress.lat, StreetAddress.lon, StreetAddress.address)
                          .where(StreetAddress.key == key)).first()
    return Located(*row) if row else _longest_inside(session, key)


def find_in_text(session: Session, text: str) -> Located | None:
    """The longest listed address written somewhere in ``text`` (a letter's subject and body), or None."""
    haystack = address_key(text)
    return _longest_inside(session, haystack) if len(haystack) >= MIN_KEY else None


def has_addresses(session: Session) -> bool:
    """Whether the office keeps an address list at all (letters are searched for addresses only then)."""
    return session.scalar(select(StreetAddress.id).limit(1)) is not None
