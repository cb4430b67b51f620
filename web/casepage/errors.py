"""The domain's refusals as the case page says them: in the reader's language, never naming an internal action.

``cases`` words its errors in English for logs and the command line; the messages a case action can end with
are listed here so that they are extracted for translation."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cases.errors import CaseError, NotFound, RoleRefused, TransitionError
from cases.models import Case
from web.code_labels import label

MESSAGES = {str(m): m for m in (
    _l("A case cannot be merged into itself."),
    _l("A reply on this case is already waiting for a supervisor's approval."),
    _l("An extension request is already waiting for approval."),
    _l("Choose a category before dispatching."),
    _l("Choose an active unit."),
    _l("Choose how the answer was given: on the call, by email or by post."),
    _l("Choose satisfied, basically satisfied or unsatisfied."),
    _l("Some of the chosen articles do not exist."),
    _l("The citizen gave no email address: answer on the call or by post."),
    _l("The citizen gave no email address: reply by post or phone."),
    _l("The citizen gave no postal address: answer on the call or by email."),
    _l("The citizen gave no postal address: reply by email or phone."),
    _l("The main case is itself merged or invalid."),
    _l("There is no extension request on this case."),
    _l("There is no reply waiting for approval on this case."),
    _l("This case has already been rated."),
    _l("This case is not merged into another case."),
    _l("Unknown category."),
    _l("Unknown reply channel."),
)}


def error_message(error: CaseError, case: Case) -> str:
    """What to tell the user when a case action was refused with ``error``."""
    if isinstance(error, RoleRefused):
        return _("Your role may not do this.")
    if isinstance(error, TransitionError):
        # Another user acted first (or the page was old): say where the case is now, not the rule's wording.
        return _("This action is not possible now: the case is %(status)s.", status=label(case.status))
    if isinstance(error, NotFound):
        return _("No such case.")
    text = str(error)
    with_english = MESSAGES.get(text)
    return str(with_english) if with_english is not None else text
