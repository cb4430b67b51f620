"""Ways into a private case found in a text meant for the public: tracking links, tracking codes and the office's
own (internal) addresses. Published texts are stripped of them; the review screen lists what was found.

A tracking code is a secret that opens a case's tracking page (its letters, replies, and the form that closes it),
so anything shaped like one goes, and so does every link to the office's own hosts or to a private network.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

LINK_MARK, CODE_MARK = "[link]", "[code]"

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL = re.compile(rf"(?:https?://|www\.){_URL_CHARS}+|(?<![\w/])/(?:track|cases|desk|unit|supervis\w*|admin|"
                  rf"disclosure|search|scans|quarantine|letters|replies)\b{_URL_CHARS}*", re.I)
_CODE_ALPHABET = "A-HJ-NP-Z2-9"
# The stored form ``ABCD-EFGH-JK`` in any case; spaced or unbroken only in capitals with a digit, so that words
# like "lamp post at" are not taken for one.
_CODE_DASHED = re.compile(rf"(?<![\w-])[{_CODE_ALPHABET}]{{4}}-[{_CODE_ALPHABET}]{{4}}-[{_CODE_ALPHABET}]{{2}}(?![\w-])",
                          re.I)
_CODE_LOOSE = re.compile(rf"(?<![\w-])(?=[A-Z ]*[2-9])[{_CODE_ALPHABET}]{{4}} ?[{_CODE_ALPHABET}]{{4}} ?"
                         rf"[{_CODE_ALPHABET}]{{2}}(?![\w-])")
# After a cue word ("tracking code", 查询码, código de seguimiento, ...) any ten letters and digits are a code.
_CODE_CUED = re.compile(r"((?:tracking\s+code|tracking\s+number|code|c[oó]digo(?:\s+de\s+seguimiento)?|查询码|"
                        r"查詢碼|追踪码|跟踪码|验证码)\s*(?:is|es|为|是|:|：)?\s*)"
                        r"((?:[A-Za-z0-9][\s-]?){9}[A-Za-z0-9])(?![A-Za-z0-9])", re.I)
_PRIVATE_SUFFIXES = (".local", ".internal", ".lan", ".intranet", ".corp", ".home.arpa", "localhost")
_TRAILING = ".,;:!?)]'"


def _host_of(url: str) -> str:
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _private_host(host: str) -> bool:
    if not host or "." not in host or host.endswith(_PRIVATE_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


@dataclass(frozen=True)
class WaysIn:
    """Finds and strips ways into private cases; ``office_hosts`` are the office's own host names."""

    office_hosts: tuple[str, ...] = ()

    @classmethod
    def for_office(cls, urls: Iterable[str]) -> WaysIn:
        """From the office's base URLs or bare host names (the public site, the staff site, ...)."""
        hosts = {_host_of(u if "://" in u else f"http://{u}") for u in urls if u}
        return cls(office_hosts=tuple(sorted(h for h in hosts if h)))

    def _link_opens_case(self, url: str) -> bool:
        if url.startswith("/"):
            return True
        host = _host_of(url)
        lowered = url.lower()
        return (host in self.office_hosts or _private_host(host) or "/track" in lowered or "code=" in lowered
                or "token=" in lowered)

    def _links(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for match in _URL.finditer(text):
            start, end = match.span()
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            if self._link_opens_case(text[start:end]):
                spans.append((start, end))
        return spans

    @staticmethod
    def _codes(text: str, known: Iterable[str]) -> list[tuple[int, int]]:
        spans = [m.span() for m in _CODE_DASHED.finditer(text)] + [m.span() for m in _CODE_LOOSE.finditer(text)]
        # A case number (digits only) after "código" is public; a code always has letters.
        spans += [m.span(2) for m in _CODE_CUED.finditer(text) if re.search(r"[A-Za-z]", m.group(2))
                  and (re.search(r"\d", m.group(2)) or m.group(2).isupper())]
        for code in known:
            raw = re.sub(r"[^A-Za-z0-9]", "", code or "")
            if len(raw) >= 6:
                loose = r"[\s-]?".join(re.escape(c) for c in raw)
                spans += [m.span() for m in re.finditer(loose, text, re.I)]
        return spans

    def find(self, text: str, known_codes: Iterable[str] = ()) -> list[str]:
        """Every link and code in ``text`` that could open a private case, in order of appearance."""
        text = text or ""
        spans = sorted(set(self._links(text)) | set(self._codes(text, known_codes)))
        return [text[a:b] for a, b in spans]

    def strip(self, text: str, known_codes: Iterable[str] = ()) -> tuple[str, int]:
        """``text`` with every way in replaced by a mark, and how many were replaced."""
        text = text or ""
        marked = [(a, b, LINK_MARK) for a, b in self._links(text)]
        marked += [(a, b, CODE_MARK) for a, b in self._codes(text, known_codes)]
        out, pos, count = [], 0, 0
        for start, end, mark in sorted(marked):
            if start < pos:  # inside a span already replaced (a code within a link)
                continue
            out.append(text[pos:start] + mark)
            pos, count = end, count + 1
        out.append(text[pos:])
        return "".join(out), count
