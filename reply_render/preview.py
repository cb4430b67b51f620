"""Preview a letter template as a PDF with the sample values (for the admin's template editor)."""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from reply_render.defaults import default_template
from reply_render.pdf import OfficeInfo, letter_pdf
from reply_render.placeholders import sample_context
from reply_render.render import render_letter

SAMPLE_OFFICES = {
    "zh": OfficeInfo(name="市长信箱办公室", authority="春田市人民政府", address_lines=("春田市市政广场1号", "邮编 100100"),
                     phone="12345", email="mailbox@springfield.example.gov", website="mailbox.springfield.example.gov"),
    "es": OfficeInfo(name="Oficina del Buzón del Alcalde", authority="Ayuntamiento de Springfield",
                     address_lines=("Plaza del Ayuntamiento 1", "10100 Springfield"), phone="12345",
                     email="mailbox@springfield.example.gov", website="mailbox.springfield.example.gov"),
}
SAMPLE_OFFICE = OfficeInfo(
    name="Mayor's Mailbox Office", authority="City of Springfield",
    address_lines=("1 City Hall Square", "Springfield 10100"), phone="12345",
    email="mailbox@springfield.example.gov", website="mailbox.springfield.example.gov",
)


def preview_pdf(source: str, *, lang: str = "en", office: OfficeInfo | None = None,
                context: dict | None = None) -> bytes:
    """Render ``source`` with the sample values (or ``context``) into a postal PDF.

    Raises ``TemplateRejected`` for a template that does not validate.
    """
    values = dict(sample_context(lang), **(context or {}))
    rendered = render_letter(source, values, lang=lang)
    return letter_pdf(rendered, recipient_name=values["citizen_name"], recipient_address=values["citizen_address"],
                      date=date.today(), case_number=values["case_number"], tracking_url=values["tracking_url"],
                      tracking_code=values["tracking_code"],
                      office=office or SAMPLE_OFFICES.get(lang, SAMPLE_OFFICE))


def main(argv: list[str] | None = None) -> None:
    """``python -m reply_render.preview OUT.pdf --purpose reply --lang zh``: write a sample letter."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--purpose", default="reply")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)
    args.out.write_bytes(preview_pdf(default_template(args.purpose, args.lang), lang=args.lang))


if __name__ == "__main__":
    main()
