"""File type from the signature at the start of the bytes (the ``filetype`` library, as everywhere in the app);
the file name is never trusted. Whether a file also opens is the decoder's job (``loading``)."""

from __future__ import annotations

import filetype

from .errors import UnsupportedFormat

#: filetype's extension -> our kind, for the types we decode.
_KINDS = {"png": "png", "jpg": "jpeg", "tif": "tiff", "pdf": "pdf"}

#: ISO media file brands of HEIF still images (phone photos: HEIC from HEVC-coded cameras).
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")

#: Pillow format names allowed for each sniffed type (passed to ``Image.open(formats=...)``).
PIL_FORMATS = {"png": ["PNG"], "jpeg": ["JPEG", "MPO"], "tiff": ["TIFF"], "heif": ["HEIF"]}


def sniff_type(data: bytes) -> str:
    """Return ``"png"``, ``"jpeg"``, ``"tiff"``, ``"heif"`` or ``"pdf"`` when the file starts as one.

    Raises ``UnsupportedFormat`` for anything else (including BigTIFF, which Pillow cannot read safely).
    """
    head = bytes(data[:8192])
    kind = _KINDS.get(filetype.guess_extension(head) or "")
    if kind is not None:
        return kind
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    if not head:
        raise UnsupportedFormat("the file is empty")
    if head.startswith((b"II+\x00", b"MM\x00+")):  # named only to explain the refusal
        raise UnsupportedFormat("BigTIFF files are not supported; save the scan as ordinary TIFF, PNG or PDF")
    raise UnsupportedFormat("not a PNG, JPEG, TIFF, HEIC or PDF file (unrecognised content)")
