"""letter_ocr: type sniffing and hostile or broken files (fast: no page is recognised)."""

from __future__ import annotations

import io
import os
import time
import warnings

import pytest
from PIL import Image

from letter_ocr import (
    CorruptFile,
    EngineError,
    FileTooLarge,
    OcrError,
    OcrSettings,
    OcrTimeout,
    TooManyPages,
    TooManyPixels,
    TooSmall,
    UnsupportedFormat,
    recognise,
    recognise_many,
    sniff_type,
)
from tests.ocr_fixtures import EN_LINES, draw_page, encode, png_bomb, text_pdf


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return draw_page(EN_LINES)


def test_sniffing_reads_the_bytes_not_the_name(page, tmp_path):
    samples = {
        "png": encode(page, "PNG"),
        "jpeg": encode(page, "JPEG"),
        "tiff": encode(page, "TIFF"),
        "pdf": text_pdf([EN_LINES]),
    }
    for kind, data in samples.items():
        # Saved under a misleading name and read back: only the content decides.
        path = tmp_path / "scan.txt"
        path.write_bytes(data)
        assert sniff_type(path.read_bytes()) == kind
    assert sniff_type(encode(page, "TIFF")[:16]) == "tiff"
    # A type counts only where the file starts: a PDF header further in (an HTML page carrying one) is not a PDF.
    with pytest.raises(UnsupportedFormat):
        sniff_type(b"<html><script>alert(1)</script> %PDF-1.7\n...")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"Dear Mayor,\nthis is a plain text file renamed to letter.png\n", "not a PNG, JPEG, TIFF, HEIC or PDF"),
        (os.urandom(4096), "not a PNG, JPEG, TIFF, HEIC or PDF"),
        (b"GIF89a" + b"\x00" * 64, "not a PNG"),
        (b"II+\x00" + b"\x00" * 64, "BigTIFF"),
    ],
)
def test_unsupported_content_is_a_clear_error(data, reason):
    with pytest.raises(UnsupportedFormat) as info:
        recognise(data)
    assert reason in info.value.reason


def test_decompression_bomb_is_refused_quickly_without_touching_global_state():
    before_limit = Image.MAX_IMAGE_PIXELS
    before_filters = list(warnings.filters)
    started = time.monotonic()
    with pytest.raises(TooManyPixels) as info:
        recognise(png_bomb())
    assert "100000x100000" in info.value.reason or "too large" in info.value.reason
    assert time.monotonic() - started < 30  # a guard against hanging, not a speed claim
    assert Image.MAX_IMAGE_PIXELS == before_limit
    assert list(warnings.filters) == before_filters


def test_pixel_limit_is_per_call(page):
    data = encode(page, "PNG")
    with pytest.raises(TooManyPixels) as info:
        recognise(data, OcrSettings(max_pixels=10_000))
    assert "over the limit of 10,000 pixels" in info.value.reason
    # Pillow's own bomb warning (global limit lowered by someone else) also becomes our error.
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 1000
    try:
        with pytest.raises(TooManyPixels):
            recognise(data)
    finally:
        Image.MAX_IMAGE_PIXELS = old


@pytest.mark.parametrize("size", [(1, 1), (3, 200), (200, 15)])
def test_an_image_too_small_to_hold_writing_is_a_clear_error(size):
    with pytest.raises(TooSmall) as info:
        recognise(encode(Image.new("L", size, 0), "PNG"))
    assert f"{size[0]}x{size[1]} pixels is too small to hold writing" in info.value.reason
    assert info.value.code == "too_small"


def test_truncated_png_is_corrupt(page):
    data = encode(page, "PNG")
    with pytest.raises(CorruptFile) as info:
        recognise(data[: len(data) // 2])
    assert "damaged or truncated" in info.value.reason


def test_truncated_png_is_refused_even_when_another_library_tolerates_truncation(page):
    import weasyprint  # noqa: F401 - switches Pillow's global LOAD_TRUNCATED_IMAGES on at import
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    data = encode(page, "PNG")
    with pytest.raises(CorruptFile):
        recognise(data[: len(data) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as the other library wants it


def test_file_size_limit(page):
    with pytest.raises(FileTooLarge):
        recognise(encode(page, "PNG"), OcrSettings(max_bytes=1000))


def test_tiff_with_too_many_pages(page):
    small = page.reduce(4)
    buf = io.BytesIO()
    small.save(buf, "TIFF", save_all=True, append_images=[small] * 4)
    with pytest.raises(TooManyPages) as info:
        recognise(buf.getvalue(), OcrSettings(max_pages=3))
    assert "5 pages" in info.value.reason


def test_pdf_with_too_many_pages_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(TooManyPages) as info:
        recognise(text_pdf([["page"]] * 12), OcrSettings(max_pages=10))
    assert "12 pages" in info.value.reason
    assert time.monotonic() - started < 30


def test_broken_pdfs_are_corrupt():
    with pytest.raises(CorruptFile):
        recognise(b"%PDF-1.4\n" + os.urandom(2000))
    with pytest.raises(CorruptFile):
        recognise(text_pdf([EN_LINES])[:200])


def test_pdf_rasteriser_time_limit():
    with pytest.raises(OcrTimeout) as info:
        recognise(text_pdf([EN_LINES]), OcrSettings(pdf_timeout=0.001))
    assert "longer than" in info.value.reason


def test_tesseract_time_limit(page):
    with pytest.raises(OcrTimeout) as info:
        recognise(encode(page, "PNG"), OcrSettings(tesseract_timeout=0.001))
    assert "page 1" in info.value.reason


def test_missing_language_is_an_engine_error(page):
    with pytest.raises(EngineError) as info:
        recognise(encode(page, "PNG"), OcrSettings(languages=("eng", "xyz_nope")))
    assert "xyz_nope" in info.value.reason


def test_recognise_many_reports_each_bad_file_and_progress():
    calls = []
    results = recognise_many(
        [b"not an image", png_bomb(), text_pdf([EN_LINES])],
        OcrSettings(),
        on_progress=lambda done, total: calls.append((done, total)),
    )
    assert isinstance(results[0], UnsupportedFormat)
    assert isinstance(results[1], TooManyPixels)
    assert not isinstance(results[2], OcrError)
    assert results[2].pages[0].source == "text-layer"
    assert calls[0] == (0, 1) and calls[-1] == (1, 1)


def test_errors_survive_pickling():
    import pickle

    err = pickle.loads(pickle.dumps(TooManyPages("the PDF has 99 pages")))
    assert isinstance(err, TooManyPages) and err.reason == "the PDF has 99 pages"
