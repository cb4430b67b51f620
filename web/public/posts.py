"""A web letter from its post: the post stored as it came, the draft made from it, and the spool that keeps it when
the database is away (``cases.spool``). The draft is made from the stored post, by the form and by the spool's
drain alike, so a letter registered later reads exactly as one registered at once."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import Flask, current_app, request

from cases.actors import CITIZEN
from cases.drafts import Channel, LetterDraft, PlaceDraft
from cases.sniff import LETTER_TYPES
from cases.spool import Spool, SpooledPost
from web.form_fields import attachment_drafts
from web.public.forms import LetterForm
from web.app_state import state

NOT_POSTED = {"attachments", "csrf_token", "submit"}


def posted_letter(form: LetterForm) -> LetterDraft:
    """The letter of a valid post, with its files, made from the post stored as it came (its digest in the draft's
    ``raw_sha256``).

    The post is stored before the database is touched: a file's fsync must not happen inside the database's write
    turn (on SQLite one for the whole machine), which every other letter waits for. A post sent again is stored
    again, and finds the case the first one opened."""
    raw_sha, raw = store_post(form)
    draft = draft_from_post(raw)
    draft.raw_sha256, draft.attachments = raw_sha, attachment_drafts(form.attachments)
    return draft


def store_post(form: LetterForm) -> tuple[str, dict]:
    """Store the post as it came (with its moment of arrival and address), before anything is derived from it;
    returns its digest and what was stored."""
    raw = {name: field.data for name, field in form._fields.items() if name not in NOT_POSTED}
    raw["_received"] = datetime.now(timezone.utc).isoformat()
    raw["_address"] = request.remote_addr
    return state().policy.store.put(json.dumps(raw, ensure_ascii=False, sort_keys=True).encode()), raw


def draft_from_post(raw: dict) -> LetterDraft:
    """The letter draft a stored post makes (without its attachments)."""
    received = raw.get("_received")
    return LetterDraft(channel=Channel.WEB, subject=raw["subject"], body=raw["body"], sender_name=raw["name"],
                       sender_email=raw.get("email") or "", sender_phone=raw.get("phone") or "",
                       sender_address=raw.get("address") or "", preferred_reply=raw["preferred_reply"],
                       kind=raw["kind"], consent_to_publish=bool(raw.get("consent")),
                       received_at=datetime.fromisoformat(received) if received else None, place=_place(raw))


def _place(raw: dict) -> PlaceDraft | None:
    """The pin (a point) and the typed address of the post, if any: the address is looked up in the office's list
    when there is no pin."""
    lat, lon, address = raw.get("place_lat"), raw.get("place_long"), (raw.get("place_address") or "").strip()
    if lat is not None and lon is not None:
        return PlaceDraft(lat=float(lat), lon=float(lon), address=address, source="pin")
    return PlaceDraft(address=address, source="address") if address else None


def spool(app: Flask) -> Spool:
    """The folder of letters kept while the database was away (SPOOL_DIR)."""
    return Spool(app.config["SPOOL_DIR"])


def keep(key: str, raw_sha: str, draft: LetterDraft) -> None:
    """Spool a stored post whose case could not be written: its attachments are stored too (content-addressed,
    a no-op for those already written)."""
    store = state().policy.store
    attachments = [{"filename": item.filename, "declared_type": item.declared_type or "",
                    "sha256": store.put(bytes(item.data))} for item in draft.attachments]
    spool(current_app).add(SpooledPost(key=key, raw_sha256=raw_sha, attachments=attachments))


def drain_spool(app: Flask) -> int:
    """Register the letters the spool kept (the worker runs this every minute); returns the cases opened."""
    return spool(app).drain(state(app).sessions, state(app).policy, draft_from_post, actor=CITIZEN,
                            allowed_types=LETTER_TYPES)
