"""The OpenAPI 3 description of the Open311 GeoReport v2 endpoints (served at ``/open311/v2/openapi.json``)."""
from __future__ import annotations

from typing import Any

PREFIX = "/open311/v2"

_NULLABLE_STR = {"type": ["string", "null"]}
SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {"service_code": {"type": "string"}, "service_name": {"type": "string"},
                   "description": {"type": "string"}, "metadata": {"type": "boolean"},
                   "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                   "keywords": {"type": "string"}, "group": {"type": "string"}},
}
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status"],
    "properties": {
        "service_request_id": {"type": "string"}, "status": {
            "type": "string", "enum": ["open", "closed"],
            "description": "closed once the office has replied to the citizen, closed the case or merged it."},
        "status_notes": {"type": "string"}, "service_name": {"type": "string"}, "service_code": {"type": "string"},
        "description": {"type": "string", "description": (
            "Empty until the case is published in the public archive; then its published text, redacted: "
            "personal data is never returned.")},
        "agency_responsible": {"type": "string"}, "service_notice": {"type": "string"},
        "requested_datetime": _NULLABLE_STR, "updated_datetime": _NULLABLE_STR, "expected_datetime": _NULLABLE_STR,
        "address_id": {"type": "string"}, "zipcode": {"type": "string"},
        "address": {"type": "string", "description": (
            "The address of the problem when it is one of the office's listed addresses or the address_string an "
            "Open311 client filed; otherwise empty.")},
        "lat": {"type": ["number", "null"], "description": (
            "Where the problem is (WGS 84); null when the case has no place. A citizen's own map pin is rounded "
            "to three decimals (about 100 m).")},
        "long": {"type": ["number", "null"]},
        "media_url": {"type": "string",
                      "description": "Empty: photos sent with a request are kept with the case, not published."},
    },
}
CREATED = {
    "type": "object",
    "required": ["service_request_id", "token"],
    "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"},
                   "service_notice": {"type": "string"}, "account_id": _NULLABLE_STR},
}
SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {"service_code": {"type": "string"},
                   "attributes": {"type": "array", "maxItems": 0,
                                  "description": "No service asks for extra attributes (metadata is false)."}},
}
TOKEN = {"type": "object", "required": ["service_request_id", "token"],
         "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}}}
ERROR = {"type": "object", "required": ["code", "description"],
         "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}


def _array(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def _responses(ok: int, schema: dict[str, Any], fmt: str, errors: tuple[int, ...], *,
               single: bool = False) -> dict[str, Any]:
    """Responses of one operation; ``single``: the success body is one object, not a list of them."""
    media = "application/json" if fmt == "json" else "application/xml"
    ok_schema = schema if single else _array(schema)
    body = {media: {"schema": ok_schema}} if fmt == "json" else {media: {"schema": {"type": "string"}}}
    err_body = ({media: {"schema": _array(ERROR)}} if fmt == "json" else {media: {"schema": {"type": "string"}}})
    out = {str(ok): {"description": "Success", "content": body}}
    for code in errors + (429,):
        out[str(code)] = {"description": {400: "Invalid input", 403: "Missing or invalid api_key",
                                          404: "Not found", 413: "Request or media too large",
                                          429: "Rate limit exceeded"}[code], "content": err_body}
    return out


LIST_DESCRIPTION = (
    "Requests lists every case the office received, through this API or any other way (web form, phone, email, "
    "post, SMS), except those marked invalid (spam): its status, service, agency, dates and place, so that a city "
    "app can show recent requests on a map. The description and status notes stay empty until the office "
    "publishes the case in its public archive, and are then the published texts, with personal data redacted. "
    "Names, phone numbers, email addresses and the citizen's own address are never returned. Without start_date "
    "and end_date the list covers the last 90 days; at most 1000 requests, newest first.")
LIST_PARAMETERS = [
    {"name": "service_request_id", "in": "query", "required": False,
     "schema": {"type": "string", "maxLength": 2000}, "description": "Comma-separated request ids."},
    {"name": "service_code", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 20}},
    {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["open", "closed"]}},
    {"name": "start_date", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"}},
    {"name": "end_date", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"}},
]
_POST_FIELDS = {
    "api_key": {"type": "string", "maxLength": 200},
    "service_code": {"type": "string", "maxLength": 20},
    "description": {"type": "string", "minLength": 1, "maxLength": 4000},
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": {"type": "string", "maxLength": 500},
    "email": {"type": "string", "format": "email", "maxLength": 254},
    "first_name": {"type": "string", "maxLength": 100},
    "last_name": {"type": "string", "maxLength": 100},
    "phone": {"type": "string", "maxLength": 50},
    "media_url": {"type": "string", "format": "uri", "maxLength": 2000,
                  "description": "An http(s) address of a photo of the problem."},
}
_REQUIRED = ["api_key", "service_code", "description"]
POST_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": _REQUIRED,
                                                          "properties": _POST_FIELDS}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": _REQUIRED,
            "properties": {**_POST_FIELDS, "media": {
                "type": "string", "format": "binary",
                "description": "A photo (JPEG, PNG, GIF or WebP, by its content; at most OPEN311_MEDIA_MAX_BYTES, "
                               "5 MB unless configured), kept with the case."}}}},
    },
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document: one path per format, as Open311 clients call them."""
    paths: dict[str, Any] = {}
    for fmt in ("json", "xml"):
        paths[f"{PREFIX}/services.{fmt}"] = {"get": {
            "operationId": f"listServices_{fmt}", "summary": "Services (request categories)",
            "responses": _responses(200, SERVICE, fmt, ())}}
        paths[f"{PREFIX}/services/{{service_code}}.{fmt}"] = {"get": {
            "operationId": f"getServiceDefinition_{fmt}", "summary": "A service's definition (its attributes)",
            "parameters": [{"name": "service_code", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9A-Za-z_-]{1,20}$"}}],
            "responses": _responses(200, SERVICE_DEFINITION, fmt, (404,), single=True)}}
        paths[f"{PREFIX}/requests.{fmt}"] = {
            "get": {"operationId": f"listRequests_{fmt}", "summary": "Every request, whatever way it came in",
                    "description": LIST_DESCRIPTION,
                    "parameters": LIST_PARAMETERS, "responses": _responses(200, REQUEST, fmt, (400,))},
            "post": {"operationId": f"createRequest_{fmt}", "summary": "Post a service request (needs api_key)",
                     "requestBody": POST_BODY, "responses": _responses(201, CREATED, fmt, (400, 403, 413))},
        }
        paths[f"{PREFIX}/requests/{{service_request_id}}.{fmt}"] = {"get": {
            "operationId": f"getRequest_{fmt}", "summary": "One request",
            "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9A-Za-z-]{1,40}$"}}],
            "responses": _responses(200, REQUEST, fmt, (404,))}}
        paths[f"{PREFIX}/tokens/{{token}}.{fmt}"] = {"get": {
            "operationId": f"getToken_{fmt}", "summary": "The request id a token became",
            "parameters": [{"name": "token", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9A-Za-z_-]{1,64}$"}}],
            "responses": _responses(200, TOKEN, fmt, (404,))}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Mayor's Mailbox Open311 GeoReport v2", "version": "2.0",
                 "description": "Open311 GeoReport v2. " + LIST_DESCRIPTION},
        "paths": paths,
    }
