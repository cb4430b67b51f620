"""Bytes -> page images, safely: format allow-list, explicit pixel/page/size limits, EXIF orientation.

Decoding is lazy: ``open_pages`` checks the file and returns one ``PageSource`` per page; each page is decoded
only when it is recognised, so a large batch never holds every page bitmap in memory at once.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PIL import Image, ImageFile, ImageOps
from pillow_heif import register_heif_opener

from .errors import CorruptFile, FileTooLarge, OcrError, TooManyPages, TooManyPixels, TooSmall, UnsupportedFormat
from .settings import OcrSettings
from .sniff import PIL_FORMATS, sniff_type

# Pillow opens HEIF only once pillow-heif has registered its plug-in; ``PIL_FORMATS`` still decides per file which
# decoders may look at it. libheif applies the photo's stored rotation while decoding (and resets the EXIF one, so
# the EXIF turn below does nothing twice); one decoding thread, as every engine here gets one core per page.
register_heif_opener(thumbnails=False, depth_images=False, aux_images=False, decode_threads=1)

# warnings.catch_warnings() swaps the process-wide filter list; the lock keeps our own threads from
# interleaving the swap and restore, and the window is only the header parse and decode of one image.
_WARNINGS_LOCK = threading.Lock()


@contextmanager
def _pillow_guard(what: str) -> Iterator[None]:
    """Turn Pillow's decompression-bomb warning into an error and any decoder failure into ``OcrError``."""
    try:
        with _WARNINGS_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Other libraries in the same process switch Pillow's global "accept truncated images" on (WeasyPrint
            # does so at import); a truncated scan must still be refused here, not silently half-read.
            tolerant = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            try:
                yield
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
    except OcrError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixels(f"{what}: image is too large ({exc})") from None
    except MemoryError:
        raise TooManyPixels(f"{what}: image needs too much memory to decode") from None
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error... on bad data
        raise CorruptFile(f"{what}: damaged or truncated image ({type(exc).__name__}: {exc})") from None


#: the shortest side a page may have: a line of 6 pt text at 150 dpi is about 12 pixels high.
MIN_SIDE = 16


def check_pixels(size: tuple[int, int], settings: OcrSettings, what: str) -> None:
    """Refuse images over ``settings.max_pixels`` (our own limit, independent of Pillow's global one) and images
    too small to hold a line of text."""
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptFile(f"{what}: image has no pixels ({width}x{height})")
    if width < MIN_SIDE or height < MIN_SIDE:
        raise TooSmall(f"{what}: {width}x{height} pixels is too small to hold writing")
    if width * height > settings.max_pixels:
        raise TooManyPixels(
            f"{what}: {width}x{height} pixels is over the limit of {settings.max_pixels:,} pixels"
        )


def to_gray(im: Image.Image) -> Image.Image:
    """Any Pillow mode -> 8-bit grayscale, transparent areas on white, 16-bit scaled rather than clipped."""
    if im.mode == "L":
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        lo, hi = im.getextrema()
        span = max(1, hi - lo)
        return im.convert("I").point(lambda v: (v - lo) * 255 / span).convert("L")
    if im.mode == "F":
        lo, hi = im.getextrema()
        span = (hi - lo) or 1.0
        return im.point(lambda v: (v - lo) * 255 / span).convert("L")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    return im.convert("L")


@dataclass
class PageSource:
    """One page waiting to be decoded: ``load()`` gives a grayscale image. ``text_layer`` is set for a PDF page
    whose own text is used instead of OCR (with word boxes in rendered-pixel coordinates)."""

    number: int
    load: Callable[[], Image.Image]
    text_layer: str | None = None
    layer_words: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    dpi: int | None = None


def _open(data: bytes, kind: str, what: str) -> Image.Image:
    im = Image.open(io.BytesIO(data), formats=PIL_FORMATS[kind])
    return im


def _decode_image_page(data: bytes, kind: str, frame: int, settings: OcrSettings) -> Image.Image:
    what = f"page {frame + 1}"
    with _pillow_guard(what):
        im = _open(data, kind, what)
        if frame:
            im.seek(frame)
        check_pixels(im.size, settings, what)
        im.load()
        # Phone photos store the camera orientation in EXIF instead of rotating the pixels.
        ImageOps.exif_transpose(im, in_place=True)  # a copy of the page would cost more than the turn
        check_pixels(im.size, settings, what)
        return to_gray(im)


def _dpi_of(im: Image.Image) -> int | None:
    dpi = im.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 50 <= value <= 1200 else None


def open_pages(data: bytes, settings: OcrSettings) -> tuple[str, list[PageSource]]:
    """Check a file and list its pages. Returns ``(kind, pages)``; raises an ``OcrError`` subclass on bad input."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UnsupportedFormat(f"expected file bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > settings.max_bytes:
        raise FileTooLarge(f"file is {len(data):,} bytes, over the limit of {settings.max_bytes:,} bytes")
    kind = sniff_type(data)
    if kind == "pdf":
        from .pdf_raster import rasterise_pdf

        return kind, rasterise_pdf(data, settings)

    with _pillow_guard("image"):
        im = _open(data, kind, "image")
        check_pixels(im.size, settings, "page 1")
        frames = getattr(im, "n_frames", 1) if kind == "tiff" else 1
        dpi = _dpi_of(im)
    if frames > settings.max_pages:
        raise TooManyPages(f"the TIFF has {frames} pages, over the limit of {settings.max_pages}")
    pages = [
        PageSource(
            number=i + 1,
            load=lambda i=i: _decode_image_page(data, kind, i, settings),
            dpi=dpi,
        )
        for i in range(frames)
    ]
    return kind, pages
