"""Reply letters: admin-editable Jinja templates rendered in a sandbox, and the forms a reply goes out in
(plain-text and HTML e-mail, printable PDF with letterhead and QR code, a phone script). Pure rendering:
no database, no Flask request; the caller supplies every value.
"""
from reply_render.combine import combine_pdfs
from reply_render.defaults import PURPOSES, default_template, default_templates
from reply_render.errors import LetterError, TemplateRejected, UnknownTemplate
from reply_render.pdf import OfficeInfo, letter_html, letter_pdf
from reply_render.phone import call_script
from reply_render.placeholders import PLACEHOLDERS, Placeholder, placeholder_descriptions, sample_context
from reply_render.qr import qr_matrix, qr_png
from reply_render.render import LANGUAGES, RenderedLetter, email_parts, render_letter, validate_template



def __getattr__(name: str) -> object:
    # AssetFetcher subclasses WeasyPrint's fetcher; load WeasyPrint only when someone asks for it.
    if name == "AssetFetcher":
        from reply_render.fetcher import AssetFetcher

        return AssetFetcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LANGUAGES", "PLACEHOLDERS", "PURPOSES", "AssetFetcher", "LetterError", "OfficeInfo", "Placeholder",
    "RenderedLetter", "TemplateRejected", "UnknownTemplate", "call_script", "combine_pdfs", "default_template",
    "default_templates", "email_parts", "letter_html", "letter_pdf", "placeholder_descriptions", "qr_matrix",
    "qr_png", "render_letter", "sample_context", "validate_template",
]
