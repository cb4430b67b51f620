"""The email survey's page: a signed link answers 1, 2 or 3 without a log-in (``cases.email_survey``).

The link only shows the question with the chosen answer ready; the answer is recorded by the page's form (a POST
with its CSRF token), so a mail scanner that follows links records nothing.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, abort, current_app, flash, render_template, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from cases import email_survey
from web.app_state import db, policy
from web.extensions import limiter
from web.public.forms import SurveyForm
from web.public.views import bp
from web.tasks.queue import kick

SALT = "email-survey"


def _signer(app: Flask) -> URLSafeSerializer:
    return URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT)


def survey_url(app: Flask, case_id: int, reply_id: int, choice: str) -> str:
    """The link that answers ``choice`` to the survey of ``reply_id``, signed with the app's secret key."""
    token = _signer(app).dumps([case_id, reply_id])
    base = str(app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return f"{base}/survey/{token}?{urlencode({'answer': choice})}"


def _survey_of(token: str) -> tuple[int, int]:
    try:
        case_id, reply_id = _signer(current_app).loads(token)
        return int(case_id), int(reply_id)
    except (BadSignature, TypeError, ValueError):
        abort(404)


def _answer_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


@bp.route("/survey/<token>", methods=["GET", "POST"])
@limiter.limit(_answer_limit, methods=["POST"])
def survey(token: str) -> str | Response | tuple[str, int]:
    case_id, reply_id = _survey_of(token)
    form = SurveyForm(answer=request.args.get("answer") if request.method == "GET" else None)
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("pages/public/survey.html", form=form), (400 if form.errors else 200)
    case = email_survey.answer(db(), policy(), case_id, reply_id, form.answer.data)
    if case is None:
        db().rollback()
        flash(_("This survey was answered already. Thank you."), "success")
        return render_template("pages/public/survey.html", form=None)
    db().commit()
    kick()
    flash(_("Thank you for your answer."), "success")
    return render_template("pages/public/survey.html", form=None)
