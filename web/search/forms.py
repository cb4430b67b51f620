from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from web.form_fields import PlausibleDate


class SearchForm(FlaskForm):
    """The archive search: a GET form (bookmarkable), so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=1000)])
    date_from = DateField(_l("From"), validators=[Optional(), PlausibleDate()])
    date_to = DateField(_l("To"), validators=[Optional(), PlausibleDate()])
    sort = SelectField(_l("Sort by"), choices=[("relevance", _l("relevance")), ("newest", _l("newest first")),
                                               ("oldest", _l("oldest first"))], validators=[Optional()])
