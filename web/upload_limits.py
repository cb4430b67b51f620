"""How much of a post is read. MAX_CONTENT_LENGTH is the most an upload may be; a citizen's letter that is larger
(up to LETTER_POST_READ_BYTES) is still read, so that the form comes back filled in with a message next to the
files instead of an error page that loses the letter. The files of such a post are refused, never stored."""
from __future__ import annotations

from flask import Flask, current_app, request

from web.i18n import CatalogRequest

# Forms whose posts are read past MAX_CONTENT_LENGTH and answered with the form refilled.
REFILLED_FORMS = frozenset({"public.write"})


class MailboxRequest(CatalogRequest):
    """The app's one request class: WTForms' catalog from the process's cache (``web.i18n``), and posts of the
    forms in ``REFILLED_FORMS`` read up to LETTER_POST_READ_BYTES."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self._max_content_length is None and current_app and self.endpoint in REFILLED_FORMS:
            return int(current_app.config["LETTER_POST_READ_BYTES"])
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def over_limit() -> bool:
    """Whether this request's body is larger than MAX_CONTENT_LENGTH (read only because its form is refilled)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return bool(limit) and (request.content_length or 0) > int(limit)


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}"


def init_app(app: Flask) -> None:
    app.request_class = MailboxRequest
    app.jinja_env.globals["upload_limits"] = lambda: {
        "file": int(app.config["MAX_ATTACHMENT_BYTES"]), "audio": int(app.config["MAX_AUDIO_BYTES"]),
        "total": int(app.config["MAX_CONTENT_LENGTH"]), "count": int(app.config["MAX_ATTACHMENTS"])}
