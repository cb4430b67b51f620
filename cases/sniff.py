"""What a file really is, from its bytes: the one type sniffer of the whole app.

A file counts as a type only when it *starts* as that type (``filetype`` reads the signature at offset 0) and,
for the types we accept from citizens, also opens in its library: Pillow for images, pypdfium2 for PDFs. The
file name and any declared type are never consulted. Opening a PDF reads its cross-reference table and page
tree only (no page is rendered), so it is cheap enough for every email attachment; rendering pages of PDFs
from outside stays in ``letter_ocr``'s separate process.
"""
from __future__ import annotations

import codecs
import io
import threading
from dataclasses import dataclass

import filetype
from PIL import Image

OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain"
PDF = "application/pdf"
EMAIL = "message/rfc822"  # an original email as our mail intake stored it (never sniffed: it is text)

#: Pillow format names an image must open as, per type.
_PILLOW_FORMATS: dict[str, tuple[str, ...]] = {
    "image/png": ("PNG",), "image/jpeg": ("JPEG", "MPO"), "image/gif": ("GIF",), "image/tiff": ("TIFF",),
    "image/webp": ("WEBP",),
}

#: Types kept from their signature alone (nothing here opens them): only email attachments may be these, and
#: they are only ever stored and downloaded. Anything else (programs, scripts, HTML) is an octet stream.
_SIGNATURE_ONLY: frozenset[str] = frozenset({
    "application/zip", "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation", "application/x-rar-compressed", "application/x-7z-compressed",
    "application/gzip", "audio/mpeg", "audio/mp4", "audio/amr", "audio/x-wav", "audio/ogg", "video/mp4",
    "video/quicktime", "video/3gpp", "image/heic", "image/bmp",
})

#: The file name extension each type is downloaded with.
EXTENSIONS: dict[str, str] = {
    **{kind.mime: kind.extension for kind in filetype.TYPES if kind.mime in _SIGNATURE_ONLY},
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/tiff": "tif", "image/webp": "webp",
    PDF: "pdf", TEXT: "txt", OCTET_STREAM: "bin", EMAIL: "eml",
}

#: What citizens and unit handlers may upload (web letter, phone desk, feedback documents).
UPLOAD_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/tiff", "image/webp", PDF})
#: Call recordings and voice messages, as phones and recorders save them (AMR usually inside a 3GP file). Kept
#: from their signature alone; the case page plays them where the browser can.
AUDIO_TYPES = frozenset({"audio/x-wav", "audio/mpeg", "audio/amr", "video/3gpp", "audio/mp4", "audio/ogg"})
#: What the public letter form takes: documents and recordings.
LETTER_TYPES = UPLOAD_TYPES | AUDIO_TYPES
#: What the paper channel recognises.
SCAN_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff", "image/heic", PDF})  # HEIC: phone photos
#: Photos an Open311 client may post.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

#: PDFium must not be called from two threads at once, not even on different documents: every use of pypdfium2
#: outside ``letter_ocr`` (which has its own lock, in the worker) holds this one.
PDFIUM_LOCK = threading.Lock()


@dataclass(frozen=True)
class Sniffed:
    """A file's content type and the extension it is stored and downloaded with."""

    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")


def sniff(data: bytes) -> str:
    """The content type the bytes really are, or ``application/octet-stream`` when we cannot tell.

    Images and PDFs are checked whole (they must open), so pass the complete file, not its first bytes.
    """
    data = bytes(data)
    kind = filetype.guess(data[:8192]) if data else None
    mime = kind.mime if kind is not None else None
    if mime in _PILLOW_FORMATS:
        return mime if _opens_as_image(data, _PILLOW_FORMATS[mime]) else OCTET_STREAM
    if mime == PDF:
        return PDF if _opens_as_pdf(data) else OCTET_STREAM
    if mime in _SIGNATURE_ONLY:
        return mime
    if mime is None and _is_mpeg_audio(data[:8192]):
        return "audio/mpeg"
    if mime is None and _is_text(data[:4096]):
        return TEXT
    return OCTET_STREAM


def extension_of(content_type: str) -> str:
    """The file name extension for ``content_type`` (``bin`` for a type we do not name)."""
    return Sniffed(content_type).extension


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
    except UnicodeDecodeError:
        return False
    return True


#: Layer III bit rates (kbit/s) by index: MPEG-1, then MPEG-2 and 2.5; and sample rates by the version bits.
_MP3_BITRATES = ((0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
                 (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160))
_MP3_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _is_mpeg_audio(data: bytes) -> bool:
    """An MP3 without an ID3 tag whose frames ``filetype`` does not know (MPEG 2.5, as an 8 kHz phone line is
    encoded, or frames with a checksum): a layer III frame header at the start and another where it ends."""
    first = _mp3_frame_length(data, 0)
    return first > 0 and _mp3_frame_length(data, first) > 0


def _mp3_frame_length(data: bytes, at: int) -> int:
    """The length of the layer III frame whose header starts at ``at``, or 0 when none does."""
    if len(data) < at + 4 or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return 0
    version, layer = (data[at + 1] >> 3) & 3, (data[at + 1] >> 1) & 3
    bitrate_index, rate_index, padding = data[at + 2] >> 4, (data[at + 2] >> 2) & 3, (data[at + 2] >> 1) & 1
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return 0
    bitrate = _MP3_BITRATES[0 if version == 3 else 1][bitrate_index] * 1000
    return (144 if version == 3 else 72) * bitrate // _MP3_SAMPLE_RATES[version][rate_index] + padding


def _opens_as_image(data: bytes, formats: tuple[str, ...]) -> bool:
    try:
        # Opening reads and checks the header; decoding the pixels is the reader's job (a scan cut short still
        # counts as its type here, and its recognition fails into the quarantine with the original kept).
        with Image.open(io.BytesIO(data), formats=list(formats)):
            pass
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError, DecompressionBombError... on bad data
        return False
    return True


def _opens_as_pdf(data: bytes) -> bool:
    import pypdfium2 as pdfium  # loaded on the first PDF: most processes that import drafts never see one

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except (pdfium.PdfiumError, ValueError, TypeError):
            return False
        try:
            return len(document) > 0
        finally:
            document.close()
