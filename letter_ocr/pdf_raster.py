"""Rasterise a PDF with pypdfium2 in a separate process with a time limit, a memory limit, a page cap and a
DPI cap. Pages that already carry a text layer keep it (the caller skips OCR for them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zlib

from PIL import Image

from . import errors
from .loading import PageSource, check_pixels
from .settings import OcrSettings

_WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_pdf_worker.py")


def rasterise_pdf(data: bytes, settings: OcrSettings) -> list[PageSource]:
    """Render every page of ``data`` to grayscale; raise ``OcrError`` subclasses for bad or hostile PDFs."""
    dpi = max(36, min(settings.pdf_dpi, settings.max_pdf_dpi))
    with tempfile.TemporaryDirectory(prefix="letter-ocr-pdf-") as out:
        opts = {
            "out": out,
            "dpi": dpi,
            "max_pages": settings.max_pages,
            "max_pixels": settings.max_pixels,
            "text_min_chars": settings.pdf_text_min_chars,
            "memory": settings.pdf_memory_limit,
            "cpu_seconds": int(settings.pdf_timeout) + 1,
        }
        try:
            # -I: isolated mode, the helper needs nothing but the standard library and pypdfium2.
            proc = subprocess.run(
                [sys.executable, "-I", _WORKER, json.dumps(opts)],
                input=data,
                capture_output=True,
                timeout=settings.pdf_timeout,
            )
        except subprocess.TimeoutExpired:
            raise errors.OcrTimeout(f"rendering the PDF took longer than {settings.pdf_timeout:g} s") from None
        try:
            manifest = json.loads(proc.stdout.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError, UnicodeDecodeError):
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            if proc.returncode and proc.returncode < 0:
                detail = [f"killed by signal {-proc.returncode}"]
            raise errors.CorruptFile(f"the PDF could not be rendered ({detail[0][:200]})") from None
        if not manifest.get("ok"):
            cls = {
                "too_many_pages": errors.TooManyPages,
                "too_many_pixels": errors.TooManyPixels,
                "unsupported_format": errors.UnsupportedFormat,
            }.get(manifest.get("code"), errors.CorruptFile)
            raise cls(str(manifest.get("reason", "the PDF could not be rendered")))
        pages = []
        for number, entry in enumerate(manifest["pages"], start=1):
            size = (int(entry["width"]), int(entry["height"]))
            check_pixels(size, settings, f"page {number}")
            with open(os.path.join(out, os.path.basename(entry["file"])), "rb") as fh:
                raw = fh.read()
            if len(raw) != size[0] * size[1]:
                raise errors.CorruptFile(f"page {number}: the PDF renderer returned an incomplete image")
            # Keep pages compressed until they are recognised: a long PDF must not sit in memory as bitmaps.
            blob = zlib.compress(raw, 1)
            words = [
                (str(w), int(x), int(y), int(wd), int(ht)) for w, x, y, wd, ht in entry.get("words", [])
            ]
            pages.append(
                PageSource(
                    number=number,
                    load=lambda blob=blob, size=size: Image.frombytes("L", size, zlib.decompress(blob)),
                    text_layer=entry.get("text") or None,
                    layer_words=words,
                    dpi=int(entry["dpi"]),
                )
            )
        return pages
