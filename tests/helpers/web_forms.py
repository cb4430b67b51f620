"""The citizens' letter form as tests fill it in: a valid form, a submitted letter, a unit's id."""
from __future__ import annotations

import io
import re

from PIL import Image
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cases.models import Unit
from web.app_state import state


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


def letter_form(**over: object) -> dict:
    data = {"kind": "report", "subject": "Broken pavement", "body": "The pavement on Elm Street is broken.",
            "name": "Ana Ruiz", "phone": "", "email": "ana@example.org", "address": "", "preferred_reply": "email"}
    data.update(over)
    return data


def submit_letter(client: FlaskClient, **over: object) -> tuple[str, str]:
    response = client.post("/write", data=letter_form(**over), content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get("/write/sent").get_data(as_text=True)
    number = re.search(r'id="case-number">([^<]+)<', page).group(1)
    code = re.search(r'id="tracking-code">([^<]+)<', page).group(1)
    return number, code


def unit_id(app: Flask, name: str) -> int:
    with state(app).sessions() as s:
        return s.scalar(select(Unit.id).where(Unit.name == name))
