"""The search backends' contract end to end: each test on a real Whoosh index in a temporary folder and on
PostgreSQL full-text search (``tests/helpers/search_backends.py``), then what only Whoosh has (its bulk writer,
opening by path)."""

import datetime as dt
import threading

import pytest

from search_index.query import any_words_query
from search_index import (
    DocumentError,
    IndexUnavailableError,
    QueryError,
    SearchBackend,
    SearchRequest,
    WhooshBackend,
    open_backend,
)
from tests.helpers.search_backends import BACKENDS, DOCS, expected, make_doc, open_test_backend


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, tmp_path_factory):
    b = open_test_backend(request.param, request, tmp_path_factory)
    assert b.index_documents(DOCS) == len(DOCS)
    yield b
    b.close()


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path_factory):
    b = open_test_backend(request.param, request, tmp_path_factory)
    yield b
    b.close()


def ids(page) -> set[str]:
    return {h.id for h in page.hits}


def test_is_a_search_backend(backend):
    assert isinstance(backend, SearchBackend)


def test_totals_and_facets_cover_the_whole_result_not_the_page(backend):
    page = backend.search(SearchRequest(query="street", per_page=2))
    want = expected(lambda d: "street" in d["text"][0].lower())
    assert page.total == len(want) and len(page.hits) == 2 and page.pages == -(-len(want) // 2)
    statuses = {}
    for d in want:
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    assert page.facets["status"] == dict(sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0])))
    assert sum(page.facets["unit"].values()) == len(want)
    assert sum(page.facets["year"].values()) == len(want)


def test_suggestions_skip_the_facets_and_find_any_of_the_typed_words(backend):
    full = backend.search(SearchRequest(query="street", per_page=2))
    quick = backend.search(SearchRequest(query="street", per_page=2, facets=False))
    assert [h.id for h in quick.hits] == [h.id for h in full.hits]
    assert quick.facets == {} and full.total >= quick.total >= len(quick.hits)
    query = any_words_query("Is the street light fixed? 路灯")
    assert query == "street OR light OR fix OR 路灯"  # "is", "the": no help, and in every letter
    either = ids(backend.search(SearchRequest(query=query, per_page=50, facets=False)))
    assert ids(backend.search(SearchRequest(query="street", per_page=50))) <= either


def test_unit_confinement_is_applied_before_counting(backend):
    page = backend.search(SearchRequest(query="street", restrict_unit_ids=["u1"], per_page=1))
    want = expected(lambda d: "street" in d["text"][0].lower() and d["unit_id"] == "u1")
    assert page.total == len(want) > 0
    assert page.facets["unit"] == {"u1": len(want)}
    assert {h.unit_id for h in page.hits} == {"u1"}
    second = backend.search(SearchRequest(query="street", restrict_unit_ids=["u1"], per_page=1, page=2))
    assert second.hits and second.hits[0].unit_id == "u1" and ids(second) != ids(page)
    assert backend.search(SearchRequest(query="street", restrict_unit_ids=[])).total == 0
    # The field syntax cannot widen the restriction.
    wide = backend.search(SearchRequest(query="unit:u2 OR street", restrict_unit_ids=["u1"]))
    assert set(wide.facets["unit"]) == {"u1"}


def test_case_ids_widen_the_unit_restriction_never_replace_it(backend):
    """A unit's parts of other units' cases (co-handling, passed down) are found beside its own cases."""
    extra = ["case-1", "case-5"]  # units u1 and u2
    page = backend.search(SearchRequest(query="", restrict_unit_ids=["u0"], restrict_case_ids=extra, per_page=100))
    want = {d["id"] for d in expected(lambda d: d["unit_id"] == "u0")} | set(extra)
    assert ids(page) == want and page.total == len(want)
    assert page.facets["unit"] == {"u0": len(want) - 2, "u1": 1, "u2": 1}
    words = backend.search(SearchRequest(query="street", restrict_unit_ids=[], restrict_case_ids=["case-0", "case-1"]))
    assert ids(words) == {i for i in ("case-0", "case-1") if "street" in DOCS[int(i[5:])]["text"][0].lower()}
    assert backend.search(SearchRequest(query="", restrict_unit_ids=[], restrict_case_ids=[])).total == 0
    with pytest.raises(QueryError):
        backend.search(SearchRequest(restrict_unit_ids=["u0"], restrict_case_ids="case-1"))


def test_empty_query_lists_newest_first_within_units(backend):
    page = backend.search(SearchRequest(query="", restrict_unit_ids=["u0", "u2"], per_page=100))
    want = expected(lambda d: d["unit_id"] in ("u0", "u2"))
    assert page.total == len(want)
    created = [h.created for h in page.hits]
    assert created == sorted(created, reverse=True)
    oldest = backend.search(SearchRequest(sort="oldest", per_page=3))
    assert [h.created for h in oldest.hits] == sorted(d["created"] for d in DOCS)[:3]


def test_filters_and_dates(backend):
    page = backend.search(SearchRequest(filters={"status": "open", "kind": ["complaint", "report"], "year": 2023}))
    want = expected(lambda d: d["status"] == "open" and d["created"].year == 2023)
    assert page.total == len(want) > 0
    page = backend.search(SearchRequest(filters={"channel": "phone", "unit": "u1"}))
    assert page.total == len(expected(lambda d: d["channel"] == "phone" and d["unit_id"] == "u1"))
    page = backend.search(SearchRequest(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31)))
    assert page.total == len(expected(lambda d: d["created"].year == 2024))
    day = DOCS[5]["created"].date()
    page = backend.search(SearchRequest(date_from=day, date_to=day))
    assert "case-5" in ids(page)


def test_field_queries(backend):
    assert backend.search(SearchRequest(query="status:closed")).total == len(expected(lambda d: d["status"] == "closed"))
    assert backend.search(SearchRequest(query='unit:"roads office"')).total == len(expected(lambda d: d["unit_id"] == "u1"))
    assert backend.search(SearchRequest(query="unit:u2 channel:WEB")).total == len(
        expected(lambda d: d["unit_id"] == "u2" and d["channel"] == "web")
    )


def test_languages_phrases_and_exclusion(backend):
    chinese = len(expected(lambda d: "垃圾" in d["text"][0]))
    assert backend.search(SearchRequest(query="垃圾")).total == chinese
    assert backend.search(SearchRequest(query="垃圾清运")).total == chinese
    spanish = len(expected(lambda d: "calles" in d["text"][0]))
    assert backend.search(SearchRequest(query="calle reparacion")).total == spanish
    assert backend.search(SearchRequest(query='"main street"')).total == len(expected(lambda d: "Main" in d["text"][0]))
    assert backend.search(SearchRequest(query='"street main"')).total == 0
    assert backend.search(SearchRequest(query="thank -street")).total == len(expected(lambda d: "street" not in d["text"][0].lower()))
    assert backend.search(SearchRequest(query="street OR leak")).total == len(
        expected(lambda d: "treet" in d["text"][0] or "leak" in d["text"][0])
    )


def test_relevance_ranks_the_better_match_first(fresh):
    fresh.index_documents([
        {"id": "weak", "version": "1", "text": "a long letter about many things " * 20 + "and a sewer"},
        {"id": "strong", "version": "1", "text": "sewer sewer overflow from the sewer"},
    ])
    page = fresh.search(SearchRequest(query="sewer"))
    assert [h.id for h in page.hits] == ["strong", "weak"] and page.hits[0].score > page.hits[1].score > 0


def test_private_data_needs_the_flag_and_is_never_shown(backend):
    for query in ["zhangsan7", "private:zhangsan7", "name:zhangsan7", "13800130007", "person7@example.org"]:
        assert backend.search(SearchRequest(query=query)).total == 0, query
    page = backend.search(SearchRequest(query="zhangsan7", include_private=True))
    assert ids(page) == {"case-7"}
    assert "zhangsan" not in page.hits[0].snippet.lower()
    assert ids(backend.search(SearchRequest(query="name:zhangsan7", include_private=True))) == {"case-7"}
    assert backend.search(SearchRequest(query="person7@example.org", include_private=True)).total == 1


def test_snippets_are_safe_html_with_marks(fresh):
    fresh.index_documents([make_doc(1, text='<img src=x onerror="alert(1)"> the street & the <b>road</b>')])
    hit = fresh.search(SearchRequest(query="street road")).hits[0]
    assert "<img" not in hit.snippet and "<b>" not in hit.snippet and "&lt;img" in hit.snippet
    assert "<mark>street</mark>" in hit.snippet and "<mark>road</mark>" in hit.snippet


def test_one_excerpt_per_hit_without_the_title_or_repeated_paragraphs(fresh):
    title = "Broken street light"
    fresh.index_documents([
        make_doc(1, title=title, text=[title, title, "The street light by the school is broken.", title]),
        make_doc(2, title="Street light", text=["Street light"]),
    ])
    hits = {hit.id: hit.snippet for hit in fresh.search(SearchRequest(query="street light")).hits}
    assert hits["case-1"] == "The <mark>street</mark> <mark>light</mark> by the school is broken."
    # A case with nothing but its title shows the title.
    assert hits["case-2"] == "<mark>Street</mark> <mark>light</mark>"


def test_upsert_versions_delete_and_clear(fresh):
    fresh.index_documents([make_doc(1), make_doc(2)])
    fresh.index_documents([make_doc(1, version="2", text="completely new words: zebra")])
    assert fresh.stored_versions() == {"case-1": "2", "case-2": "1"}
    assert ids(fresh.search(SearchRequest(query="zebra"))) == {"case-1"}
    assert fresh.search(SearchRequest(query="road")).total == 0
    # A repeated id within one call: the last one wins.
    fresh.index_documents([make_doc(3, text="first yak"), make_doc(3, version="9", text="second okapi")])
    assert fresh.stored_versions()["case-3"] == "9"
    assert fresh.search(SearchRequest(query="yak")).total == 0 and fresh.search(SearchRequest(query="okapi")).total == 1
    fresh.delete(["case-1", "no-such-case"])
    assert set(fresh.stored_versions()) == {"case-2", "case-3"}
    assert fresh.search(SearchRequest(query="zebra")).total == 0
    assert fresh.search(SearchRequest()).facets["unit"] == {"u2": 1, "u0": 1}
    fresh.optimize()
    assert fresh.doc_count() == 2
    fresh.clear()
    assert fresh.stored_versions() == {} and fresh.search(SearchRequest()).total == 0


@pytest.mark.parametrize(
    "bad, reason",
    [
        ({"version": "1"}, "id"),
        ({"id": "x"}, "version"),
        ({"id": "x", "version": "1", "colour": "red"}, "unknown"),
        ({"id": "x", "version": "1", "created": "yesterday"}, "ISO"),
        ({"id": "x", "version": "1", "text": [1, 2]}, "strings"),
        ({"id": "x", "version": "1", "status": 3}, "status"),
        ("not a dict", "dict"),
    ],
)
def test_bad_documents_are_refused_and_nothing_is_written(fresh, bad, reason):
    with pytest.raises(DocumentError, match=reason):
        fresh.index_documents([make_doc(1), bad])
    assert fresh.stored_versions() == {}


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(sort="random"),
        SearchRequest(page=0),
        SearchRequest(per_page=1000),
        SearchRequest(page=10_000, per_page=100),
        SearchRequest(filters={"colour": "red"}),
        SearchRequest(restrict_unit_ids="u1"),
        SearchRequest(date_from="2024-01-01"),
    ],
)
def test_bad_requests_raise_query_error(backend, request_):
    with pytest.raises(QueryError):
        backend.search(request_)


def test_similar_cases(backend):
    similar = backend.similar("case-0", limit=5)
    assert similar and "case-0" not in {h.id for h in similar}
    assert all("street" in h.snippet.lower() for h in similar)
    confined = backend.similar("case-0", restrict_unit_ids=["u1"])
    assert confined and {h.unit_id for h in confined} == {"u1"}
    assert backend.similar("missing") == []


def test_another_writer_is_seen_after_refresh(tmp_path):
    reader = WhooshBackend(str(tmp_path))
    writer = WhooshBackend(str(tmp_path))
    writer.index_documents([make_doc(1)])
    assert reader.search(SearchRequest()).total == 1
    writer.index_documents([make_doc(2), make_doc(3)])
    assert reader.search(SearchRequest()).total == 3
    reader.close()
    writer.close()


def test_threads_search_while_a_writer_commits(fresh):
    backend = fresh
    backend.index_documents(DOCS[:10])
    errors: list[BaseException] = []
    stop = threading.Event()

    def searching():
        try:
            while not stop.is_set():
                page = backend.search(SearchRequest(query="street OR 垃圾", restrict_unit_ids=["u0", "u1"]))
                assert all(h.unit_id in ("u0", "u1") for h in page.hits)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(3)]
    for t in threads:
        t.start()
    for start in range(10, 36, 6):
        backend.index_documents(DOCS[start : start + 6])
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert backend.search(SearchRequest()).total == len(DOCS)


def test_bulk_index_streams_a_generator_into_an_empty_or_existing_index(fresh):
    backend = fresh
    progress: list[int] = []
    assert backend.bulk_index((d for d in DOCS), on_progress=progress.append, every=10) == len(DOCS)
    assert progress == [10, 10, 10, 6]
    assert backend.search(SearchRequest(query="垃圾")).total == len(expected(lambda d: "垃圾" in d["text"][0]))
    assert len(backend.stored_versions()) == len(DOCS)
    # Again on the filled index: replaces by id, the last occurrence of an id wins.
    again = [make_doc(1, version="2", text="zebra crossing"), make_doc(40), make_doc(1, version="3", text="okapi")]
    assert backend.bulk_index(iter(again)) == 3  # writes, counting the replaced repeat
    assert backend.stored_versions()["case-1"] == "3" and backend.doc_count() == len(DOCS) + 1
    assert backend.search(SearchRequest(query="zebra")).total == 0
    assert ids(backend.search(SearchRequest(query="okapi"))) == {"case-1"}
    assert backend.bulk_index([]) == 0
    with pytest.raises(DocumentError):
        backend.bulk_index(iter([make_doc(50), {"id": "bad"}]))
    assert "case-50" not in backend.stored_versions()


def test_bulk_writer_writes_the_same_segment_files_as_whoosh(tmp_path, monkeypatch):
    """Our posting pool (spilling to run files here) and block writer against Whoosh's own writer."""
    from whoosh import writing
    from whoosh.filedb.filestore import FileStorage

    from search_index.bulk_writer import BulkSegmentWriter
    from search_index.term_pool import TermPool
    from search_index.schema import build_schema, to_fields

    spills: list[int] = []
    spill = TermPool.spill
    monkeypatch.setattr(TermPool, "spill", lambda pool: spills.append(1) or spill(pool))

    fields = [to_fields(d) for d in DOCS]

    def build(folder, writer_class):
        folder.mkdir()
        ix = FileStorage(str(folder)).create_index(build_schema(), indexname="t")
        for part in (fields[:12], fields[12:24], fields[24:]):
            writer = writer_class(ix, limitmb=0.01, compound=False)
            for f in part:
                writer.update_document(**f)
            writer.commit(merge=False)
        writer = writer_class(ix, limitmb=0.01, compound=False)
        writer.delete_by_term("id", "case-5")
        writer.commit(optimize=True)  # merges the three segments through the pool
        return {p.name.split(".", 1)[1]: p.read_bytes() for p in folder.iterdir() if p.suffix in (".pst", ".trm", ".col")}

    ours = build(tmp_path / "ours", BulkSegmentWriter)
    assert len(spills) >= 3
    theirs = build(tmp_path / "whoosh", writing.SegmentWriter)
    assert {"pst", "trm", "_text_len.col"} <= set(ours)
    assert ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_open_backend(tmp_path):
    assert isinstance(open_backend(str(tmp_path / "a")), WhooshBackend)
    assert open_backend(f"whoosh://{tmp_path / 'b'}").path == str(tmp_path / "b")
    with pytest.raises(IndexUnavailableError):
        open_backend("postgresql://127.0.0.1:1/nothing-listens-here")
    with pytest.raises(IndexUnavailableError):
        open_backend("")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(IndexUnavailableError):
        open_backend(str(blocker / "index"))
