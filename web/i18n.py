"""UI language: English, Simplified Chinese and Spanish, from a switcher (kept in the session) or the browser."""
from __future__ import annotations

from functools import cache, cached_property

from babel import support
from flask import Blueprint, Flask, Request, current_app, request, session
from flask_babel import get_locale
from flask_wtf.i18n import messages_path
from werkzeug.wrappers import Response

from web.extensions import babel
from web.redirects import redirect_local

bp = Blueprint("i18n", __name__)
LANGUAGE_NAMES = {"en": "English", "zh": "中文", "es": "Español"}


@cache
def wtforms_catalog(locale: str) -> support.Translations:
    """WTForms' own messages ("This field is required.", a field's default label) in ``locale``, read once per
    process."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class CatalogRequest(Request):
    """Flask's request, with WTForms' catalog for the reader's language from the process's cache.

    Flask-WTF looks for the catalog on the request under this name and, when it is absent, reads the catalog
    files from disk again on every request that needs a WTForms message or a field's default label."""

    @cached_property
    def wtforms_translations(self) -> support.Translations:
        return wtforms_catalog(str(get_locale()))


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.route("/lang/<code>", methods=["POST"])
def switch(code: str) -> Response:
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect_local(request.form.get("next"), "/")


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(LANGUAGE_NAMES=LANGUAGE_NAMES, get_locale=get_locale)
