"""Undoing a merge in the domain (no Flask), on SQLite and PostgreSQL: the duplicate gets its status and deadline
back, both timelines name the other case, and the undo period and the roles are enforced."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cases import merging, services
from cases.errors import NotFound, ValidationError
from tests.helpers.workflow import actor_for, new_case


def test_an_undone_merge_puts_the_duplicate_back_as_it_was(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        clerk = actor_for(s, "clerk")
        main, duplicate = new_case(s, policy, subject="Pothole"), new_case(s, policy, subject="Pothole again")
        services.register(s, policy, duplicate, clerk)
        due_date, due_at = duplicate.due_date, duplicate.due_at
        services.merge(s, policy, duplicate, main, clerk, "same hole")
        s.commit()
        assert duplicate.due_date is None and merging.undo_until(duplicate, 24) is not None
        with pytest.raises(NotFound):
            merging.undo_merge(s, policy, duplicate, actor_for(s, "transport"), undo_hours=24)
        assert merging.undo_merge(s, policy, duplicate, clerk, undo_hours=24).id == main.id
        s.commit()
        s.refresh(duplicate)
        assert duplicate.status.value == "registered" and duplicate.merged_into_id is None
        assert duplicate.due_date == due_date and (duplicate.due_at is None) == (due_at is None)
        assert [e.data.get("from") for e in duplicate.events if e.action == "unmerge"] == [main.number]
        assert [e.data.get("duplicate") for e in main.events if e.action in ("merged_in", "unmerged")] == \
            [duplicate.number, duplicate.number]
        with pytest.raises(ValidationError):  # no longer merged
            merging.undo_merge(s, policy, duplicate, clerk, undo_hours=24)


def test_a_merge_older_than_the_undo_period_stays(domain: Any) -> None:
    policy = domain.policy
    with domain.sessions() as s:
        clerk = actor_for(s, "clerk")
        main, duplicate = new_case(s, policy), new_case(s, policy)
        services.merge(s, policy, duplicate, main, clerk)
        s.commit()
        event = merging.merge_event(duplicate)
        event.at = event.at - timedelta(hours=5)
        s.commit()
        with pytest.raises(ValidationError, match="older than 4 hours"):
            merging.undo_merge(s, policy, duplicate, clerk, undo_hours=4)
        assert merging.undo_until(duplicate, 0) is None
        assert duplicate.status.value == "merged"
