"""Recording accesses to personal data from a request: who (the logged-in user), from where, what."""
from __future__ import annotations

from typing import Any

from flask import request

from cases import audit, texts
from web.auth import current_actor
from web.app_state import db


def log_access(action: str, *, case_number: str | None = None, target: str | texts.Text = "", data: dict[str, Any] | None = None,
               commit: bool = True) -> None:
    """Add an access-log row for the current user; ``commit``: commit it now (a page view or a download, which
    changes nothing else), else it goes with the caller's own commit (an administrative change)."""
    audit.record(db(), current_actor(), action, case_number=case_number, target=target,
                 address=request.remote_addr or "", data=data)
    if commit:
        db().commit()
