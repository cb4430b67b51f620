"""QR code of the tracking link for postal letters: one pixel per module so the PDF keeps it exact."""
from __future__ import annotations

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from reply_render.errors import LetterError

QUIET_ZONE = 4  # modules of white border the QR standard asks for


def _build(data: str) -> qrcode.QRCode:
    if not data:
        raise LetterError("a QR code needs a non-empty tracking link")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE)
    try:
        code.add_data(data)
        code.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError) as error:
        raise LetterError(f"the tracking link cannot be put in a QR code: {error}") from error
    return code


def qr_matrix(data: str) -> list[list[bool]]:
    """The module matrix (quiet zone included), True for dark modules."""
    return [list(row) for row in _build(data).get_matrix()]


def qr_png(data: str) -> bytes:
    """A black-and-white PNG with one pixel per module; the letter scales it up without smoothing."""
    image = _build(data).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_data_url(png: bytes) -> str:
    """``data:`` URL for a PNG, the form our PDF fetcher accepts for generated images."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
