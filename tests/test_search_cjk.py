"""Chinese words are found however jieba cut them, on both backends: the recall list of ``tests/cjk_recall.py``
(typed words that cross jieba's cut in the letter), precision on distractors, phrases, exclusions and the
knowledge base collection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from search_index import SearchRequest, WhooshBackend, open_backend
from search_index.analysis import analyze, index_terms
from tests.cjk_recall import PAIRS, documents, recall_precision, relevant
from tests.helpers.search_backends import BACKENDS, open_test_backend

TARGET_RECALL = 0.95


@pytest.fixture(scope="module", params=BACKENDS)
def recall_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    b = open_test_backend(request.param, request, tmp_path_factory)
    b.index_documents(documents())
    yield b
    b.close()


def _found(backend, query: str) -> set[str]:
    return {hit.id for hit in backend.search(SearchRequest(query=query, per_page=100)).hits}


def test_every_pair_crosses_jiebas_cut() -> None:
    """The list measures the fallback: without it no typed word is found in its letter."""
    assert len(PAIRS) >= 40
    for word, text in PAIRS:
        assert word in text
        assert not set(analyze(word)) <= set(index_terms(text, False)), word


def test_typed_words_find_the_letters_that_contain_them_and_nothing_else(recall_backend) -> None:
    found = {word: _found(recall_backend, word) for word, _text in PAIRS}
    for word, ids in found.items():
        assert ids == relevant(word), word
    recall, precision = recall_precision(found)
    assert recall >= TARGET_RECALL
    assert precision == 1.0


def test_the_issue_example_and_its_highlight(recall_backend) -> None:
    page = recall_backend.search(SearchRequest(query="公交站"))
    # d0 holds 公交 and 交站 apart, not the word.
    assert [hit.id for hit in page.hits] == ["p0"]
    assert "<mark>公交站</mark>台" in page.hits[0].snippet
    assert _found(recall_backend, "公交") == relevant("公交") >= {"p0", "d0"}


def test_phrases_exclusions_and_mixed_queries_use_the_fallback(recall_backend) -> None:
    assert _found(recall_backend, '"北京市场监管"') == {"p1"}
    assert _found(recall_backend, "市场 -北京市") == relevant("市场") - relevant("北京市")
    assert _found(recall_backend, "北京市 OR 上海市") == {"p1", "p2"}
    assert _found(recall_backend, "bus 公交站") == set()
    # A one-character word typed with its neighbour is matched as the two characters in a row.
    assert _found(recall_backend, "交站") == relevant("交站") == {"p0", "d0"}


def test_a_word_found_by_its_own_term_ranks_above_one_found_through_characters(tmp_path) -> None:
    backend = WhooshBackend(str(tmp_path))
    backend.index_documents([{"id": "cut", "version": "1", "text": "公交站台坏了"},
                             {"id": "word", "version": "1", "text": "公交站坏了"}])
    assert [hit.id for hit in backend.search(SearchRequest(query="公交站")).hits] == ["word", "cut"]
    backend.close()


@pytest.mark.parametrize("kind", BACKENDS)
def test_knowledge_base_articles_get_the_same_fallback(kind, tmp_path, request) -> None:
    location = str(tmp_path) if kind == "whoosh" else request.getfixturevalue("module_postgres_url")
    articles = open_backend(location, collection="articles")
    try:
        articles.clear()
        articles.index_documents([{"id": "7", "version": "1", "channel": "zh",
                                   "text": "公交站台的位置可以在地图上查到"}])
        assert [hit.id for hit in articles.search(SearchRequest(query="公交站")).hits] == ["7"]
    finally:
        articles.clear()
        articles.close()
