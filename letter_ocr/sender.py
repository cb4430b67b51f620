"""Best-effort guess of the sender's name and address from a letter's recognised text.

This is a hint for the clerk who registers the letter, never a fact: it returns ``(None, None)`` rather than
guess wildly, and it will be wrong for unusual layouts. Rules, first match wins:

1. labelled fields: ``Name:``/``Nombre:``/``姓名：`` and ``Address:``/``Dirección:``/``地址：``;
2. a ``From:``/``De:``/``发件人：``/``寄信人：`` line: the rest of the line (or the next line) is the name, the
   following lines up to a blank line the address;
3. the signature after a closing phrase (``Sincerely,``, ``Regards,``, ``Atentamente,``, ``Saludos,``,
   ``此致敬礼``...): the first line after it is the name, the next few short lines the address;
4. the top-left block: a first paragraph of 2-5 short lines that contains a digit (a house number or postcode)
   is read as name (first line) and address (the rest).
"""

from __future__ import annotations

import re

_NAME_LABEL = re.compile(r"^\s*(?:name|full name|nombre(?: y apellidos)?|姓名|名字|联系人)\s*[:：]\s*(.+)$", re.I)
_ADDRESS_LABEL = re.compile(r"^\s*(?:address|home address|direcci[oó]n|domicilio|地址|住址|联系地址)\s*[:：]\s*(.+)$", re.I)
_FROM = re.compile(r"^\s*(?:from|de|remitente|sender|发件人|寄信人|来信人)\s*[:：]\s*(.*)$", re.I)
_CLOSING = re.compile(
    r"^\s*(?:yours\s+(?:sincerely|faithfully|truly)|sincerely(?:\s+yours)?|best\s+regards|kind\s+regards|"
    r"warm\s+regards|regards|respectfully(?:\s+yours)?|thank\s+you|thanks|atentamente|cordialmente|"
    r"saludos(?:\s+cordiales)?|un\s+saludo|muchas\s+gracias|reciba\s+un\s+cordial\s+saludo|"
    r"此致(?:\s*敬礼)?|敬礼|此致敬礼)\s*[,，.!！。]*\s*$",
    re.I,
)
_CJK_SALUTE = re.compile(r"^\s*(?:敬礼|致礼|祝好|顺祝商祺)\s*[!！。]*\s*$")
_DATE = re.compile(r"(\d{4}\s*[-/年.]\s*\d{1,2})|(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})|^\s*\d{1,2}\s+\w+\s+\d{4}\s*$")
_PHONE_OR_MAIL = re.compile(r"(@|\b(?:tel|phone|tel[eé]fono|电话|手机)\b|\+?\d[\d\s-]{7,}\d)", re.I)


def _clean(line: str) -> str:
    return " ".join(line.split()).strip(" ,;")


def _plausible_name(line: str) -> bool:
    line = _clean(line)
    if not line or len(line) > 60 or _DATE.search(line) or _PHONE_OR_MAIL.search(line):
        return False
    if sum(c.isdigit() for c in line) > 0:
        return False
    return len(line.split()) <= 6


def _address_lines(lines: list[str], start: int, limit: int = 4) -> str | None:
    out = []
    for line in lines[start : start + limit]:
        text = _clean(line)
        if not text or _DATE.search(text) or _PHONE_OR_MAIL.search(text) or len(text) > 80:
            break
        out.append(text)
    return ", ".join(out) or None


def guess_sender(text: str) -> tuple[str | None, str | None]:
    """Return ``(name, address)`` of the likely sender; either may be ``None``. Best effort, see module doc."""
    lines = [line.rstrip() for line in (text or "").splitlines()]

    name = address = None
    for line in lines:
        if name is None and (m := _NAME_LABEL.match(line)):
            name = _clean(m.group(1))
        if address is None and (m := _ADDRESS_LABEL.match(line)):
            address = _clean(m.group(1))
    if name or address:
        return name, address

    for i, line in enumerate(lines):
        if m := _FROM.match(line):
            rest = _clean(m.group(1))
            if rest:
                return rest, _address_lines(lines, i + 1)
            following = [j for j in range(i + 1, min(i + 3, len(lines))) if _clean(lines[j])]
            if following:
                j = following[0]
                return _clean(lines[j]), _address_lines(lines, j + 1)

    closings = [i for i, line in enumerate(lines) if _CLOSING.match(line)]
    if closings:
        i = closings[-1] + 1
        while i < len(lines) and (not _clean(lines[i]) or _CJK_SALUTE.match(lines[i])):
            i += 1
        if i < len(lines) and _plausible_name(lines[i]):
            return _clean(lines[i]), _address_lines(lines, i + 1)

    block: list[str] = []
    for line in lines:
        if not _clean(line):
            if block:
                break
            continue
        block.append(_clean(line))
    if 2 <= len(block) <= 5 and all(len(b) <= 60 for b in block) and any(c.isdigit() for c in "".join(block[1:])):
        if _plausible_name(block[0]):
            return block[0], ", ".join(b for b in block[1:] if not _PHONE_OR_MAIL.search(b)) or None
    return None, None
