"""Results of recognition: plain dataclasses, picklable, no behaviour beyond summaries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class OcrWord:
    """One recognised word; the box is in pixels of the page's ``image_png``."""

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int


@dataclass
class OcrPage:
    """One page.

    ``rotation`` is how far (degrees, counter-clockwise, a multiple of 90) the original page was turned to make
    it upright, and ``skew`` the small extra counter-clockwise turn that straightened the lines. ``source`` is
    ``"ocr"``, ``"text-layer"`` (a PDF page's own text was used) or ``"blank"`` (no ink, not recognised).
    ``language`` is the tesseract language set used (``"eng"``, ``"chi_sim"``, ``"eng+spa"``...) or, for a text
    layer, the language guessed from the text.
    """

    number: int
    text: str
    confidence: float
    words: list[OcrWord]
    image_png: bytes
    width: int
    height: int
    rotation: int = 0
    skew: float = 0.0
    language: str | None = None
    script: str | None = None
    source: str = "ocr"
    ink_ratio: float = 0.0
    dpi: int | None = None
    denoised: bool = False
    #: True when the page was a photographed sheet, found in the photo and warped flat.
    dewarped: bool = False
    #: what read the page: ``"tesseract"`` or ``"ppocr"`` (``None`` for a text layer or a blank page).
    engine: str | None = None
    pdf: bytes | None = field(default=None, repr=False)

    @property
    def blank(self) -> bool:
        """True for a page with (almost) no ink: a batch separator."""
        return self.source == "blank"


@dataclass
class OcrDocument:
    """A recognised file: its sniffed ``kind`` and pages in order."""

    kind: str
    pages: list[OcrPage]

    @property
    def text(self) -> str:
        """All page texts (blank pages left out), pages separated by a form feed on a line of its own."""
        return "\n\f\n".join(page.text for page in self.pages if not page.blank)

    @property
    def confidence(self) -> float:
        """Mean word confidence over the whole document (0-100; 0 when nothing was read)."""
        confs = [w.conf for page in self.pages for w in page.words]
        return round(sum(confs) / len(confs), 2) if confs else 0.0

    @property
    def languages(self) -> list[str]:
        """Languages used, in page order, without repeats."""
        seen: list[str] = []
        for page in self.pages:
            if page.language and page.language not in seen:
                seen.append(page.language)
        return seen
