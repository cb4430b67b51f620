"""Orientation and language choice without extra tesseract calls: the line-shape up/down test on letter-like
pages, the reading language, and — counted through a logging wrapper around the real tesseract — one call per
ordinary page."""

from __future__ import annotations

import difflib
import os
import re
import statistics
from pathlib import Path

import pytest
from PIL import Image

from letter_ocr import OcrSettings, recognise
from letter_ocr.language import reading_language
from letter_ocr.preprocess import clean_page
from letter_ocr.page_orientation import upside_down
from tests.ocr_fixtures import (LATIN_FONT, LETTER_PARTS, ZH_LINES, degrade, draw_letter, draw_page, encode,
                                logging_tesseract, recognition_calls)


def similarity(text: str, lang: str) -> float:
    address, date, body = LETTER_PARTS[lang]
    expected = re.sub(r"\s+", "", "".join(address) + date + body).lower()
    return difflib.SequenceMatcher(None, expected, re.sub(r"\s+", "", text).lower()).ratio()


@pytest.mark.parametrize("lang", ["eng", "spa", "chi_sim"])
@pytest.mark.parametrize("dpi", [200, 300])
def test_line_shapes_tell_upside_down_letters(lang: str, dpi: int) -> None:
    letter = draw_letter(lang, dpi)
    for turn, expected in ((0, False), (180, True)):
        clean = clean_page(letter.rotate(turn) if turn else letter)
        assert clean.script_hint == ("Han" if lang == "chi_sim" else "Latin")
        assert upside_down(clean.image, clean.line_bands, clean.script_hint) is expected


@pytest.mark.parametrize("face", ["DejaVuSerif.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf",
                                  "DejaVuSans-Bold.ttf"])
def test_line_shapes_tell_upside_down_in_other_typefaces(face: str) -> None:
    path = os.path.join(os.path.dirname(LATIN_FONT), face)
    for lang in ("eng", "spa"):
        letter = draw_letter(lang, 200, font_file=path)
        for turn, expected in ((0, False), (180, True)):
            clean = clean_page(letter.rotate(turn) if turn else letter)
            assert upside_down(clean.image, clean.line_bands, clean.script_hint) is expected, (lang, turn)


def test_no_text_lines_means_no_answer() -> None:
    assert upside_down(Image.new("1", (400, 600), 1), [], "Latin") is None


def test_reading_language() -> None:
    # English needs only ASCII letters: the one other Latin language reads it too.
    assert reading_language("Latin", ("eng", "spa", "chi_sim")) == "spa"
    assert reading_language("Latin", ("eng", "chi_sim")) == "eng"
    assert reading_language("Han", ("eng", "spa", "chi_sim")) == "chi_sim"
    # Two accented Latin languages, or two Chinese models: the language has to be found first.
    assert reading_language("Latin", ("eng", "spa", "fra")) is None
    assert reading_language("Han", ("chi_sim", "chi_tra")) is None
    assert reading_language(None, ("eng", "spa")) is None


@pytest.fixture()
def logged_tesseract(tmp_path: Path) -> tuple[OcrSettings, Path]:
    """Settings whose tesseract is the real one behind a script that logs each command line; tesseract reads
    every language here (PP-OCR's Chinese pages are counted in test_ocr_ppocr.py)."""
    command, log = logging_tesseract(tmp_path)
    return OcrSettings(tesseract_cmd=command, engines={}), log


@pytest.mark.parametrize(("lang", "turn", "reader"), [
    ("eng", 0, "spa"), ("eng", 180, "spa"), ("spa", 0, "spa"), ("chi_sim", 0, "chi_sim"), ("chi_sim", 180, "chi_sim"),
])
def test_an_ordinary_page_costs_one_tesseract_call(logged_tesseract, lang: str, turn: int, reader: str) -> None:
    settings, log = logged_tesseract
    letter = draw_letter(lang, 200)
    page = recognise(encode(letter.rotate(turn) if turn else letter, "PNG"), settings).pages[0]
    calls = recognition_calls(log)
    assert len(calls) == 1, calls
    assert calls[0][calls[0].index("-l") + 1] == reader
    assert page.rotation == turn and page.language == lang
    assert similarity(page.text, lang) > 0.9, page.text


def test_sideways_page_whose_way_up_is_open_still_gets_read(logged_tesseract) -> None:
    settings, log = logged_tesseract
    # Three short Chinese lines of about equal length with few marks: the line shapes cannot tell which way up
    # the turned page is, so tesseract is asked (probe or OSD) before or after reading.
    image = draw_page(ZH_LINES, "chi_sim").rotate(90, expand=True)
    clean = clean_page(image)
    assert clean.quarter_turn and upside_down(clean.image, clean.line_bands, clean.script_hint) is None
    page = recognise(encode(image, "PNG"), settings).pages[0]
    assert "市长" in page.text and page.rotation == 270
    assert 2 <= len(recognition_calls(log)) <= 3


def test_a_page_number_survives_the_clean_up_of_a_speckled_page() -> None:
    # The specks left after clean-up lie all over the margins; cropping to the writing must keep a lone footer.
    # How well a page this bad reads depends on where the grain falls: three grains, judged by the median.
    scores = []
    for seed in (1, 2, 3):
        data = degrade(draw_letter("eng", 200, footer="Page 2"), seed=seed, sigma=50, specks=6000, jpeg_quality=35)
        page = recognise(data, OcrSettings()).pages[0]
        assert page.denoised
        assert "Page 2" in page.text.split("\n")[-1]
        scores.append(similarity(page.text.replace("Page 2", ""), "eng"))
    assert min(scores) > 0.75 and statistics.median(scores) > 0.9, scores


def test_an_upside_down_page_the_line_shapes_miss_is_caught_by_its_low_confidence(logged_tesseract) -> None:
    settings, log = logged_tesseract
    image = draw_page(ZH_LINES, "chi_sim").rotate(180)
    clean = clean_page(image)
    assert not clean.quarter_turn and upside_down(clean.image, clean.line_bands, clean.script_hint) is None
    page = recognise(encode(image, "PNG"), settings).pages[0]
    # Read as it lies (most pages are the right way up), found wanting, probed, turned and read again.
    assert page.rotation == 180 and "市长" in page.text and page.confidence >= settings.min_confidence
    assert len(recognition_calls(log)) == 3
