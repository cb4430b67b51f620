"""Reply letters: admin-editable Jinja templates rendered in a sandbox, and the forms a reply goes out in
(plain-text and HTML e-mail, printable PDF with letterhead and QR code, a phone script). Pure rendering:
no database, no Flask request; the caller supplies every value.
"""
from web.replies.combine import combine_pdfs
from web.replies.defaults import PURPOSES, default_template, default_templates
from web.replies.errors import LetterError, TemplateRejected, UnknownTemplate
from web.replies.pdf import OfficeInfo, letter_html, letter_pdf
from web.replies.phone import call_script
from web.replies.placeholders import PLACEHOLDERS, Placeholder, placeholder_descriptions, sample_context
from web.replies.qr import qr_matrix, qr_png
from web.replies.render import LANGUAGES, RenderedLetter, email_parts, render_letter, validate_template



def __getattr__(name: str) -> object:
    # AssetFetcher subclasses WeasyPrint's fetcher; load WeasyPrint only when someone asks for it.
    if name == "AssetFetcher":
        from web.replies.fetcher import AssetFetcher

        return AssetFetcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LANGUAGES", "PLACEHOLDERS", "PURPOSES", "AssetFetcher", "LetterError", "OfficeInfo", "Placeholder",
    "RenderedLetter", "TemplateRejected", "UnknownTemplate", "call_script", "combine_pdfs", "default_template",
    "default_templates", "email_parts", "letter_html", "letter_pdf", "placeholder_descriptions", "qr_matrix",
    "qr_png", "render_letter", "sample_context", "validate_template",
]
