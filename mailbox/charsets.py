"""Turning bytes in any declared (or wrongly declared) charset into text, recording every guess.

Mail in the wild often declares a charset smaller than what it really uses (GB2312 text with GBK characters,
ISO-8859-1 text with Windows-1252 quotes), so declared charsets are widened to a superset first.
"""
from __future__ import annotations

import codecs
import re

# Declared charset -> the superset we decode with. Keys are normalised (lower case, no "_" / "-").
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "xgbk": "gb18030",
    "cp936": "gb18030",
    "euccn": "gb18030",
    "xeuccn": "gb18030",
    "gb231280": "gb18030",
    "csgb2312": "gb18030",
    "hzgb2312": "hz",
    "big5": "big5hkscs",
    "xxbig5": "big5hkscs",
    "cnbig5": "big5hkscs",
    "cp950": "big5hkscs",
    "iso2022jp": "iso2022_jp_ext",
    "shiftjis": "cp932",
    "sjis": "cp932",
    "xsjis": "cp932",
    "eucjp": "euc_jis_2004",
    "euckr": "cp949",
    "ksc56011987": "cp949",
    "iso88591": "cp1252",
    "latin1": "cp1252",
    "iso885911": "cp874",
    "tis620": "cp874",
    "utf8": "utf-8",
}
# Labels that say "we do not know".
UNKNOWN_LABELS = {"unknown8bit", "xunknown", "unknown", "default", "8bit", "xuserdefined", ""}


def _key(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "", label.lower())


def codec_for(label: str | None) -> str | None:
    """The Python codec to decode a declared charset with (widened to a superset), or None if unknown."""
    if label is None:
        return None
    key = _key(label)
    if key in UNKNOWN_LABELS:
        return None
    name = SUPERSETS.get(key, label.strip().strip('"').lower())
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # Only text encodings: "rot13", "base64" and the like are codecs too.
    if getattr(info, "_is_text_encoding", True) is False:
        return None
    return info.name


def decode_bytes(data: bytes, declared: str | None, notes: list[str] | None = None, where: str = "body") -> str:
    """Decode ``data`` declared as ``declared``; never fails.

    Order: the declared charset (widened), then UTF-8, then GB18030 (common undeclared CJK mail), then Windows-1252
    with replacement. Any step past the declared charset is recorded in ``notes``.
    """
    notes = notes if notes is not None else []
    codec = codec_for(declared)
    if codec == "ascii":
        # Plain ASCII declared (or defaulted) but 8-bit bytes present: guess like an undeclared part.
        if data.isascii():
            return data.decode("ascii")
        codec = None
    if codec:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    elif declared and codec_for(declared) is None and _key(declared) not in UNKNOWN_LABELS:
        notes.append(f"unknown charset in {where}: {declared}")
    if not data.isascii() or codec is None:
        for fallback in ("utf-8", "gb18030"):
            if fallback == codec:
                continue
            try:
                text = data.decode(fallback)
            except UnicodeDecodeError:
                continue
            if declared or not data.isascii():
                notes.append(f"charset fallback in {where}: declared {declared or 'none'}, decoded as {fallback}")
            return text
    if codec:
        notes.append(f"charset fallback in {where}: {declared} with replacement characters")
        return data.decode(codec, errors="replace")
    notes.append(f"charset fallback in {where}: declared {declared or 'none'}, decoded as windows-1252")
    return data.decode("cp1252", errors="replace")
