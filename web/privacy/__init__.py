"""Privacy in the app: the access log's page, a citizen's export and erasure (blueprint ``privacy``). The
``privacy`` command group is in web.commands.privacy, the nightly retention purge in web.tasks.privacy.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from web.privacy.views import bp  # noqa: F401

LABELS = {
    "view_citizen": _l("viewed citizen details"), "download_attachment": _l("downloaded a file"),
    "play_recording": _l("played a recording"),
    "download_reply": _l("downloaded a reply letter"), "download_post": _l("downloaded a day's post"),
    "download_raw": _l("downloaded an original"), "download_scan": _l("downloaded a scan"),
    "export_citizen": _l("exported a citizen's data"), "export_cases": _l("exported a case list"),
    "archive_year": _l("archived a year of the event log or letters"), "erase_citizen": _l("erased a citizen's data"),
    "erase_retention": _l("erased at the end of retention"), "admin_user": _l("changed a user"),
    "admin_unit": _l("changed a unit"), "admin_category": _l("changed a category"),
    "admin_template": _l("changed a letter template"), "personal_data_erased": _l("personal data erased"),
    "admin_places": _l("changed areas or addresses"),
}


def init_app(app: Flask) -> None:
    """Register the access log's labels."""
    from web.code_labels import LABELS as ALL_LABELS

    ALL_LABELS.update(LABELS)
