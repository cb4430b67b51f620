"""Password rules for staff accounts: long enough, and not easy to guess by zxcvbn's estimate.

zxcvbn looks for what attackers try first: common passwords, words, names, dates, keyboard walks, repeats,
sequences and the user's own names. A score of 3 means about 10^8 guesses or more, which an argon2id hash
makes slow enough for an offline attack.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable

from zxcvbn import zxcvbn

from cases.errors import N_

MIN_LENGTH = 10
MIN_SCORE = 3
# zxcvbn refuses longer input (its cost grows with length); a strong prefix makes the whole password strong.
ESTIMATED_PREFIX = 72
TOO_SHORT = "too_short"
GUESSABLE = "guessable"

# zxcvbn keeps the user inputs of the current call in a module-level dictionary: one call at a time.
_estimating = threading.Lock()


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """``None`` for an acceptable password, else :data:`TOO_SHORT` or :data:`GUESSABLE`."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    inputs = [text for text in user_inputs if text]
    with _estimating:
        score = zxcvbn(password[:ESTIMATED_PREFIX], user_inputs=inputs)["score"]
    return GUESSABLE if score < MIN_SCORE else None


# Each message may name the least length as %(n)s.
MESSAGES = {
    TOO_SHORT: N_("A password needs at least %(n)s characters."),
    GUESSABLE: N_("This password is too easy to guess (a common password, a word, a name, a date or a keyboard "
                  "pattern). Choose a longer one, for example a few unrelated words."),
}
