"""Printable PDF reply letters: letterhead, window-envelope address block, QR code, page numbers."""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reply_render.errors import LetterError
from reply_render.assets import ASSET_SCHEME, DEFAULT_ASSETS_DIR
from reply_render.letter_words import HTML_LANG, LABELS, label, letter_date
from reply_render.qr import png_data_url, qr_png
from reply_render.render import RenderedLetter, paragraphs_html

if TYPE_CHECKING:
    from reply_render.fetcher import AssetFetcher

LAYOUT_DIR = Path(__file__).resolve().parents[1] / "templates" / "letters" / "layout"
MAX_RECIPIENT_LINES = 6  # DIN 5008 leaves six lines for the recipient in the address field
# About two lines of the address field: a very long name must leave room for the street and town, and the
# full name is in the letter's salutation anyway. The stylesheet's line limit keeps the rest in the window.
_NAME_WIDTH = 84
_MAX_FIELD_CHARS = 2_000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfficeInfo:
    """Who the letter is from, printed in the letterhead, the return line and the footer."""

    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    website: str = ""
    authority: str = ""  # the line above the office name, e.g. "City of Springfield"
    return_address: str = ""  # one-line sender shown above the recipient; built from name + address if empty
    crest: str = "crest.svg"  # file name under the letter assets folder; empty for none

    def return_line(self) -> str:
        """The small sender line printed in the envelope window."""
        if self.return_address:
            return self.return_address
        return " · ".join(part for part in (self.name, *self.address_lines) if part)


def css_string(text: str) -> str:
    """Quote ``text`` as a CSS string literal, escaping everything but letters, digits and spaces."""
    out = []
    for char in text:
        # The space after a hex escape ends it and is swallowed by CSS, so a real space that follows survives.
        out.append(char if char.isalnum() or char == " " else f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


def page_label_css(lang: str) -> str:
    """The ``content`` value for the page number, e.g. ``"Page " counter(page) " of " counter(pages)``."""
    template = label(lang, "page")
    before, _, rest = template.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    parts = [css_string(before) if before else "", "counter(page)", css_string(middle) if middle else "",
             "counter(pages)", css_string(after) if after else ""]
    return " ".join(p for p in parts if p)


def recipient_lines(name: str, address: str) -> list[str]:
    """Name and address as at most six lines; surplus address lines are joined so nothing is dropped."""
    lines = [shorten(" ".join(name.split()), _NAME_WIDTH)] if name.strip() else []
    addr = [" ".join(line.split()) for line in _clip(address).replace("\r", "\n").split("\n")]
    addr = [line for line in addr if line]
    room = MAX_RECIPIENT_LINES - len(lines)
    if len(addr) > room:
        addr = addr[: room - 1] + [", ".join(addr[room - 1:])]
    return lines + addr


def shorten(text: str, width: int) -> str:
    """Cut ``text`` to about ``width`` Latin-letter widths (a CJK character counts two), ending with "…"."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > width:
            return text[:index].rstrip() + "…"
    return text


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_FIELD_CHARS else text[:_MAX_FIELD_CHARS] + "…"


def _layout_env() -> Environment:
    # Our own layout, never admin-edited; autoescape makes every citizen-supplied value literal text.
    return Environment(loader=FileSystemLoader(str(LAYOUT_DIR)), autoescape=select_autoescape(default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def letter_html(rendered: RenderedLetter, *, recipient_name: str, recipient_address: str,
                date: Date | datetime | str, case_number: str, tracking_url: str, office: OfficeInfo,
                tracking_code: str = "", qr: bool = True, fetcher: "AssetFetcher | None" = None) -> str:
    """The HTML document ``letter_pdf`` prints; generated data URLs are registered with ``fetcher``."""
    if not isinstance(rendered, RenderedLetter):
        raise LetterError("letter_pdf needs a RenderedLetter")
    if not isinstance(office, OfficeInfo):
        raise LetterError("letter_pdf needs an OfficeInfo for the letterhead")
    if not isinstance(date, (Date, str)):
        raise LetterError(f"the letter date must be a date or text, not {type(date).__name__}")
    recipient_name, recipient_address, case_number, tracking_url, tracking_code = (
        "" if value is None else str(value)
        for value in (recipient_name, recipient_address, case_number, tracking_url, tracking_code))
    lang = rendered.lang if rendered.lang in LABELS else "en"
    qr_url = ""
    if qr and tracking_url:
        qr_url = png_data_url(qr_png(tracking_url))
        if fetcher is not None:
            fetcher.allow_data(qr_url)
    crest_url = ASSET_SCHEME + office.crest if office.crest else ""
    return _layout_env().get_template("letter.html").render(
        html_lang=HTML_LANG.get(lang, "en"),
        labels=LABELS[lang],
        # Margin-box texts are CSS strings; css_string() escapes every character that could end them.
        page_label_css=Markup(page_label_css(lang)),
        case_ref_css=Markup(css_string(f"{label(lang, 'case_number')} {case_number}")),
        footer_css=Markup(css_string(" · ".join(
            [office.name] + ([f"{label(lang, 'phone')} {office.phone}"] if office.phone else [])))),
        subject=rendered.subject,
        body_html=Markup(paragraphs_html(rendered.text, link_url=tracking_url)),
        office=office,
        return_line=office.return_line(),
        recipient_lines=recipient_lines(recipient_name, recipient_address),
        date=letter_date(date, lang),
        case_number=case_number,
        tracking_code=tracking_code,
        qr_url=qr_url,
        crest_url=crest_url,
    )


def letter_pdf(rendered: RenderedLetter, *, recipient_name: str, recipient_address: str,
               date: Date | datetime | str, case_number: str, tracking_url: str, office: OfficeInfo,
               tracking_code: str = "", qr: bool = True, assets_dir: Path = DEFAULT_ASSETS_DIR,
               url_fetcher: "AssetFetcher | None" = None) -> bytes:
    """A printable A4 PDF of ``rendered`` for the post: letterhead, address in the envelope window,
    date/case/tracking block with a QR code of ``tracking_url``, and "Page n of m" on every page.

    Only bundled assets (``assets_dir``) and images generated here are loaded; pass your own
    ``url_fetcher`` to inspect what was requested. Raises ``LetterError`` if the PDF cannot be made.
    """
    # Imported late: WeasyPrint loads Pango and fonts (half a second), which only PDF work needs.
    from weasyprint import HTML

    from reply_render.fetcher import AssetFetcher

    fetcher = url_fetcher if url_fetcher is not None else AssetFetcher(assets_dir)
    html = letter_html(rendered, recipient_name=recipient_name, recipient_address=recipient_address, date=date,
                       case_number=case_number, tracking_url=tracking_url, office=office,
                       tracking_code=tracking_code, qr=qr, fetcher=fetcher)
    try:
        pdf = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    except Exception as error:  # WeasyPrint raises many types; the caller needs one with a reason
        raise LetterError(f"the letter PDF could not be produced: {type(error).__name__}: {error}") from error
    if fetcher.refused:
        log.warning("letter PDF for %s: refused to load %d resource(s)", case_number, len(fetcher.refused))
    return pdf
