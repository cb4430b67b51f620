"""Texts stored with a case (timeline notes, deadline explanations) as a message and its parameters, so that each
reader sees them in their own language.

A text is ``{"msg": message, "params": {...}}`` with ``message`` English marked with :func:`cases.errors.N_`; a
parameter is a plain value, another text, ``{"code": value}`` (shown by the code's translated label), or
``{"unit": name}`` / ``{"category": name}`` (shown by the item's name in the reader's language). It is JSON, kept in
an event's ``data``; :func:`english` fills it in for the stored English note, the web layer translates it."""
from __future__ import annotations

from typing import Any

Text = dict[str, Any]


def text(message: str, **params: object) -> Text:
    """A stored text: ``message`` (marked with ``N_``) with its named parameters."""
    return {"msg": message, "params": params}


def code(value: object) -> dict[str, str]:
    """A parameter shown by its code value's translated label."""
    return {"code": str(getattr(value, "value", value))}


def unit(name: str) -> dict[str, str]:
    """A parameter naming a unit by its main name."""
    return {"unit": name}


def category(name: str) -> dict[str, str]:
    """A parameter naming a category by its main name."""
    return {"category": name}


def is_text(value: object) -> bool:
    """Whether ``value`` is a stored text (and not a plain value or another parameter form)."""
    return isinstance(value, dict) and "msg" in value


def render(value: object, message: Any, code_label: Any, named: Any) -> str:
    """``value`` filled in: texts through ``message(msg, **params)``, codes through ``code_label``, units and
    categories through ``named(name, kind)``; the English and the translated renderings share this walk."""
    if is_text(value):
        params = {name: render(part, message, code_label, named) for name, part in value.get("params", {}).items()}
        return message(value["msg"], **params)
    if isinstance(value, dict):
        if "code" in value:
            return code_label(value["code"])
        for kind in ("unit", "category"):
            if kind in value:
                return named(value[kind], kind)
    return str(value)


def english(value: object) -> str:
    """``value`` in English, as it is kept in a note."""
    return render(value, lambda msg, **params: msg % params if params else msg, str, lambda name, kind: name)
