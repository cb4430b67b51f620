"""Domain errors: each carries a message a person can read; the web layer shows it in the reader's language.

A message is English text with named ``%(name)s`` parameters, marked with :func:`N_` where it is written so that
the message catalogs pick it up; ``str(error)`` is the English text filled in (logs, the command line), and the web
layer translates ``error.message`` and fills in ``error.params`` (see ``web/domain_text.py``)."""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the UI catalogs; it is translated where it is shown, not here."""
    return message


class Code(str):
    """A parameter that is a code value (a status, an action, a role): shown by its translated label."""

    def __new__(cls, value: object) -> Code:
        return super().__new__(cls, getattr(value, "value", value))


class CaseError(Exception):
    """Base of every error the case services raise on purpose; ``message`` with ``params`` filled in is its text."""

    def __init__(self, message: str = "", **params: object) -> None:
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


class TransitionError(CaseError):
    """The action is not allowed in the case's status or for the user's role."""


class RoleRefused(TransitionError):
    """The action is allowed in the case's status, but not for the user's role; ``action`` names it."""

    def __init__(self, message: str, action: str, /, **params: object) -> None:
        super().__init__(message, **params)
        self.action = action


class NotFound(CaseError):
    """The item does not exist, or the user may not see it (the two look the same on purpose)."""


class ValidationError(CaseError):
    """Input the services refuse (missing reason, unknown unit, ...)."""


class UploadRejected(ValidationError):
    """A file whose bytes are not an allowed type or that is too large."""
