"""The domain's refusals as the case page says them: in the reader's language, never naming an internal action."""
from __future__ import annotations

from flask_babel import gettext as _

from cases.errors import CaseError, NotFound, RoleRefused, TransitionError
from cases.models import Case
from web.code_labels import label
from web.domain_text import say


def error_message(error: CaseError, case: Case) -> str:
    """What to tell the user when a case action was refused with ``error``."""
    if isinstance(error, RoleRefused):
        return _("Your role may not do this.")
    if isinstance(error, TransitionError):
        # Another user acted first (or the page was old): say where the case is now, not the rule's wording.
        return _("This action is not possible now: the case is %(status)s.", status=label(case.status))
    if isinstance(error, NotFound):
        return _("No such case.")
    return say(error)
