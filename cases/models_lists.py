"""Indexes the keyset-paginated lists walk, newest first, whatever the page's depth (``cases.keyset``).

A case list filtered by status reads ``(status, received_at)``; a unit's inbox ``(unit_id, received_at)``
(``ix_case_file_unit_received``); the extension requests a partial index of the cases waiting for a decision;
the public archive ``(status, published_at)``; the access log its id.
"""
from __future__ import annotations

from sqlalchemy import Index

from cases.models import Case
from cases.models_disclosure import Publication

Index("ix_case_file_status_received", Case.status, Case.received_at)
Index("ix_case_file_extension_received", Case.received_at, postgresql_where=Case.extension_requested_days.is_not(None),
      sqlite_where=Case.extension_requested_days.is_not(None))
Index("ix_publication_status_published", Publication.status, Publication.published_at)
