"""Content types from the bytes themselves, never from a file name or a declared header."""
from __future__ import annotations

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
]

UPLOAD_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/tiff", "image/webp", "application/pdf"})


def sniff(data: bytes) -> str:
    """The content type the bytes really have, or ``application/octet-stream`` when unknown."""
    head = data[:16]
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    # PDFs may carry a little junk before the header; readers accept it within the first kilobyte.
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    try:
        data[:4096].decode("utf-8")
        return "text/plain"
    except UnicodeDecodeError:
        return "application/octet-stream"
