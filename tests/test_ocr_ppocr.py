"""Chinese pages through PP-OCR (the real models from the rapidocr-onnxruntime wheel) on real rendered pages:
reading order, word boxes, the engine setting, the fallback to tesseract, threads, searchable PDF, photos."""

from __future__ import annotations

import difflib
import io
import re
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from letter_ocr import OcrSettings, recognise, searchable_pdf
from letter_ocr import ppocr
from tests.ocr_fixtures import (LETTER_PARTS, ZH_LINES, draw_columns, draw_letter, draw_page, encode,
                                logging_tesseract, photograph, recognition_calls, rotate, zh_faces)

BODY = LETTER_PARTS["chi_sim"][2]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def similarity(expected: str, got: str) -> float:
    return difflib.SequenceMatcher(None, squash(expected), squash(got)).ratio()


@pytest.fixture()
def logged(tmp_path: Path) -> tuple[OcrSettings, Path]:
    command, log = logging_tesseract(tmp_path)
    return OcrSettings(tesseract_cmd=command, workers=1), log


def test_a_chinese_letter_is_read_by_ppocr_without_tesseract(logged) -> None:
    settings, log = logged
    page = recognise(encode(draw_letter("chi_sim", 200), "PNG"), settings).pages[0]
    assert page.engine == "ppocr" and page.language == "chi_sim" and page.script == "Han"
    assert not page.dewarped and page.dpi == 200  # a scan: no sheet to find in it
    assert recognition_calls(log) == []  # orientation came from the line shapes, the reading from PP-OCR
    address, date, body = LETTER_PARTS["chi_sim"]
    assert similarity("".join(address) + date + body, page.text) > 0.97, page.text
    assert page.confidence > 90
    # The address block (flush right) and the body come in reading order, the body after the date.
    assert page.text.index("王建国") < page.text.index("2026") < page.text.index("尊敬的市长")
    # Word boxes are characters, on the character's ink in the page image.
    image = Image.open(io.BytesIO(page.image_png)).convert("L")
    city = [w for w in page.words if w.text == "市"]
    assert city and all(w.conf > 50 for w in city)
    w = city[0]
    assert w.width < 3 * w.height  # one character, not the whole line
    assert image.crop((w.left, w.top, w.left + w.width, w.top + w.height)).histogram()[0] > 0.05 * w.width * w.height


def test_kai_font_letter_is_read() -> None:
    path, _index = next(face for face in zh_faces("Kai") if face[1] == 0)
    page = recognise(encode(draw_letter("chi_sim", 200, font_file=path), "PNG"), OcrSettings()).pages[0]
    assert page.engine == "ppocr"
    assert similarity(BODY, page.text[page.text.index("尊"):]) > 0.97, page.text


def test_vertical_columns_are_read_right_to_left(logged) -> None:
    settings, log = logged
    image, columns = draw_columns(BODY)
    page = recognise(encode(image, "PNG"), settings).pages[0]
    assert page.engine == "ppocr" and page.rotation == 0 and page.width < page.height
    assert similarity("".join(columns), page.text) > 0.95, page.text
    # One column per line of text, the rightmost first.
    assert page.text.split("\n")[0].startswith(columns[0][:4])
    assert [call[call.index("--psm") + 1] for call in recognition_calls(log)] == ["0"]  # one orientation check


@pytest.mark.parametrize("turn", [90, 180])
def test_a_turned_chinese_page_is_turned_back_and_read_in_order(turn: int) -> None:
    image = draw_letter("chi_sim", 200)
    page = recognise(encode(rotate(image, turn), "PNG"), OcrSettings()).pages[0]
    assert page.engine == "ppocr" and page.rotation == (360 - turn) % 360  # turned back the other way
    assert page.text.index("王建国") < page.text.index("尊敬的市长") < page.text.index("此致敬礼")


def test_an_upside_down_page_the_line_shapes_miss_is_read_turned_over() -> None:
    # Three short lines: the line shapes cannot tell; PP-OCR reads nothing upside down and is asked again.
    page = recognise(encode(rotate(draw_page(ZH_LINES, "chi_sim"), 180), "PNG"), OcrSettings()).pages[0]
    assert page.rotation == 180 and page.text.split("\n") == ZH_LINES


def test_mixed_chinese_and_latin_on_one_page() -> None:
    lines = ["我的电话是 13912345678，请回电。", "邮箱 wang.jianguo@example.com 也可以。", "请尽快修理 Maple 路的路灯。"]
    page = recognise(encode(draw_page(lines, "chi_sim", dpi=200), "PNG"), OcrSettings()).pages[0]
    assert page.engine == "ppocr"
    assert "13912345678" in page.text and "Maple" in page.text and "wang.jianguo@example.com" in page.text


def test_the_setting_chooses_the_engine_per_language() -> None:
    data = encode(draw_page(ZH_LINES, "chi_sim"), "PNG")
    page = recognise(data, OcrSettings(engines={"chi_sim": "tesseract"})).pages[0]
    assert page.engine == "tesseract" and "市长" in page.text
    assert OcrSettings().engine_for("chi_sim") == "ppocr"
    assert OcrSettings().engine_for("eng") == "tesseract" and OcrSettings().engine_for("chi_sim+eng") == "tesseract"


def test_tesseract_reads_chinese_when_the_onnx_engine_is_missing(tmp_path: Path) -> None:
    # A separate interpreter in which the package cannot be imported, as on a server without it.
    (tmp_path / "page.png").write_bytes(encode(draw_page(ZH_LINES, "chi_sim"), "PNG"))
    code = ("import sys; sys.modules['rapidocr_onnxruntime'] = None\n"
            "from letter_ocr import recognise, ppocr\n"
            "assert not ppocr.available()\n"
            f"page = recognise(open({str(tmp_path / 'page.png')!r}, 'rb').read()).pages[0]\n"
            "print(page.engine, page.text.replace(chr(10), ''))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    assert out.startswith("tesseract ") and "市长" in out


def test_one_engine_per_process_with_one_thread_per_run() -> None:
    engine = ppocr.engine(1)
    assert ppocr.engine(1) is engine
    for session in (engine.text_det.infer.session, engine.text_rec.session.session):
        options = session.get_session_options()
        assert options.intra_op_num_threads == 1 and options.inter_op_num_threads == 1


def test_searchable_pdf_of_a_ppocr_page_has_the_text_over_the_characters() -> None:
    settings = OcrSettings(make_pdf=True)
    document = recognise(encode(draw_page(ZH_LINES, "chi_sim", dpi=150), "PNG"), settings)
    page = document.pages[0]
    assert page.engine == "ppocr" and page.pdf
    pdf = pdfium.PdfDocument(searchable_pdf(document, settings))
    textpage = pdf[0].get_textpage()
    assert "市长" in squash(textpage.get_text_range())
    found = textpage.search("市", match_case=True).get_next()
    left, _bottom, _right, top = textpage.get_charbox(found[0])
    word = next(w for w in page.words if w.text == "市")
    scale = 150 / 72
    height_pt = pdf[0].get_height()
    assert left * scale == pytest.approx(word.left, abs=4)
    assert (height_pt - top) * scale == pytest.approx(word.top, abs=word.height * 0.3)


def test_a_phone_photo_is_read() -> None:
    face = zh_faces("Kai")[0]
    lines = [BODY[i:i + 18] for i in range(0, 72, 18)]
    data = photograph(draw_page(lines, "chi_sim", dpi=200, size_in=(8.27, 11.69), pt=14, margin_in=1.0, face=face),
                      seed=3)
    assert len(data) > 1_000_000 and Image.open(io.BytesIO(data)).size == (3024, 4032)
    page = recognise(data, OcrSettings()).pages[0]
    assert page.engine == "ppocr"
    assert similarity("".join(lines), page.text) > 0.97, page.text
    # The sheet was found and warped flat: an A4 page's shape, no table around it, the lines level.
    assert page.dewarped and page.height / page.width == pytest.approx(11.69 / 8.27, rel=0.08)
    assert abs(page.skew) < 1
    words = [w for w in page.words if w.text == lines[0][0]]
    assert words and words[0].left < 0.2 * page.width and words[0].top < 0.2 * page.height


def test_heic_photo_turned_by_its_orientation_tag() -> None:
    # The camera held sideways: pixels stored turned, the orientation tag (6: turn clockwise) says how to show them.
    image = rotate(draw_page(ZH_LINES, "chi_sim"), 90).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    image.save(buf, "HEIF", quality=85, exif=exif.tobytes())
    document = recognise(buf.getvalue(), OcrSettings())
    assert document.kind == "heif"
    page = document.pages[0]
    assert page.rotation == 0 and page.text.split("\n") == ZH_LINES


def test_half_width_punctuation_inside_chinese_becomes_full_width() -> None:
    assert ppocr.full_width("您好,市长:路灯坏了!") == "您好，市长：路灯坏了！"
    assert ppocr.full_width("Tel: 555, ok") == "Tel: 555, ok"


def test_reading_order_of_lines() -> None:
    def line(text, left, top, right, bottom):
        return ppocr.PpLine(text, 99.0, left, top, right, bottom, [])

    # Two rows, the second row in two pieces given right piece first; a row's pieces left to right.
    rows, vertical = ppocr.reading_order([line("第二行右", 300, 100, 500, 140), line("第一行", 0, 0, 400, 40),
                                          line("第二行左", 0, 102, 200, 138)])
    assert not vertical and [[l.text for l in row] for row in rows] == [["第一行"], ["第二行左", "第二行右"]]
    # Columns: right to left, each top to bottom.
    cols, vertical = ppocr.reading_order([line("左列文字", 0, 0, 40, 400), line("右列上半", 60, 0, 100, 190),
                                          line("右列下半", 60, 210, 100, 400)])
    assert vertical and [[l.text for l in col] for col in cols] == [["右列上半", "右列下半"], ["左列文字"]]
    assert ppocr.to_text(cols, vertical) == "右列上半右列下半\n左列文字"
