"""Domain errors: each carries a message a person can read; the web layer shows it as a flash message."""


class CaseError(Exception):
    """Base of every error the case services raise on purpose."""


class TransitionError(CaseError):
    """The action is not allowed in the case's status or for the user's role."""


class RoleRefused(TransitionError):
    """The action is allowed in the case's status, but not for the user's role; ``action`` names it."""

    def __init__(self, message: str, action: str) -> None:
        super().__init__(message)
        self.action = action


class NotFound(CaseError):
    """The item does not exist, or the user may not see it (the two look the same on purpose)."""


class ValidationError(CaseError):
    """Input the services refuse (missing reason, unknown unit, ...)."""


class UploadRejected(ValidationError):
    """A file whose bytes are not an allowed type or that is too large."""
