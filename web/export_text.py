"""Text made safe for the files we hand out: XML 1.0 characters only, and no spreadsheet formulas.

Every XML document (Open311, the SVG charts) and every CSV/XLSX export goes through these, so one stray
control character in a letter or a unit name can neither make a document ill-formed nor stop an export.
"""
from __future__ import annotations

import re
from typing import Any

# Characters XML 1.0 forbids (C0 controls other than tab, LF and CR; lone surrogates; U+FFFE and U+FFFF).
# openpyxl refuses the same C0 controls in cells, and a spreadsheet shows them as garbage in a CSV.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# A cell starting with one of these runs as a formula when a spreadsheet opens the file (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 does not allow."""
    return _NOT_XML.sub("", value)


def spreadsheet_cell(value: Any) -> Any:
    """A value for a CSV or XLSX cell: text loses XML-forbidden characters and, when it would start a
    formula, gets a leading ``'`` so the spreadsheet shows it as text. Empty text and non-text stay as they are."""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
