"""Exceptions of the reply-letter package: every failure is one of these, with a human-readable reason."""
from __future__ import annotations


class LetterError(Exception):
    """A reply letter could not be produced; ``str(error)`` says why in words an office clerk understands."""


class TemplateRejected(LetterError):
    """A letter template failed validation or rendering; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors) or "the template was rejected")


class UnknownTemplate(LetterError):
    """No default template exists for the requested purpose and language."""
