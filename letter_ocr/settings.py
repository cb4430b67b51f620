"""Limits and options of the OCR pipeline, passed in by the caller (never read from the environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OcrSettings:
    """Everything the pipeline may be told. The defaults are safe for untrusted uploads on a small server."""

    #: tesseract language codes that may be used; the pipeline picks the right subset per page.
    languages: tuple[str, ...] = ("eng", "spa", "chi_sim")
    #: the tesseract executable.
    tesseract_cmd: str = "tesseract"
    #: seconds allowed for one tesseract call before it is killed.
    tesseract_timeout: float = 120.0
    #: parallel single-threaded tesseract processes in ``recognise_many``; ``None`` means one per core.
    workers: int | None = None

    # --- hostile-input limits ---
    #: largest accepted file, in bytes.
    max_bytes: int = 50 * 1024 * 1024
    #: largest accepted image or rendered page, in pixels (A4 at 600 dpi is about 35 million).
    max_pixels: int = 40_000_000
    #: most pages accepted from one TIFF or PDF.
    max_pages: int = 50
    #: resolution PDF pages are rendered at (capped by ``max_pdf_dpi`` and by ``max_pixels``).
    pdf_dpi: int = 300
    max_pdf_dpi: int = 400
    #: seconds allowed for rasterising a whole PDF in the helper process.
    pdf_timeout: float = 120.0
    #: address-space limit of the PDF helper process, in bytes (0 disables it).
    pdf_memory_limit: int = 2 * 1024 * 1024 * 1024
    #: a PDF page whose text layer has at least this many non-space characters uses the layer instead of OCR.
    pdf_text_min_chars: int = 20

    # --- page clean-up and recognition ---
    #: the largest skew (degrees) looked for and corrected.
    max_skew: float = 6.0
    #: a page with less than this fraction of dark pixels is blank (a batch separator) and is not OCR'd.
    blank_ink_ratio: float = 0.0015
    #: mean word confidence under which the page is re-checked with tesseract's orientation/script detection.
    min_confidence: float = 70.0
    #: also keep tesseract's searchable PDF of every page from the same pass (``searchable_pdf`` then needs no
    #: second recognition).
    make_pdf: bool = False
    #: extra tesseract ``-c name=value`` options for the recognition pass.
    tesseract_options: dict[str, str] = field(default_factory=dict)
    #: the engine that reads each language: ``"ppocr"`` (PP-OCR, Chinese and the Latin letters mixed into it)
    #: or ``"tesseract"``; a language not named here is read by tesseract, and so is every page when the PP-OCR
    #: engine is not installed. Tesseract always finds the orientation.
    engines: dict[str, str] = field(default_factory=lambda: {"chi_sim": "ppocr"})
    #: ONNX Runtime threads per PP-OCR run (the pages of ``workers`` run at once).
    ppocr_threads: int = 1

    def engine_for(self, lang: str) -> str:
        """``"ppocr"`` or ``"tesseract"``: what reads a page of tesseract language set ``lang`` ("chi_sim",
        "eng+spa"...); PP-OCR only when every language of the set is given to it."""
        codes = [code for code in lang.split("+") if code]
        if codes and all(self.engines.get(code) == "ppocr" for code in codes):
            return "ppocr"
        return "tesseract"

    def worker_count(self) -> int:
        """How many pages are recognised at once."""
        return max(1, self.workers or os.cpu_count() or 1)
