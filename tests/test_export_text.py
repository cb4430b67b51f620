"""Text for exported files: XML 1.0 characters only, and the spreadsheet formula guard."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from web.export_text import spreadsheet_cell, xml_text


@given(st.text())
def test_any_text_makes_well_formed_xml(text: str) -> None:
    element = ET.Element("description")
    element.text = xml_text(text)
    parsed = ET.fromstring(ET.tostring(element, encoding="unicode")).text or ""
    assert parsed == element.text.replace("\r\n", "\n").replace("\r", "\n")  # XML parsers normalise line ends


@given(st.text())
def test_the_formula_guard_fires_only_on_formula_starts(text: str) -> None:
    cell = spreadsheet_cell(text)
    clean = xml_text(text)
    if clean[:1] in ("=", "+", "-", "@", "\t", "\r") and clean:
        assert cell == "'" + clean
    else:
        assert cell == clean


def test_empty_and_plain_values_are_left_alone() -> None:
    assert spreadsheet_cell("") == ""
    assert spreadsheet_cell(None) is None and spreadsheet_cell(-3) == -3 and spreadsheet_cell(0.5) == 0.5
    assert spreadsheet_cell("-5 days") == "'-5 days" and spreadsheet_cell("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_cell("Lift\x0b team") == "Lift team"
