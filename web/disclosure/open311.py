"""Open311 GeoReport v2 under ``/open311/v2/``: services and their definitions, requests (read and post, with a
photo as ``media_url`` or a multipart ``media`` file), tokens; JSON or XML.

Reading lists every request, however it came in (``cases.public_requests``): status, service, dates and place; the
description only once the case is published, and then its redacted, approved text; never a citizen's details.
Posting needs an API key; ``web.disclosure.open311_input`` reads the request and ``cases.open311_intake`` files
it as a case.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from cases import disclosure, open311_intake, public_requests
from cases.calendar import EARLIEST_DATE, LATEST_DATE
from cases.errors import CaseError
from cases.models import Category
from cases.models_disclosure import Open311Token
from cases.public_requests import PublicRequest
from web.disclosure.open311_input import ApiError, posted_draft, service_category
from web.disclosure.openapi import openapi_document
from web.export_text import xml_text
from web.extensions import csrf, limiter
from web.tasks.queue import kick
from web.app_state import db, policy

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMATS = {"json", "xml"}
NUMBER_RE = re.compile(r"^\d{4}-\d{6,}$")


def _rate_limit() -> str:
    return current_app.config["OPEN311_RATE_LIMIT"]


csrf.exempt(bp)  # clients are programs authenticating with an API key, not browsers with a session
limiter.limit(_rate_limit)(bp)


# ---- rendering --------------------------------------------------------------------------------------------------

def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> str:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if value is not None:
                # A citizen's text may hold control characters XML 1.0 forbids; one would spoil the whole list.
                child.text = str(value).lower() if isinstance(value, bool) else xml_text(str(value))
    return _document(top)


def _document(top: ET.Element) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode")


ROOTS = {"services": ("services", "service"), "requests": ("service_requests", "request"),
         "created": ("service_requests", "request"), "tokens": ("service_requests", "request"),
         "errors": ("errors", "error")}


def _render(kind: str, rows: list[dict[str, Any]], fmt: str, status: int = 200) -> Response:
    if fmt == "xml":
        root, item = ROOTS[kind]
        return Response(_xml(root, item, rows), status=status, mimetype="application/xml")
    return Response(json.dumps(rows, ensure_ascii=False), status=status, mimetype="application/json")


def _error(code: int, description: str, fmt: str = "json") -> Response:
    return _render("errors", [{"code": code, "description": description}], fmt, code)


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt", "json")
    return fmt if fmt in FORMATS else "json"


@bp.errorhandler(ApiError)
def _api_error(err: ApiError) -> Response:
    return _error(err.code, err.description, _fmt())


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException) -> Response:
    code = err.code or 500
    text = {404: "Not found.", 405: "Method not allowed.", 429: "Too many requests; slow down.",
            413: "Request too large."}.get(code, err.description or "Error.")
    response = _error(code, text, _fmt())
    if code == 429:
        response.headers["Retry-After"] = "60"
    return response


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ApiError(404, "Format must be json or xml.")


# ---- values -----------------------------------------------------------------------------------------------------

def _iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(ZoneInfo(policy().timezone)).isoformat(timespec="seconds")
    return datetime.combine(moment, time(), ZoneInfo(policy().timezone)).isoformat(timespec="seconds")


def _service(category: Category) -> dict[str, Any]:
    return {"service_code": str(category.id), "service_name": category.name, "description": category.name,
            "metadata": False, "type": "realtime", "keywords": "", "group": ""}


def _request(item: PublicRequest) -> dict[str, Any]:
    """A request as GeoReport v2 shows it: every case's status, service, dates and place; its description and
    status notes only once published, and then the published (redacted) texts."""
    case, publication = item.case, item.publication
    public = disclosure.public_item(policy(), publication) if publication is not None else None
    return {"service_request_id": case.number, "status": "open" if item.is_open else "closed",
            "status_notes": public.reply_text[:4000] if public else "",
            "service_name": case.category.name if case.category else case.kind.value,
            "service_code": str(case.category_id or ""),
            "description": public.letter_text[:4000] if public else "",
            "agency_responsible": case.unit.name if case.unit else "", "service_notice": "",
            "requested_datetime": _iso(case.received_at), "updated_datetime": _iso(case.updated_at),
            "expected_datetime": _iso(case.due_date) if item.is_open else None, "address": item.address,
            "address_id": "", "zipcode": "", "lat": item.lat, "long": item.lon, "media_url": ""}


def _parse_date(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(400, f"{name} must be an ISO 8601 date-time.") from exc
    value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    # A bound beyond the dates anything is filed under means no bound; kept within them, it is safe to shift.
    if value.date() < EARLIEST_DATE:
        return datetime.combine(EARLIEST_DATE, time(), timezone.utc)
    if value.date() > LATEST_DATE:
        return datetime.combine(LATEST_DATE, time(), timezone.utc)
    return value


# ---- endpoints --------------------------------------------------------------------------------------------------

@bp.route("/openapi.json")
def openapi() -> Response:
    return Response(json.dumps(openapi_document()), mimetype="application/json")


@bp.route("/services.<fmt>")
def services(fmt: str) -> Response:
    _check_format(fmt)
    rows = db().scalars(select(Category).where(Category.active).order_by(Category.name))
    return _render("services", [_service(c) for c in rows], fmt)


@bp.route("/services/<path:service_code>.<fmt>")
def service_definition(service_code: str, fmt: str) -> Response:
    """A service's definition: its extra attributes (none of ours asks for any: ``metadata`` is false)."""
    _check_format(fmt)
    category = service_category(service_code)
    if category is None:
        raise ApiError(404, "No service with this service_code.")
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = str(category.id)
        ET.SubElement(top, "attributes")
        return Response(_document(top), mimetype="application/xml")
    return Response(json.dumps({"service_code": str(category.id), "attributes": []}), mimetype="application/json")


@bp.route("/requests.<fmt>", methods=["GET"])
def list_requests(fmt: str) -> Response:
    """Every request (not only those posted here), newest first; without dates, the last 90 days (as GeoReport
    v2 says), at most 1000."""
    _check_format(fmt)
    ids = [i.strip() for i in request.args.get("service_request_id", "").split(",") if i.strip()][:100]
    status = request.args.get("status", "")
    states = set(status.split(",")) if status else set()
    if not states <= {"open", "closed"}:
        raise ApiError(400, "status must be open or closed.")
    category_id = None
    code = request.args.get("service_code", "")
    if code:
        category = service_category(code)
        if category is None:
            return _render("requests", [], fmt)
        category_id = category.id
    start, end = _parse_date("start_date"), _parse_date("end_date")
    if start is None and end is None and not ids:
        start = policy().now() - timedelta(days=90)
    flt = public_requests.RequestFilter(numbers=ids, category_id=category_id, start=start, end=end,
                                        open=None if len(states) != 1 else states == {"open"})
    return _render("requests", [_request(item) for item in public_requests.list_requests(db(), flt)], fmt)


@bp.route("/requests/<path:request_id>.<fmt>", methods=["GET"])
def get_request(request_id: str, fmt: str) -> Response:
    _check_format(fmt)
    if NUMBER_RE.match(request_id):
        found = public_requests.list_requests(db(), public_requests.RequestFilter(numbers=[request_id]), limit=1)
        if found:
            return _render("requests", [_request(found[0])], fmt)
    raise ApiError(404, "No request with this id.")


@bp.route("/tokens/<path:token>.<fmt>", methods=["GET"])
def get_token(token: str, fmt: str) -> Response:
    _check_format(fmt)
    row = db().get(Open311Token, token) if 0 < len(token) <= 64 else None
    if row is None:
        raise ApiError(404, "Unknown token.")
    return _render("tokens", [{"service_request_id": row.case.number, "token": row.token}], fmt)


@bp.route("/requests.<fmt>", methods=["POST"])
def create_request(fmt: str) -> Response:
    _check_format(fmt)
    key = disclosure.check_api_key(db(), request.form.get("api_key"))
    if key is None:
        raise ApiError(403, "A valid api_key is required.")
    draft = posted_draft(client=key.name)
    try:
        number, token = open311_intake.file_request(db(), policy(), draft, key)
    except CaseError as err:
        db().rollback()
        raise ApiError(400, str(err)) from err
    db().commit()
    kick()
    return _render("created", [{"service_request_id": number, "token": token, "service_notice": "",
                                "account_id": None}], fmt, 201)
