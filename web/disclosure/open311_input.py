"""A service request as an Open311 client posts it (``POST /open311/v2/requests``): each field checked in turn,
the first problem answered as the client's error (:class:`ApiError`), the request turned into a letter draft."""
from __future__ import annotations

from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app, request

from cases.drafts import AttachmentDraft, Channel, LetterDraft, PlaceDraft
from cases.models import Category
from cases.sniff import PHOTO_TYPES, sniff
from web.app_state import db


class ApiError(Exception):
    """A request the API refuses: answered with ``code`` and ``description`` in the client's format."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def service_category(code: str) -> Category | None:
    """The active category a service_code names, or None."""
    category = db().get(Category, int(code)) if code.isdigit() and len(code) < 10 else None
    return category if category is not None and category.active else None


def field(name: str, limit: int) -> str:
    """The posted form field ``name``, stripped; longer than ``limit`` characters is an error."""
    value = (request.form.get(name) or "").strip()
    if len(value) > limit:
        raise ApiError(400, f"{name} is longer than {limit} characters.")
    return value


def posted_draft(client: str) -> LetterDraft:
    """The posted request as a letter draft from the Open311 client named ``client``."""
    category = service_category(field("service_code", 20))
    if category is None:
        raise ApiError(400, "service_code is not a known service.")
    description = field("description", 4000)
    if not description:
        raise ApiError(400, "description is required.")
    email = _email()
    place = _place()
    location = _location_text(place)
    media_url = _media_url()
    name = " ".join(p for p in (field("first_name", 100), field("last_name", 100)) if p)
    body = description + (f"\n\nLocation: {location}" if location else "") + (
        f"\n\nMedia: {media_url}" if media_url else "")
    return LetterDraft(channel=Channel.WEB, subject=description.splitlines()[0][:120], body=body, sender_name=name,
                       sender_email=email, sender_phone=field("phone", 50), kind="report",
                       category=category.name, notes=[f"Open311 client: {client}"], attachments=_media(),
                       place=place)


def _email() -> str:
    """``email``, normalised, or ""."""
    email = field("email", 254)
    if not email:
        return email
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ApiError(400, "email is not a valid address.") from exc


def _location_text(place: PlaceDraft | None) -> str:
    """The place as a line of the letter: its address, and its point when it has one."""
    location = place.address if place is not None else ""
    if place is not None and place.lat is not None:
        location = (location + " " if location else "") + f"({place.lat:.6f}, {place.lon:.6f})"
    return location


def _place() -> PlaceDraft | None:
    """Where the request is: ``lat``/``long`` and ``address_string``, kept with the case (an address alone is
    looked up in the office's address list)."""
    address = field("address_string", 500)
    lat, lon = request.form.get("lat"), request.form.get("long")
    if not (lat or lon):
        return PlaceDraft(address=address, source="open311") if address else None
    try:
        lat_f, lon_f = float(lat or ""), float(lon or "")
    except ValueError as exc:
        raise ApiError(400, "lat and long must be numbers.") from exc
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        raise ApiError(400, "lat or long is out of range.")
    return PlaceDraft(lat=lat_f, lon=lon_f, address=address[:300], source="open311")


def _media_url() -> str:
    """``media_url``: an absolute http(s) address of a photo the client keeps, without credentials."""
    raw = field("media_url", 2000)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password \
            or any(ch.isspace() or ord(ch) < 32 for ch in raw):
        raise ApiError(400, "media_url must be an http or https address.")
    return raw


def _media() -> list[AttachmentDraft]:
    """The uploaded ``media`` file (multipart), checked for size and type before anything is stored."""
    upload = request.files.get("media")
    if upload is None:
        return []
    limit = int(current_app.config["OPEN311_MEDIA_MAX_BYTES"])
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        size = f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"
        raise ApiError(413, f"media is larger than {size}.")
    if not data:
        if upload.filename:
            raise ApiError(400, "media is empty.")
        return []  # a file field left empty
    if sniff(data) not in PHOTO_TYPES:
        raise ApiError(400, "media must be a JPEG, PNG, GIF or WebP image.")
    return [AttachmentDraft(filename=upload.filename or "media", data=data, declared_type=upload.mimetype)]
