"""Postal reply letters as PDF: literal text, envelope window, page numbers, QR code, asset-only loading."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from reply_render import (AssetFetcher, LetterError, OfficeInfo, TemplateRejected, combine_pdfs, default_template,
                         letter_pdf, qr_matrix, render_letter, sample_context)
from reply_render.preview import preview_pdf

MM = 72 / 25.4  # PDF points per millimetre
HOSTILE_NAME = "<img src=file:///etc/passwd> <b>Bob</b>"
TRACKING_URL = "https://mailbox.example.gov/track/K7Q2-9XMB-4TRA"
OFFICE = OfficeInfo(name="Mayor's Mailbox Office", authority="City of Springfield",
                    address_lines=("1 City Hall Square", "Springfield 10100"), phone="12345",
                    email="mailbox@springfield.example.gov", website="mailbox.springfield.example.gov")
LETTER_DATE = date(2026, 3, 10)


def make_pdf(purpose="reply", lang="en", fetcher=None, qr=True, **values):
    ctx = sample_context()
    ctx.update(values)
    rendered = render_letter(default_template(purpose, lang), ctx, lang=lang)
    return letter_pdf(rendered, recipient_name=ctx["citizen_name"], recipient_address=ctx["citizen_address"],
                      date=LETTER_DATE, case_number=ctx["case_number"], tracking_url=ctx["tracking_url"],
                      tracking_code=ctx["tracking_code"], office=OFFICE, qr=qr, url_fetcher=fetcher)


def page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def squash(text: str) -> str:
    # pdfium reports a hyphen at a line break as U+FFFE; it is the same hyphen.
    return re.sub(r"\s+", "", text.replace("\ufffe", "-"))


def occurrences_mm(pdf: bytes, needle: str, page_index: int = 0) -> list[list[tuple[float, float, float, float]]]:
    """For each occurrence of ``needle`` on the page, the boxes (left, top, right, bottom) of its characters
    in mm from the page's top-left corner."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[page_index]
        height = page.get_height()
        textpage = page.get_textpage()
        searcher = textpage.search(needle, match_case=True)
        result = []
        while (found := searcher.get_next()) is not None:
            start, count = found
            boxes = []
            for index in range(start, start + count):
                if textpage.get_text_range(index, 1).isspace():
                    continue
                left, bottom, right, top = textpage.get_charbox(index)
                boxes.append((left / MM, (height - top) / MM, right / MM, (height - bottom) / MM))
            result.append(boxes)
        assert result, f"{needle!r} not on page {page_index + 1}"
        return result
    finally:
        doc.close()


def char_boxes_mm(pdf: bytes, needle: str, page_index: int = 0) -> list[tuple[float, float, float, float]]:
    """The character boxes of the first occurrence of ``needle``."""
    return occurrences_mm(pdf, needle, page_index)[0]


def in_window_once(pdf: bytes, needle: str) -> bool:
    """``needle`` is printed wholly inside the envelope window exactly once (the address block)."""
    return sum(all(inside_window(b) for b in boxes) for boxes in occurrences_mm(pdf, needle)) == 1


def font_names(pdf: bytes, needle: str) -> set[str]:
    """Names of the fonts the characters of ``needle`` (first occurrence, page 1) are drawn with."""
    import ctypes

    doc = pdfium.PdfDocument(pdf)
    try:
        textpage = doc[0].get_textpage()
        start, count = textpage.search(needle, match_case=True).get_next()
        names = set()
        for index in range(start, start + count):
            flags = ctypes.c_int()
            size = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, None, 0, ctypes.byref(flags))
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, size, ctypes.byref(flags))
            names.add(buffer.value.decode("utf-8", "replace"))
        return names
    finally:
        doc.close()


def all_char_boxes_mm(pdf: bytes, page_index: int = 0) -> list[tuple[str, tuple[float, float, float, float]]]:
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[page_index]
        height = page.get_height()
        textpage = page.get_textpage()
        out = []
        for index in range(textpage.count_chars()):
            char = textpage.get_text_range(index, 1)
            if not char.strip():
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            out.append((char, (left / MM, (height - top) / MM, right / MM, (height - bottom) / MM)))
        return out
    finally:
        doc.close()


def images(pdf: bytes, page_index: int = 0):
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[page_index]
        result = []
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=8):
            left, bottom, right, top = obj.get_bounds()
            height = page.get_height()
            result.append((obj.get_bitmap(render=False).to_pil().convert("L"),
                           (left / MM, (height - top) / MM, right / MM, (height - bottom) / MM)))
        return result
    finally:
        doc.close()


def inside_window(box) -> bool:
    left, top, right, bottom = box
    return 20 - 0.5 <= left and right <= 105 + 0.5 and 45 - 0.5 <= top and bottom <= 90 + 0.5


@pytest.fixture(scope="module")
def hostile():
    fetcher = AssetFetcher()
    pdf = make_pdf(fetcher=fetcher, citizen_name=HOSTILE_NAME,
                   citizen_address='<script>alert(1)</script>\n<link rel=stylesheet href="file:///etc/passwd">',
                   case_subject='<iframe src="http://127.0.0.1:9/"></iframe>',
                   unit_feedback='<img src="file:///etc/passwd"> <img src="http://127.0.0.1:9/x.png">\n\n'
                                 '<style>@import url(file:///etc/passwd);</style>')
    return pdf, fetcher


@pytest.fixture(scope="module")
def chinese():
    return make_pdf(lang="zh", citizen_name="王小明", citizen_address="北京市东城区正义路2号\n市政大厦3层",
                    unit="市住房和城乡建设委员会", unit_feedback="经查，该路灯已于3月8日修复。感谢您的监督。")


@pytest.fixture(scope="module")
def long_letter():
    feedback = "\n\n".join(f"Paragraph {i}: " + "The works on the river embankment continue as planned. " * 6
                           for i in range(1, 31))
    return make_pdf(unit_feedback=feedback)


# --- markup stays text; nothing outside our assets is loaded --------------------------------------------------

def test_markup_in_citizen_values_prints_as_literal_text(hostile):
    pdf, _fetcher = hostile
    text = page_texts(pdf)[0]
    assert squash(f"Dear {HOSTILE_NAME},") in squash(text)
    assert squash(HOSTILE_NAME) in squash(text.split("Date")[0])  # the address window, before the info block
    assert squash("<script>alert(1)</script>") in squash(text)
    assert squash('<img src="file:///etc/passwd">') in squash("".join(page_texts(pdf)))
    assert squash('<iframe src="http://127.0.0.1:9/"></iframe>') in squash(text)


def test_the_pdf_embeds_nothing_from_the_file_system(hostile):
    pdf, _fetcher = hostile
    passwd_lines = [line for line in Path("/etc/passwd").read_text().splitlines() if line.strip()]
    everything = "".join(page_texts(pdf))
    for line in passwd_lines[:5]:
        assert line not in everything
        assert line.encode() not in pdf
    assert len(images(pdf)) == 1  # the QR code, nothing fetched from elsewhere


def test_the_fetcher_was_asked_only_for_our_assets(hostile):
    _pdf, fetcher = hostile
    assert fetcher.refused == []
    assert fetcher.requested, "the stylesheet and crest come through the fetcher"
    for url in fetcher.requested:
        assert url.startswith("letter-asset:") or url in fetcher.allowed_data, url
    assert "letter-asset:letter.css" in fetcher.requested
    assert any(url.startswith("data:image/png;base64,") for url in fetcher.requested)


def test_weasyprint_goes_through_the_fetcher_and_it_refuses_outside_urls(tmp_path):
    from weasyprint import HTML

    fetcher = AssetFetcher()
    html = ('<link rel="stylesheet" href="file:///etc/passwd"><img src="file:///etc/passwd">'
            '<img src="http://127.0.0.1:9/x.png"><style>@import url("https://127.0.0.1:9/a.css");</style>'
            '<img src="data:image/png;base64,iVBORw0KGgo="><img src="letter-asset:../../etc/passwd">'
            '<img src="letter-asset:crest.svg"><p>hello</p>')
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert "hello" in page_texts(pdf)[0]
    assert set(fetcher.refused) == {"file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://127.0.0.1:9/a.css",
                                    "data:image/png;base64,iVBORw0KGgo=", "letter-asset:../../etc/passwd"}
    assert "letter-asset:crest.svg" not in fetcher.refused
    assert b"root:" not in pdf


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "FILE:///etc/passwd", "http://127.0.0.1/", "https://example.org/x.css", "ftp://x/y",
    "letter-asset:../pages/../../../etc/passwd", "letter-asset:/etc/passwd", "letter-asset:", "letter-asset:.",
    "letter-asset:missing.css", "letter-asset:..\\x", "data:text/css,body{}", "javascript:alert(1)", "about:blank",
])
def test_asset_fetcher_refuses(url):
    fetcher = AssetFetcher()
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_asset_fetcher_serves_assets_and_refuses_symlinks_out(tmp_path):
    (tmp_path / "a.css").write_text("p { color: red }")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.svg").write_text("<svg/>")
    (tmp_path / "passwd.css").symlink_to("/etc/passwd")
    fetcher = AssetFetcher(tmp_path)
    response = fetcher.fetch("letter-asset:a.css")
    assert response.read() == b"p { color: red }" and response.content_type == "text/css"
    assert fetcher.fetch("letter-asset:sub/b.svg").content_type == "image/svg+xml"
    with pytest.raises(ValueError):
        fetcher.fetch("letter-asset:passwd.css")
    fetcher.allow_data("data:text/plain;base64,aGk=")
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


# --- layout -----------------------------------------------------------------------------------------------------

def test_page_is_a4_and_address_block_sits_in_the_envelope_window():
    pdf = make_pdf(citizen_name="Maria Lopez", citizen_address="12 River Road\nFlat 3\nSpringfield 10115")
    doc = pdfium.PdfDocument(pdf)
    width, height = doc.get_page_size(0)
    doc.close()
    assert (round(width / MM), round(height / MM)) == (210, 297)
    for needle in ("Maria Lopez", "12 River Road", "Flat 3", "Springfield 10115"):
        assert in_window_once(pdf, needle), (needle, occurrences_mm(pdf, needle))
    # The recipient is below the return line, in the lower part of the window, and reads top to bottom.
    name_top = next(boxes for boxes in occurrences_mm(pdf, "Maria Lopez") if inside_window(boxes[0]))[0][1]
    town_top = char_boxes_mm(pdf, "Springfield 10115")[0][1]
    return_top = char_boxes_mm(pdf, "1 City Hall Square ·")[0][1]
    assert 45 <= return_top < name_top < town_top < 90
    # The subject starts below the window, where the letter text begins.
    assert char_boxes_mm(pdf, "Reply to your letter")[0][1] > 92


def test_very_long_name_and_address_never_leave_the_window():
    name = "Maximiliano Alejandro de la Santísima Trinidad Fernández-Villaverde y Montenegro-Echeverría " * 3
    address = "\n".join(f"Calle de la Princesa Doña María de las Mercedes de Borbón y Orleans número {i}"
                        for i in range(10))
    pdf = make_pdf(lang="es", citizen_name=name, citizen_address=address)
    window_band = [(c, b) for c, b in all_char_boxes_mm(pdf) if b[2] < 110 and 44 <= b[1] < 92]
    assert window_band, "the address block is there"
    outside = [(c, b) for c, b in window_band if not inside_window(b)]
    assert outside == []
    assert in_window_once(pdf, "Maximiliano Alejandro de la Santísima")
    assert in_window_once(pdf, "número 0")
    # The full name is still in the letter itself.
    assert squash("Estimado/a " + name.strip()) in squash(page_texts(pdf)[0])


def test_info_block_has_date_case_and_tracking_code():
    pdf = make_pdf()
    text = page_texts(pdf)[0]
    for needle in ("10 March 2026", "Case number", "2026-000123", "Tracking code", "K7Q2-9XMB-4TRA"):
        assert needle in text
    left = char_boxes_mm(pdf, "10 March 2026")[0][0]
    assert 120 <= left <= 130


def test_page_numbers_and_continuation_header_on_a_long_letter(long_letter):
    texts = page_texts(long_letter)
    total = len(texts)
    assert total >= 2
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        assert "Mayor's Mailbox Office · Phone 12345" in text
    assert "Case number 2026-000123" not in texts[0]
    assert all("Case number 2026-000123" in t for t in texts[1:])
    # Every paragraph is printed once, in order, and the letter ends on the last page (where the page breaks
    # fall depends on the fonts' metrics, so the test does not pin them).
    everything = " ".join(texts)
    positions = [everything.find(f"Paragraph {i}:") for i in range(1, 31)]
    assert -1 not in positions and positions == sorted(positions)
    assert all(everything.count(f"Paragraph {i}:") == 1 for i in range(1, 31))
    assert "Yours sincerely," in texts[-1] and "Yours sincerely," not in " ".join(texts[:-1])
    # Page numbers sit in the bottom margin.
    assert char_boxes_mm(long_letter, f"Page 2 of {total}", page_index=1)[0][1] > 270


def test_chinese_letter_renders_with_cjk_fonts(chinese):
    text = page_texts(chinese)[0]
    assert "尊敬的王小明：" in text
    assert "经查，该路灯已于3月8日修复。" in squash(text)
    assert "2026年3月10日" in text and "第 1 页，共 1 页" in text
    assert in_window_once(chinese, "北京市东城区正义路2号")
    # The glyphs come from Noto CJK, not from a fallback font that would print empty boxes.
    assert all("Noto-Sans-CJK-SC" in name for name in font_names(chinese, "尊敬的王小明"))


def test_spanish_labels():
    text = page_texts(make_pdf(lang="es"))[0]
    assert "Página 1 de 1" in text and "10 de marzo de 2026" in text and "N.º de expediente" in text


# --- QR code --------------------------------------------------------------------------------------------------

def test_qr_code_image_encodes_the_tracking_link(hostile):
    pdf, _fetcher = hostile
    found = images(pdf)
    assert len(found) == 1
    bitmap, (left, top, right, bottom) = found[0]
    matrix = qr_matrix(TRACKING_URL)
    assert bitmap.size == (len(matrix), len(matrix))
    assert all((bitmap.getpixel((x, y)) < 128) == dark for y, row in enumerate(matrix) for x, dark in enumerate(row))
    # Printed about 24 mm square in the info block, right of the window.
    assert 125 <= left and right <= 190 and abs((right - left) - 24) < 1 and abs((bottom - top) - 24) < 1
    other = qr_matrix("https://mailbox.example.gov/track/OTHER-CODE")
    assert other != matrix


def test_letter_without_qr_code_has_no_image():
    assert images(make_pdf(qr=False)) == []


# --- combining the day's post ---------------------------------------------------------------------------------

def test_combine_pdfs_keeps_order_and_pads_for_duplex(long_letter, chinese):
    short = make_pdf(citizen_name="First Person", qr=False)
    long_pages = len(page_texts(long_letter))
    combined = combine_pdfs([short, long_letter, chinese])
    texts = page_texts(combined)
    assert len(texts) == 1 + long_pages + 1
    assert "First Person" in texts[0] and "Paragraph 1:" in texts[1] and "王小明" in texts[-1]
    duplex = page_texts(combine_pdfs([short, long_letter, chinese], duplex=True))
    expected = 2 + long_pages + (long_pages % 2) + 1
    assert len(duplex) == expected
    assert duplex[1].strip() == "" and "Paragraph 1:" in duplex[2]


def test_combine_pdfs_rejects_bad_input():
    with pytest.raises(LetterError, match="no letters"):
        combine_pdfs([])
    with pytest.raises(LetterError, match="letter 2 is not a readable PDF"):
        combine_pdfs([make_pdf(qr=False), b"not a pdf"])


# --- preview for the admin editor -----------------------------------------------------------------------------

def test_preview_pdf_renders_a_template_or_refuses_it():
    pdf = preview_pdf("Subject: Hello {{ citizen_name }}\nDear {{ citizen_name }},\n\nA short note.", lang="en")
    assert "A short note." in page_texts(pdf)[0]
    with pytest.raises(TemplateRejected, match="unknown placeholder"):
        preview_pdf("Subject: x\n{{ password }}")


def test_bad_arguments_are_clear_errors():
    rendered = render_letter(default_template("reply", "en"), sample_context())
    common = dict(recipient_name="A", recipient_address="B", case_number="1", tracking_url=TRACKING_URL)
    with pytest.raises(LetterError, match="RenderedLetter"):
        letter_pdf("text", date=LETTER_DATE, office=OFFICE, **common)  # type: ignore[arg-type]
    with pytest.raises(LetterError, match="OfficeInfo"):
        letter_pdf(rendered, date=LETTER_DATE, office={"name": "x"}, **common)  # type: ignore[arg-type]
    with pytest.raises(LetterError, match="date"):
        letter_pdf(rendered, date=20260310, office=OFFICE, **common)  # type: ignore[arg-type]
    with pytest.raises(LetterError, match="QR code"):
        letter_pdf(rendered, date=LETTER_DATE, office=OFFICE,
                   **dict(common, tracking_url="https://x.example/" + "a" * 5000))
    # Missing optional values print as empty rather than crash.
    pdf = letter_pdf(rendered, recipient_name=None, recipient_address=None, date="today", case_number="1",
                     tracking_url="", office=OfficeInfo(name="Office", crest=""))  # type: ignore[arg-type]
    assert "today" in page_texts(pdf)[0] and images(pdf) == []
