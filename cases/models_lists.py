"""Indexes the keyset-paginated lists walk, newest first, whatever the page's depth (``cases.keyset``).

A case list filtered by status reads ``(status, received_at)``; a unit's inbox ``(unit_id, received_at)``
(``ix_case_file_unit_received``), filtered by status ``(unit_id, status, received_at)`` (its new cases are a
range, and so is counting them); the extension requests a partial index of the cases waiting for a decision;
the overdue list a partial index of the cases on a clock, newest first, with their due date beside the time so
the cases not yet due are passed over in the index, never fetched; a unit's parts (co-handling, passed down)
``(unit_id, role, active, case_id)``; the public archive ``(status, published_at)``; the access log its id.
"""
from __future__ import annotations

from sqlalchemy import Index, Text, cast

from cases.models import Case
from cases.models_disclosure import Publication
from cases.models_levels import Assignment
from cases.workflow import ON_A_CLOCK

Index("ix_case_file_status_received", Case.status, Case.received_at)
Index("ix_case_file_unit_status_received", Case.unit_id, Case.status, Case.received_at)
Index("ix_case_file_extension_received", Case.received_at, postgresql_where=Case.extension_requested_days.is_not(None),
      sqlite_where=Case.extension_requested_days.is_not(None))
# On PostgreSQL the condition is on the text value, the form it prints back as it reads it (see migration 0025).
Index("ix_case_file_clock_received", Case.received_at, Case.id, Case.due_date,
      postgresql_where=cast(Case.status, Text).in_(ON_A_CLOCK), sqlite_where=Case.status.in_(ON_A_CLOCK))
Index("ix_case_assignment_unit_role", Assignment.unit_id, Assignment.role, Assignment.active, Assignment.case_id)
Index("ix_publication_status_published", Publication.status, Publication.published_at)
