"""letter_ocr with the real tesseract: languages, orientation, skew, file kinds, searchable PDF, batches."""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageChops

from letter_ocr import (
    OcrDocument,
    OcrError,
    OcrSettings,
    recognise,
    recognise_many,
    searchable_pdf,
    split_at_blank_pages,
)
from tests.ocr_fixtures import EN_LINES, ES_LINES, ZH_LINES, degrade, draw_letter, draw_page, encode, rotate, text_pdf

SETTINGS = OcrSettings()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def assert_read(text: str, lines: list[str], at_least: float = 0.9) -> None:
    """Most of the expected characters are there, in order (tolerates a letter or two of OCR noise)."""
    import difflib

    expected, got = squash("".join(lines)), squash(text)
    ratio = difflib.SequenceMatcher(None, expected, got).ratio()
    assert ratio >= at_least, f"read {text!r}, expected {lines!r} (similarity {ratio:.2f})"


@pytest.fixture(scope="module")
def english_doc() -> OcrDocument:
    return recognise(encode(draw_page(EN_LINES), "PNG"), SETTINGS)


def test_english_page(english_doc):
    page = english_doc.pages[0]
    assert english_doc.kind == "png" and len(english_doc.pages) == 1
    assert_read(page.text, EN_LINES, 0.95)
    assert page.language == "eng" and page.script == "Latin"
    assert page.rotation == 0 and abs(page.skew) < 0.5
    assert page.confidence > 80 and english_doc.confidence == pytest.approx(page.confidence, abs=0.1)
    street = [w for w in page.words if w.text.lower() == "street"]
    assert street and street[0].width > 0 and street[0].height > 0 and street[0].conf > 50
    image = Image.open(io.BytesIO(page.image_png))
    assert image.format == "PNG" and image.size == (page.width, page.height)
    # The word box sits on the word's ink in the cleaned image.
    w = street[0]
    box = image.convert("L").crop((w.left, w.top, w.left + w.width, w.top + w.height))
    assert box.histogram()[0] > 0.1 * w.width * w.height


def test_spanish_page_uses_spanish():
    page = recognise(encode(draw_page(ES_LINES, "spa"), "PNG"), SETTINGS).pages[0]
    assert page.language == "spa"
    assert "señor" in page.text and "está" in page.text
    assert_read(page.text, ES_LINES, 0.95)


def test_chinese_page_uses_chinese_only():
    page = recognise(encode(draw_page(ZH_LINES, "chi_sim"), "PNG"), SETTINGS).pages[0]
    assert page.language == "chi_sim" and page.script == "Han"
    assert "市长" in page.text and "道路" in page.text
    assert " " not in page.text.split("\n")[1]  # no spaces between Chinese characters
    assert_read(page.text, ZH_LINES, 0.8)


def test_upside_down_page_is_turned():
    page = recognise(encode(rotate(draw_page(EN_LINES), 180), "PNG"), SETTINGS).pages[0]
    assert page.rotation == 180
    assert_read(page.text, EN_LINES)


def test_sideways_page_is_turned():
    page = recognise(encode(rotate(draw_page(ES_LINES, "spa"), -90), "PNG"), SETTINGS).pages[0]
    assert page.rotation == 90
    assert_read(page.text, ES_LINES)


def test_skewed_page_is_straightened():
    page = recognise(encode(rotate(draw_page(EN_LINES), 4), "PNG"), SETTINGS).pages[0]
    assert page.skew == pytest.approx(-4, abs=0.4)
    assert_read(page.text, EN_LINES)


def test_exif_orientation_of_a_phone_photo_is_honoured():
    upright = draw_page(EN_LINES).convert("RGB")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # the camera kept the sensor's orientation
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to display"
    page = recognise(encode(stored, "JPEG", exif=exif, quality=90), SETTINGS).pages[0]
    assert page.rotation == 0  # EXIF already made it upright: no turn of ours was needed
    assert page.width < page.height
    assert_read(page.text, EN_LINES)


def test_noisy_jpeg_is_cleaned():
    page = recognise(degrade(draw_page(ES_LINES, "spa")), SETTINGS).pages[0]
    assert page.denoised
    assert_read(page.text, ES_LINES, 0.85)


def test_multipage_tiff_and_blank_page_splitting():
    pages = [draw_page(EN_LINES), draw_page([""]), draw_page(ES_LINES, "spa")]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    doc = recognise(buf.getvalue(), SETTINGS)
    assert doc.kind == "tiff" and [p.number for p in doc.pages] == [1, 2, 3]
    assert [p.blank for p in doc.pages] == [False, True, False]
    assert doc.pages[1].text == "" and doc.pages[1].ink_ratio < SETTINGS.blank_ink_ratio
    letters = split_at_blank_pages(doc)
    assert [[p.number for p in letter] for letter in letters] == [[1], [3]]
    assert_read(letters[0][0].text, EN_LINES)
    assert_read(letters[1][0].text, ES_LINES)
    assert doc.languages == ["eng", "spa"]


def test_mixed_pdf_uses_text_layer_and_rasterises_scans():
    # Page 1: a real text layer. Page 2: a scan (an image only).
    text_doc = pdfium.PdfDocument(text_pdf([EN_LINES]))
    scan_doc = pdfium.PdfDocument(encode(draw_page(ES_LINES, "spa"), "PDF"))
    text_doc.import_pages(scan_doc)
    buf = io.BytesIO()
    text_doc.save(buf)
    doc = recognise(buf.getvalue(), SETTINGS)
    assert doc.kind == "pdf" and len(doc.pages) == 2
    first, second = doc.pages
    assert first.source == "text-layer" and first.confidence == 100.0
    assert first.text.split("\n") == EN_LINES  # exact: taken from the layer, not read
    assert first.language == "eng" and any(w.text == "street" for w in first.words)
    assert second.source == "ocr" and second.language == "spa"
    assert_read(second.text, ES_LINES)
    assert "Dear Mayor" in doc.text and "alcalde" in doc.text


def text_of_pdf(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def test_searchable_pdf_has_extractable_text(english_doc):
    data = searchable_pdf(english_doc, SETTINGS)
    texts = text_of_pdf(data)
    assert len(texts) == 1
    assert_read(texts[0], EN_LINES, 0.9)


def test_searchable_pdf_from_bytes_reuses_the_recognition_pass():
    settings = OcrSettings(make_pdf=True)
    doc = recognise(encode(draw_page(ZH_LINES, "chi_sim"), "PNG"), settings)
    assert doc.pages[0].pdf
    texts = text_of_pdf(searchable_pdf(doc, settings))
    assert "市长" in squash(texts[0])


def test_recognise_many_in_parallel_with_progress():
    items = [encode(draw_page(EN_LINES), "PNG"), b"plain text", encode(draw_page(ZH_LINES, "chi_sim"), "PNG")]
    calls = []
    results = recognise_many(items, OcrSettings(workers=2), on_progress=lambda d, t: calls.append((d, t)))
    assert isinstance(results[1], OcrError) and "not a PNG" in results[1].reason
    assert "street" in results[0].text and "市长" in results[2].text
    assert calls == [(0, 2), (1, 2), (2, 2)]


def test_unevenly_lit_photo_is_flattened():
    page = draw_page(EN_LINES)
    # A phone photo: the light falls off towards one side, darker than the ink threshold of the bright side.
    shade = Image.linear_gradient("L").rotate(90).resize(page.size).point(lambda v: 255 - v * 150 // 255)
    photo = ImageChops.multiply(page, shade)
    result = recognise(encode(photo, "JPEG", quality=85), SETTINGS).pages[0]
    assert_read(result.text, EN_LINES)


def test_searchable_pdf_of_a_cropped_reading_keeps_the_whole_page_and_puts_the_text_over_the_words():
    # Only the written area is read; the PDF page is still the whole cleaned page, its text where the words are.
    settings = OcrSettings(make_pdf=True)
    doc = recognise(encode(draw_letter("eng", 200), "PNG"), settings)
    page = doc.pages[0]
    pdf = pdfium.PdfDocument(page.pdf)
    width_pt, height_pt = pdf[0].get_size()
    assert (width_pt, height_pt) == pytest.approx((page.width * 72 / 200, page.height * 72 / 200), abs=0.5)
    image = pdf[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
    assert len(list(image)) == 1  # the page image, once
    textpage = pdf[0].get_textpage()
    found = textpage.search("Maple", match_case=True).get_next()
    assert found is not None
    left, bottom, right, top = textpage.get_charbox(found[0])
    word = next(w for w in page.words if w.text.startswith("Maple"))
    scale = 200 / 72  # points -> pixels
    assert left * scale == pytest.approx(word.left, abs=6)
    assert (height_pt - top) * scale == pytest.approx(word.top, abs=12)
    assert "Maple" in text_of_pdf(searchable_pdf(doc, settings))[0]


def test_pages_made_into_pdfs_in_parallel_threads():
    # PDFium may not be entered from two threads at once; the recognition threads compose page PDFs.
    items = [encode(draw_letter(lang, 200), "PNG") for lang in ("eng", "spa", "chi_sim") for _ in range(2)]
    results = recognise_many(items, OcrSettings(workers=3, make_pdf=True))
    assert all(isinstance(r, OcrDocument) for r in results), results
    texts = [text_of_pdf(r.pages[0].pdf)[0] for r in results]
    assert all("Maple" in t for t in texts[:2]) and all("alcalde" in t for t in texts[2:4])
    assert all("市长" in squash(t) for t in texts[4:])
