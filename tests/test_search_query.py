"""The query language: what it accepts, what it refuses, and that nothing else escapes (fuzzed on both search
backends)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_index import QueryError, SearchRequest
from search_index.engine import describe
from search_index.query import MAX_QUERY_CHARS, MAX_TERMS, parse_query
from tests.helpers.search_backends import BACKENDS, open_test_backend


def fields_in(node) -> set[str]:
    kind = node[0]
    if kind == "term":
        return {node[1]}
    if kind in ("and", "or"):
        return set().union(*(fields_in(c) for c in node[1]))
    if kind == "not":
        return fields_in(node[1]) | fields_in(node[2])
    if kind == "native":
        return {node[1].fieldname}
    return set()


def count_terms(node) -> int:
    kind = node[0]
    if kind == "term":
        return 1
    if kind in ("and", "or"):
        return sum(count_terms(c) for c in node[1])
    if kind == "not":
        return count_terms(node[1]) + count_terms(node[2])
    if kind == "native":
        return len(node[1].words)
    return 0


def test_words_are_anded_and_or_binds_tighter():
    assert describe(parse_query("water leak").node) == "(text:water AND text:leak)"
    assert describe(parse_query("water leak OR drain").node) == "(text:water AND (text:leak OR text:drain))"


def test_exclusion_and_fields():
    node = parse_query('-noise status:open unit:"Water Bureau" kind:complaint channel:web').node
    assert node[0] == "not"
    assert fields_in(node) == {"text", "status", "unit_id", "unit_text", "kind", "channel"}


def test_phrase_is_an_and_of_word_pairs():
    node = parse_query('"main street light"').node
    assert node[0] == "and" and len(node[1]) == 2 and all(n[2].startswith("\x1f") for n in node[1])


@pytest.mark.parametrize("query", ["private:zhang", "name:zhang", "Private:zhang", "id:c1", "body:x", "_text_len:1"])
def test_unknown_or_private_field_prefixes_are_plain_text_without_the_flag(query):
    assert fields_in(parse_query(query).node) == {"text"}


def test_private_field_only_with_the_flag():
    assert fields_in(parse_query("name:zhang", include_private=True).node) == {"private"}
    assert fields_in(parse_query("zhang", include_private=True).node) == {"text", "private"}


@pytest.mark.parametrize("query", ["*", "?????", "()", "* ? :", '""', "-"])
def test_nothing_searchable_is_a_clear_error(query):
    with pytest.raises(QueryError, match="nothing to search for"):
        parse_query(query)


def test_wildcards_do_not_expand():
    assert count_terms(parse_query("a" * 999 + "*").node) == 1
    with pytest.raises(QueryError, match="too many words"):
        parse_query("a*" * 500)


def test_limits():
    with pytest.raises(QueryError, match="too long"):
        parse_query("x" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(QueryError, match="too many words"):
        parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))
    with pytest.raises(QueryError, match="OR"):
        parse_query("a OR -b")


def test_blank_query_matches_all():
    assert parse_query("   ").match_all


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_any_text_parses_or_raises_query_error(raw):
    try:
        parsed = parse_query(raw)
    except QueryError as exc:
        assert str(exc)
        return
    assert "private" not in fields_in(parsed.node)
    assert count_terms(parsed.node) <= MAX_TERMS


QUERY_ALPHABET = st.sampled_from(
    list('abc xyz"-:*?()ORAND') + ["OR", "status:", "unit:", "private:", "name:", "垃圾", "é", "\u3000", "\x00", "\n"]
)


@pytest.fixture(scope="module", params=BACKENDS)
def small_backend(request, tmp_path_factory):
    backend = open_test_backend(request.param, request, tmp_path_factory)
    backend.index_documents(
        [
            {"id": "1", "version": "1", "status": "open", "unit_id": "u1", "text": "abc xyz 垃圾", "private": "abc"},
            {"id": "2", "version": "1", "status": "closed", "unit_id": "u2", "text": "xyz or and", "private": "xyz"},
        ]
    )
    yield backend
    backend.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(QUERY_ALPHABET, max_size=40).map("".join), st.booleans())
def test_search_with_fuzzed_queries_never_raises_anything_else(small_backend, raw, include_private):
    try:
        page = small_backend.search(SearchRequest(query=raw, include_private=include_private, restrict_unit_ids=["u1"]))
    except QueryError as exc:
        assert str(exc)
        return
    assert page.total <= 1 and all(hit.unit_id == "u1" for hit in page.hits)
