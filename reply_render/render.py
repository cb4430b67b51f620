"""Validate and render a letter template into subject, plain text and escaped HTML paragraphs."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from markupsafe import Markup, escape

from reply_render.errors import TemplateRejected
from reply_render.letter_words import HTML_LANG
from reply_render.placeholders import normalize_context
from reply_render.sandbox import MAX_SOURCE_CHARS, LetterSandbox, prepare_source, render_bounded, static_problems

LANGUAGES: tuple[str, ...] = ("en", "zh", "es")
SUBJECT_PREFIX = "Subject:"
MAX_SUBJECT_CHARS = 300
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")


@dataclass(frozen=True)
class RenderedLetter:
    """One rendered letter: ``text`` is the plain body, ``html`` the same body as escaped ``<p>`` paragraphs."""

    subject: str
    text: str
    html: str
    lang: str = "en"
    tracking_url: str = ""  # the one address the HTML forms may turn into a link

    @classmethod
    def from_text(cls, subject: str, text: str, *, lang: str = "en", tracking_url: str = "") -> "RenderedLetter":
        """Rebuild a letter from its stored subject and plain text (e.g. a reply kept exactly as sent)."""
        return cls(subject=subject, text=text, html=paragraphs_html(text, link_url=tracking_url), lang=lang,
                   tracking_url=tracking_url)

    @property
    def paragraphs(self) -> list[str]:
        """The body split at blank lines; each paragraph keeps its single line breaks."""
        return split_paragraphs(self.text)


def split_paragraphs(text: str) -> list[str]:
    """Split plain text at blank lines, dropping empty pieces."""
    return [p.strip("\n") for p in _BLANK_LINES.split(text.strip("\n")) if p.strip()]


def paragraphs_html(text: str, *, link_url: str = "") -> str:
    """Plain text -> ``<p>`` paragraphs with ``<br>`` line breaks, every character escaped.

    Only ``link_url`` (our own tracking address) becomes a link: other addresses in the text may come from a
    citizen and stay plain text, so a letter from the office never carries a link the office did not write.
    """
    linkable = link_url if link_url.startswith(("https://", "http://")) else ""
    out = []
    for para in split_paragraphs(text):
        lines = []
        for line in para.split("\n"):
            html = str(escape(line))
            if linkable:
                safe = str(escape(linkable))
                html = html.replace(safe, f'<a href="{safe}">{safe}</a>')
            lines.append(html)
        out.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(out)


def _syntax_message(error: TemplateSyntaxError) -> str:
    return f"line {error.lineno}: syntax error: {error.message}"


def _check_and_render(source: str, context: Mapping[str, Any], lang: str = "en") -> tuple[list[str], str]:
    """Return (problems, rendered text); rendered text is empty when there are problems."""
    if not isinstance(source, str):
        return ["the template must be text"], ""
    if not isinstance(context, Mapping):
        return ["the letter values must be a mapping of placeholder names to values"], ""
    if len(source) > MAX_SOURCE_CHARS:
        return [f"the template is longer than {MAX_SOURCE_CHARS} characters"], ""
    env = LetterSandbox()
    try:
        tree = env.parse(prepare_source(source))
    except TemplateSyntaxError as error:
        return [_syntax_message(error)], ""
    problems = static_problems(tree)
    if problems:
        return problems, ""
    try:
        text = render_bounded(env, source, normalize_context(context, lang))
    except TemplateSyntaxError as error:
        return [_syntax_message(error)], ""
    except SecurityError as error:
        return [f"not allowed: {error}"], ""
    except UndefinedError as error:
        return [f"missing value: {error}"], ""
    except TemplateError as error:
        return [f"template error: {error}"], ""
    except (TypeError, ValueError, ArithmeticError, RecursionError) as error:
        return [f"template error: {type(error).__name__}: {error}"], ""
    return [], text


def _split_subject(text: str) -> tuple[list[str], str, str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n")
    first, _, body = text.partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        return [f"the first line must start with '{SUBJECT_PREFIX}'"], "", ""
    subject = " ".join(first[len(SUBJECT_PREFIX):].split())
    errors = []
    if not subject:
        errors.append("the subject line is empty")
    elif len(subject) > MAX_SUBJECT_CHARS:
        errors.append(f"the subject is longer than {MAX_SUBJECT_CHARS} characters")
    body = "\n".join(line.rstrip() for line in body.split("\n")).strip("\n")
    if not body.strip():
        errors.append("the letter body is empty")
    return errors, subject, body


def validate_template(source: str, sample_context: dict) -> list[str]:
    """Check an admin's template before it is saved; return human-readable problems (empty list: fine).

    Refused: syntax errors, placeholders outside the documented list, attribute access, calls, loops and
    other constructs outside the letter subset, sandbox violations, a missing or empty ``Subject:`` line.
    The template is rendered against ``sample_context`` so errors surface now rather than at a citizen.
    """
    problems, text = _check_and_render(source, sample_context)
    if problems:
        return problems
    problems, _subject, _body = _split_subject(text)
    return problems


def render_letter(source: str, context: dict, *, lang: str = "en") -> RenderedLetter:
    """Render a letter template with a case's values; raises ``TemplateRejected`` listing every problem.

    ``context`` holds placeholder values (strings, dates, ``None`` for empty); unknown keys are ignored.
    ``lang`` ('en', 'zh', 'es') picks fonts, page labels and the HTML ``lang`` attribute downstream.
    """
    if lang not in LANGUAGES:
        raise TemplateRejected([f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}"])
    problems, text = _check_and_render(source, context, lang)
    if problems:
        raise TemplateRejected(problems)
    problems, subject, body = _split_subject(text)
    if problems:
        raise TemplateRejected(problems)
    return RenderedLetter.from_text(subject, body, lang=lang, tracking_url=str(context.get("tracking_url") or ""))


_EMAIL_HTML = """<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{subject}</title></head>
<body style="font-family: Arial, 'Noto Sans CJK SC', sans-serif; font-size: 15px; line-height: 1.5;\
 color: #1a1a1a; max-width: 40em;">
{body}
</body>
</html>
"""


def email_parts(rendered: RenderedLetter) -> tuple[str, str]:
    """The plain-text and HTML parts of the reply e-mail; the HTML is a complete document of escaped paragraphs.

    The HTML is rebuilt from ``rendered.text`` rather than trusting ``rendered.html``, so a letter object
    assembled elsewhere cannot smuggle markup into the e-mail.
    """
    body = paragraphs_html(rendered.text, link_url=rendered.tracking_url)
    html = _EMAIL_HTML.format(lang=escape(HTML_LANG.get(rendered.lang, "en")), subject=escape(rendered.subject),
                              body=Markup(body))
    return rendered.text + "\n", html
