"""The small forms behind the action buttons on a case page."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, MultipleFileField, RadioField, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from web.form_fields import KIND_CHOICES, REPLY_CHOICES, Attachments, PlausibleDate


class RegisterForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    category = SelectField(_l("Category"), coerce=int, choices=[])
    urgent = BooleanField(_l("Urgent"))
    major_emergency = BooleanField(_l("Major emergency"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Register"))


class DispatchForm(FlaskForm):
    category = SelectField(_l("Category"), coerce=int, choices=[], validators=[DataRequired()])
    unit = SelectField(_l("Unit"), coerce=int, choices=[], validators=[DataRequired()])
    note = StringField(_l("Instructions for the unit"), validators=[Optional(), Length(max=1000)])
    co_units = SelectMultipleField(_l("Co-handling units (协办)"), coerce=int, choices=[], validators=[Optional()])
    co_due = DateField(_l("Co-handling units' parts due (empty: a little before the lead unit's feedback)"),
                       validators=[Optional(), PlausibleDate()])
    submit = SubmitField(_l("Dispatch"))


class AcceptForm(FlaskForm):
    submit = SubmitField(_l("Sign for"))


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Why is this not your unit's case?"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Return to the desk"))


class FeedbackForm(FlaskForm):
    body = TextAreaField(_l("Feedback"), validators=[DataRequired(), Length(max=20000)])
    attachments = MultipleFileField(_l("Documents (images or PDF)"), validators=[Attachments()])
    without_parts_reason = TextAreaField(_l("Answer without a co-handling unit's part, because…"),
                                         validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send feedback"))


class ExtensionForm(FlaskForm):
    days = IntegerField(_l("Extra working days"), validators=[DataRequired(), NumberRange(min=1, max=30)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Request extension"))


class DecideExtensionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
                          validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Decide"))


class ReplyForm(FlaskForm):
    purpose = HiddenField()  # the letter template the draft came from, chosen with the picker above the form
    lang = HiddenField()
    channel = SelectField(_l("Send by"), choices=REPLY_CHOICES)
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Reply letter"), validators=[DataRequired(), Length(max=20000)])
    submit = SubmitField(_l("Send reply"))


class DecideReplyForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("approve", _l("Approve and send")),
                                                   ("send_back", _l("Send back to the clerk"))],
                          validators=[DataRequired()])
    note = TextAreaField(_l("Note for the clerk"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Decide"))


class CloseForm(FlaskForm):
    satisfaction = RadioField(_l("The citizen's rating"), validators=[DataRequired()], choices=[
        ("satisfied", _l("Satisfied")), ("basically", _l("Basically satisfied")),
        ("unsatisfied", _l("Not satisfied"))])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Close"))


ANSWER_CHANNEL_CHOICES = [("call", _l("On the call")), ("email", _l("By email")), ("post", _l("By post"))]
RATING_CHOICES = [("satisfied", _l("Satisfied")), ("basically", _l("Basically satisfied")),
                  ("unsatisfied", _l("Not satisfied"))]


class ArticleIds(StringField):
    """Knowledge base article numbers, separated by commas or spaces (the suggestions fill them in)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.ids: list[int] = []
        for part in (self.data or "").replace(",", " ").split():
            if not part.isdigit() or len(part) > 9:
                raise ValueError(_l("Article numbers are whole numbers, separated by commas."))
            self.ids.append(int(part))


class AnswerDirectlyForm(FlaskForm):
    body = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=20000)],
                         render_kw={"data-answer": "body", "data-suggest": "answer"})
    channel = SelectField(_l("Answered"), choices=ANSWER_CHANNEL_CHOICES)
    articles = ArticleIds(_l("Knowledge base articles used"), validators=[Optional(), Length(max=200)],
                          render_kw={"data-answer": "articles", "autocomplete": "off"})
    satisfaction = RadioField(_l("Rating given on the call"), validators=[Optional()],
                              choices=[("", _l("Not asked"))] + RATING_CHOICES, default="")
    submit = SubmitField(_l("Answer and close"))


class RateForm(FlaskForm):
    satisfaction = RadioField(_l("The citizen's rating"), validators=[DataRequired()], choices=RATING_CHOICES)
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record rating"))


class InvalidForm(FlaskForm):
    reason = StringField(_l("Reason (spam, abuse, ...)"), validators=[DataRequired(), Length(max=1000)])
    confirm = HiddenField()  # "yes" once the confirmation step (page or dialog) was answered
    submit = SubmitField(_l("Mark invalid"))


class MergeForm(FlaskForm):
    """Merge into a main case (the button beside a similar case fills the number in); a confirmation step
    follows, and the merge can be undone for ``MERGE_UNDO_HOURS``."""

    main_number = StringField(_l("Main case number"), validators=[DataRequired(), Length(max=20)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])
    confirm = HiddenField()  # "yes" once the confirmation step (page or dialog) was answered
    submit = SubmitField(_l("Merge into main case"))


class UndoMergeForm(FlaskForm):
    """Take a merged case out of its main case again (while the undo period lasts)."""

    submit = SubmitField(_l("Undo the merge"))
