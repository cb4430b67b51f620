"""Internal notes in the domain, on SQLite and PostgreSQL: threads, who reads which note (a unit only the notes
written while it held the case), and erasure of the citizen's data reaching the notes."""
from __future__ import annotations

from typing import Any

import pytest

from cases import citizen_data, notes, returns
from cases.errors import NotFound, ValidationError
from tests.helpers.returns import actor, dispatched, unit


def test_a_thread_of_notes(domain: Any) -> None:
    with domain.sessions() as session:
        case = dispatched(session, domain.policy)
        clerk, transport = actor(session, "clerk"), actor(session, "transport")
        first = notes.add_note(session, case, clerk, "  Caller rang again at 9:00.  ")
        answer = notes.add_note(session, case, transport, "We sent a crew.", reply_to_id=first.id)
        notes.add_note(session, case, actor(session, "supervisor"), "Thanks.", reply_to_id=answer.id)
        notes.add_note(session, case, transport, "Photos to follow.")
        tree = notes.threads(notes.visible_notes(session, clerk, case))
        assert [(t.note.body, [(r.note.body, [rr.note.body for rr in r.replies]) for r in t.replies])
                for t in tree] == [("Caller rang again at 9:00.", [("We sent a crew.", ["Thanks."])]),
                                   ("Photos to follow.", [])]
        assert first.author_name == clerk.name and first.author_id == clerk.user_id and first.created_at
        with pytest.raises(ValidationError, match="some text"):
            notes.add_note(session, case, clerk, "   ")
        with pytest.raises(ValidationError, match="at most"):
            notes.add_note(session, case, clerk, "x" * (notes.MAX_NOTE + 1))


def test_a_unit_reads_only_its_own_notes_and_never_another_units_case(domain: Any) -> None:
    with domain.sessions() as session:
        policy = domain.policy
        case = dispatched(session, policy, "Housing")
        clerk, housing, transport = actor(session, "clerk"), actor(session, "housing"), actor(session, "transport")
        desk_only = dispatched(session, policy, "Transport", subject="Another")
        with pytest.raises(NotFound):
            notes.add_note(session, case, transport, "not my case")
        for_housing = notes.add_note(session, case, housing, "Housing's working note.")
        notes.add_note(session, case, clerk, "Desk to housing.")
        assert [n.body for n in notes.visible_notes(session, transport, case)] == []
        returns.redispatch(session, policy, case, clerk, "Wrong unit.", unit(session, "Transport").id)
        notes.add_note(session, case, transport, "Transport's note.")
        # The recalled unit has lost the case, its notes included; the new unit reads none of the old talk.
        assert notes.visible_notes(session, housing, case) == []
        with pytest.raises(NotFound):
            notes.add_note(session, case, housing, "still here?")
        assert [n.body for n in notes.visible_notes(session, transport, case)] == ["Transport's note."]
        with pytest.raises(ValidationError, match="not on this case"):
            notes.add_note(session, case, transport, "answering housing", reply_to_id=for_housing.id)
        with pytest.raises(ValidationError, match="not on this case"):
            other = notes.add_note(session, desk_only, clerk, "elsewhere")
            notes.add_note(session, case, clerk, "answering another case's note", reply_to_id=other.id)
        assert [n.body for n in notes.visible_notes(session, clerk, case)] == [
            "Housing's working note.", "Desk to housing.", "Transport's note."]


def test_erasing_the_citizens_data_redacts_the_notes(domain: Any) -> None:
    with domain.sessions() as session:
        case = dispatched(session, domain.policy)
        clerk = actor(session, "clerk")
        notes.add_note(session, case, clerk, "Chen Jing called from chen@example.org, very upset.")
        citizen_data.erase_for(session, domain.policy.store, case, actor(session, "supervisor"), "request 1")
        session.flush()
        body = notes.visible_notes(session, clerk, case)[0].body
        assert "chen@example.org" not in body and "Chen Jing" not in body and "very upset" in body
