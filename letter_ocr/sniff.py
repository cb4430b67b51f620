"""File type detection from magic numbers; the file name is never trusted."""

from __future__ import annotations

from .errors import UnsupportedFormat

_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)

#: ISO media file brands of HEIF still images (phone photos: HEIC from HEVC-coded cameras).
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")

#: Pillow format names allowed for each sniffed type (passed to ``Image.open(formats=...)``).
PIL_FORMATS = {"png": ["PNG"], "jpeg": ["JPEG", "MPO"], "tiff": ["TIFF"], "heif": ["HEIF"]}


def sniff_type(data: bytes) -> str:
    """Return ``"png"``, ``"jpeg"``, ``"tiff"``, ``"heif"`` or ``"pdf"`` from the leading bytes.

    Raises ``UnsupportedFormat`` for anything else (including BigTIFF, which Pillow cannot read safely).
    """
    head = bytes(data[:1024])
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            return kind
    # PDF readers accept a header anywhere in the first kilobyte (some scanners prepend junk).
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    if b"%PDF-" in head:
        return "pdf"
    if not head:
        raise UnsupportedFormat("the file is empty")
    if head.startswith((b"II+\x00", b"MM\x00+")):
        raise UnsupportedFormat("BigTIFF files are not supported; save the scan as ordinary TIFF, PNG or PDF")
    raise UnsupportedFormat("not a PNG, JPEG, TIFF, HEIC or PDF file (unrecognised content)")
