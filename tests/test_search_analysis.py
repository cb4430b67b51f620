"""Text analysis: Chinese segmentation, folding, stemming, word pairs."""

import pytest

from collections import Counter

from search_index.analysis import MixedTokenizer, analyze, index_terms, is_shingle, shingle
from search_index.highlight import snippet_html


@pytest.mark.parametrize(
    "a, b",
    [
        ("reparación", "reparacion"),
        ("reparaciones", "reparación"),
        ("calles", "calle"),
        ("streets", "street"),
        ("complaints", "complaint"),
        ("Ｓｔｒｅｅｔ", "street"),  # full-width letters
        ("ＣＡＬＬＥ", "calle"),
        ("Niños", "ninos"),
        ("１２３", "123"),
    ],
)
def test_forms_a_reader_expects_to_match_share_a_term(a, b):
    assert analyze(a) == analyze(b)


def test_chinese_is_segmented_and_long_words_index_their_parts():
    assert analyze("垃圾清运不及时") == ["垃圾清运", "不", "及时"]
    indexed = analyze("垃圾清运不及时", mode="index")
    assert {"垃圾清运", "垃圾", "清运", "及时"} <= set(indexed)


def test_mixed_script_text_keeps_both_languages():
    terms = analyze("路灯损坏 street lights rotas")
    assert "路灯" in terms and "light" in terms and "street" in terms


def test_word_pairs_are_emitted_only_when_indexing_the_text_field():
    indexed = analyze("main street", mode="index", shingles=True)
    assert shingle("main", "street") in indexed
    assert not any(is_shingle(t) for t in analyze("main street", mode="index"))
    assert not any(is_shingle(t) for t in analyze("main street", mode="query", shingles=True))


def test_snippet_escapes_text_and_marks_only_matches():
    text = "Dear office, <script>alert(1)</script> the street lights are broken & dark. 路灯损坏"
    html = snippet_html(text, frozenset(analyze("light")), frozenset(["路灯"]))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "<mark>lights</mark>" in html and "<mark>路灯</mark>" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_snippet_marks_whole_words_only_where_a_word_starts():
    # CJK characters, "_" and punctuation end a Latin word; a stem inside a word is no match.
    text = "Lights out; floodlights and light_poles, 路灯light仍坏, ÉCLAIRAGE LIGHTING, unlight."
    assert snippet_html(text, frozenset(analyze("light")), frozenset()) == (
        "<mark>Lights</mark> out; floodlights and <mark>light</mark>_poles, 路灯<mark>light</mark>仍坏, "
        "ÉCLAIRAGE <mark>LIGHTING</mark>, unlight.")


def test_snippet_centres_on_a_match_far_into_the_text():
    text = "filler words here. " * 200 + "the sewer overflowed into the basement"
    html = snippet_html(text, frozenset(analyze("sewer")), frozenset(), size=120)
    assert "<mark>sewer</mark>" in html and html.startswith("\u2026")
    assert len(html) < 200


@pytest.mark.parametrize("pairs", [True, False])
@pytest.mark.parametrize(
    "text",
    [
        "The street lights on Main Street are broken; 路灯损坏 since Monday.",
        "小区垃圾清运不及时，楼下噪音扰民。垃圾清运垃圾清运",
        "Reparación de las calles ＣＡＬＬＥ niños １２３ e-mail user7@example.org",
        "𠀀𠀁 mixed 中文English混排 words",
        "",
    ],
)
def test_fast_index_terms_equal_the_tokenizer_output(text, pairs):
    tokens = Counter(t.text for t in MixedTokenizer(pairs)(text, mode="index"))
    assert Counter(index_terms(text, pairs)) == tokens
