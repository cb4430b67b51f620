"""letter_ocr helpers without tesseract: sender guessing and blank-page splitting."""

from __future__ import annotations

from letter_ocr import OcrPage, guess_sender, split_at_blank_pages
from letter_ocr.pipeline import words_to_text
from letter_ocr.tesseract import TessWord


def test_sender_from_signature_english():
    text = """Dear Mayor,

The street light on Maple Avenue has been broken for three weeks.

Sincerely,

John Smith
42 Maple Avenue
Springfield 12345
Tel: 555-123-4567
"""
    assert guess_sender(text) == ("John Smith", "42 Maple Avenue, Springfield 12345")


def test_sender_from_signature_spanish():
    text = "Estimado señor alcalde:\nLa basura no se recoge.\n\nAtentamente,\nMaría López García\nCalle Mayor 5, 3º B\n28013 Madrid\n"
    assert guess_sender(text) == ("María López García", "Calle Mayor 5, 3º B, 28013 Madrid")


def test_sender_from_chinese_closing():
    text = "尊敬的市长：\n我们小区门前的道路已经损坏。\n此致\n敬礼！\n张伟\n和平区幸福路12号3单元\n2024年5月1日\n"
    assert guess_sender(text) == ("张伟", "和平区幸福路12号3单元")


def test_sender_from_labels_and_from_line():
    assert guess_sender("姓名：李娜\n电话：13800000000\n地址：河西区友谊路8号\n反映问题：噪音") == ("李娜", "河西区友谊路8号")
    assert guess_sender("From: Ana Ruiz\n7 Oak Street\nRiverton\n\nDear Mayor, ...") == ("Ana Ruiz", "7 Oak Street, Riverton")


def test_sender_from_top_left_block():
    text = "Peter Brown\n17 High Street\nLakeside 4455\n\nDear Mayor,\nplease fix the bridge.\n"
    assert guess_sender(text) == ("Peter Brown", "17 High Street, Lakeside 4455")


def test_sender_unknown_is_none():
    assert guess_sender("") == (None, None)
    assert guess_sender("Please fix the road near the school.\nIt is dangerous.") == (None, None)


def _page(number: int, source: str = "ocr", text: str = "words", ink: float = 0.05) -> OcrPage:
    return OcrPage(number=number, text=text, confidence=90.0, words=[], image_png=b"", width=1, height=1,
                   source=source, ink_ratio=ink)


def test_split_at_blank_pages_drops_separators_and_empty_groups():
    pages = [_page(1, "blank"), _page(2), _page(3), _page(4, "blank"), _page(5, "blank"), _page(6), _page(7, "blank")]
    assert [[p.number for p in letter] for letter in split_at_blank_pages(pages)] == [[2, 3], [6]]
    assert split_at_blank_pages([]) == []


def test_split_with_an_ink_threshold_treats_specks_as_blank():
    pages = [_page(1), _page(2, text="-", ink=0.002), _page(3), _page(4, text="Short note", ink=0.002)]
    assert [[p.number for p in g] for g in split_at_blank_pages(pages)] == [[1, 2, 3, 4]]
    assert [[p.number for p in g] for g in split_at_blank_pages(pages, max_ink=0.003)] == [[1], [3, 4]]


def test_words_to_text_keeps_lines_paragraphs_and_chinese_spacing():
    def w(text, block, par, line):
        return TessWord(text, 90.0, 0, 0, 1, 1, block, par, line)

    words = [w("Dear", 1, 1, 1), w("Mayor,", 1, 1, 1), w("the", 1, 2, 1), w("road", 1, 2, 2),
             w("市", 2, 1, 1), w("长", 2, 1, 1), w("2024", 2, 1, 1)]
    assert words_to_text(words) == "Dear Mayor,\n\nthe\nroad\n\n市长 2024"
