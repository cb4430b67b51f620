"""Log-in and password forms, and the password rule every form that sets a password uses."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from cases.passwords import GUESSABLE, MIN_LENGTH, TOO_SHORT, password_problem

PASSWORD_HINT = _l("At least %(n)s characters, not a common password, word, name, date or keyboard pattern; "
                   "a few unrelated words are easy to remember and hard to guess.", n=MIN_LENGTH)


class StrongPassword:
    """Refuse what :func:`cases.passwords.password_problem` refuses, with a translated message; ``inputs`` gives
    the account's own names (user name, full name, email), which count as easy words."""

    def __init__(self, inputs: Callable[[Any], Iterable[str]] = lambda form: ()) -> None:
        self.inputs = inputs

    def __call__(self, form: Any, field: Any) -> None:
        problem = password_problem(field.data or "", list(self.inputs(form)))
        if problem == TOO_SHORT:
            raise ValidationError(_l("A password needs at least %(n)s characters.", n=MIN_LENGTH))
        if problem == GUESSABLE:
            raise ValidationError(_l("This password is too easy to guess. Choose a longer one, for example a few "
                                     "unrelated words."))


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


def _own_names(form: Any) -> list[str]:
    user = form.account
    return [user.username, user.display_name, user.email] if user is not None else []


class ChangePasswordForm(FlaskForm):
    """The user's own change; ``account`` (the user) is set by the view, for the names the rule refuses."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200),
                                                        StrongPassword(_own_names)])
    repeat = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Change password"))
    account: Any = None
