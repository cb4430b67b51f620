"""Page images for the OCR tests and benchmark, drawn with Pillow and real TrueType fonts (no stored images)."""

from __future__ import annotations

import functools
import io
import os
import random
import shutil
import stat
import subprocess
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

EN_LINES = ["Dear Mayor, the street", "light on our road is", "broken and it is dark."]
ES_LINES = ["Estimado señor alcalde:", "la calle de mi casa está", "sin luz desde hace un mes."]
ZH_LINES = ["尊敬的市长：您好！", "我们小区门前的道路", "已经损坏半年多了。"]


@functools.lru_cache(maxsize=None)
def cjk_font_path() -> str:
    """A Simplified Chinese font, found the way fontconfig sees it (prefers a Sans Regular face)."""
    out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=True).stdout
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    if not files:
        raise RuntimeError("no Chinese font installed (fonts-noto-cjk)")
    preferred = [f for f in files if "Sans" in f and "Regular" in f] or [f for f in files if "Regular" in f]
    return (preferred or files)[0]


def font_for(lang: str, px: int) -> ImageFont.FreeTypeFont:
    if lang.startswith("chi"):
        path = cjk_font_path()
        # .ttc collections: index 2 is the SC face in Noto CJK; fall back to the first face.
        for index in (2, 0):
            try:
                return ImageFont.truetype(path, px, index=index)
            except OSError:
                continue
    return ImageFont.truetype(LATIN_FONT if os.path.exists(LATIN_FONT) else "DejaVuSans.ttf", px)


@functools.lru_cache(maxsize=None)
def zh_faces(family_part: str) -> tuple[tuple[str, int], ...]:
    """(file, face index) of the Simplified Chinese faces whose family name contains ``family_part`` ("Kai",
    "Serif CJK SC"...), as fontconfig lists them; Traditional-only faces (TW, HK) are left out."""
    out = subprocess.run(["fc-list", ":lang=zh", "file", "index", "family", "style"], capture_output=True,
                         text=True, check=True).stdout
    faces = set()
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        if family_part not in rest or "Bold" in rest or any(t in rest for t in (" TW", " HK", " JP", " KR")):
            continue
        index = int(rest.rsplit("index=", 1)[1]) if "index=" in rest else 0
        faces.add((path.strip(), index))
    if not faces:
        raise RuntimeError(f"no Chinese font face named like {family_part!r} installed")
    return tuple(sorted(faces))


def draw_page(
    lines: list[str],
    lang: str = "eng",
    dpi: int = 150,
    size_in: tuple[float, float] = (5.83, 8.27),
    pt: float = 20,
    margin_in: float = 0.4,
    line_spacing: float = 1.7,
    face: tuple[str, int] | None = None,
    ink: int = 0,
    paper: int = 255,
) -> Image.Image:
    """A grayscale page (A5 by default) with ``lines`` of text from the top-left margin; ``face`` is another
    (font file, index) than the language's usual one; ``ink`` and ``paper`` the grey levels (black on white)."""
    width, height = int(size_in[0] * dpi), int(size_in[1] * dpi)
    page = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(page)
    px = int(pt * dpi / 72)
    font = ImageFont.truetype(face[0], px, index=face[1]) if face else font_for(lang, px)
    y = int(margin_in * dpi)
    for line in lines:
        draw.text((int(margin_in * dpi), y), line, font=font, fill=ink)
        y += int(px * line_spacing)
    page.info["dpi"] = (dpi, dpi)
    return page


def draw_columns(text: str, dpi: int = 200, size_in: tuple[float, float] = (8.27, 11.69), pt: float = 14,
                 margin_in: float = 1.0) -> tuple[Image.Image, list[str]]:
    """A page of Chinese set in vertical columns, read top to bottom and right to left, as letters in the
    traditional layout are. Returns the page and its columns in reading order."""
    width, height = int(size_in[0] * dpi), int(size_in[1] * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    px = int(pt * dpi / 72)
    font = font_for("chi_sim", px)
    margin, pitch, gap = int(margin_in * dpi), int(px * 1.15), int(px * 1.8)
    per_column = (height - 2 * margin) // pitch
    columns = [text[i:i + per_column] for i in range(0, len(text), per_column)]
    x = width - margin - px
    kept = []
    for column in columns:
        if x < margin:
            break
        for j, char in enumerate(column):
            draw.text((x, margin + j * pitch), char, font=font, fill=0)
        kept.append(column)
        x -= gap
    page.info["dpi"] = (dpi, dpi)
    return page, kept


LETTER_PARTS = {
    "eng": (["Margaret Wilson", "42 Maple Avenue", "Springfield 4410"], "3 March 2026",
            "Dear Mayor, the street light on Maple Avenue near the primary school has been out for three weeks and "
            "children walk home in the dark. Several neighbours have called the hotline, but nothing has happened. "
            "Please send someone to repair it. Yours sincerely, Margaret Wilson"),
    "spa": (["Lucía Fernández", "Calle Mayor 7", "28013 Madrid"], "3 de marzo de 2026",
            "Estimado señor alcalde: la recogida de basura en la calle Mayor no se realiza desde hace dos semanas y "
            "los contenedores están llenos. ¿Podría el ayuntamiento enviar un camión cuanto antes? Muchas gracias "
            "por su atención. Atentamente, Lucía Fernández"),
    "chi_sim": (["王建国", "和平区幸福路12号", "电话 13800138000"], "2026年3月3日",
                "尊敬的市长：您好！我们小区门前的道路已经损坏半年多了，路面坑洼不平，下雨天积水严重，老人和孩子出行非常"
                "不便。希望有关部门尽快派人查看，安排维修。谢谢您的关心和支持！此致敬礼。居民王建国。"),
}


def draw_letter(lang: str = "eng", dpi: int = 200, pt: float = 11, footer: str | None = None,
                font_file: str | None = None) -> Image.Image:
    """An A4 letter laid out like a real one: sender's address and date flush right, the body flush left and
    wrapped, and an optional ``footer`` line centred near the bottom edge. ``font_file``: another TrueType font
    than the language's usual one."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    px = int(pt * dpi / 72)
    font = ImageFont.truetype(font_file, px) if font_file else font_for(lang, px)
    margin, y = dpi, dpi
    address, date, body = LETTER_PARTS[lang]
    for line in address + [""] + [date] + [""]:
        draw.text((width - margin - font.getlength(line), y), line, font=font, fill=0)
        y += int(px * 1.5)
    for line in wrap(body, lang, dpi, pt, width - 2 * margin, font):
        draw.text((margin, y), line, font=font, fill=0)
        y += int(px * 1.5)
    if footer:
        draw.text(((width - font.getlength(footer)) / 2, height - dpi), footer, font=font, fill=0)
    page.info["dpi"] = (dpi, dpi)
    return page


def wrap(text: str, lang: str, dpi: int, pt: float, width_px: int,
         font: ImageFont.FreeTypeFont | None = None) -> list[str]:
    """Break ``text`` into lines that fit ``width_px`` (per character for Chinese, per word otherwise)."""
    font = font or font_for(lang, int(pt * dpi / 72))
    units = list(text) if lang.startswith("chi") else text.split()
    sep = "" if lang.startswith("chi") else " "
    lines, current = [], ""
    for unit in units:
        candidate = (current + sep + unit) if current else unit
        if current and font.getlength(candidate) > width_px:
            lines.append(current)
            current = unit
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def encode(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    buf = io.BytesIO()
    dpi = image.info.get("dpi")
    if dpi and fmt in ("PNG", "JPEG", "TIFF", "PDF"):
        params.setdefault("dpi" if fmt != "PDF" else "resolution", dpi if fmt != "PDF" else float(dpi[0]))
    image.save(buf, fmt, **params)
    return buf.getvalue()


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """Turn counter-clockwise by ``degrees`` with a white fill (a crooked or upside-down scan)."""
    out = image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    out.info["dpi"] = image.info.get("dpi", (150, 150))
    return out


def noise(size: tuple[int, int], sigma: float, seed: int) -> Image.Image:
    """Grey Gaussian noise around mid-grey, the same for the same seed (Pillow's ``effect_noise`` draws from the
    C library's unseeded generator, so it differs with whatever ran before in the process)."""
    import numpy as np

    values = np.random.default_rng(seed).normal(128.0, sigma, (size[1], size[0]))
    return Image.fromarray(np.clip(np.round(values), 0, 255).astype(np.uint8))


def degrade(image: Image.Image, seed: int = 1, sigma: float = 60, specks: int = 4000, jpeg_quality: int = 30) -> bytes:
    """A bad scan: grain, dark specks, low contrast, then heavy JPEG compression. Returns JPEG bytes."""
    rnd = random.Random(seed)
    out = Image.blend(image, noise(image.size, sigma, seed), 0.3)
    draw = ImageDraw.Draw(out)
    for _ in range(specks):
        x, y = rnd.randrange(image.width), rnd.randrange(image.height)
        r = rnd.choice((0, 1, 1, 2))
        draw.ellipse((x, y, x + r, y + r), fill=rnd.randrange(0, 90))
    out = ImageChops.multiply(out, Image.new("L", out.size, 235))
    out.info["dpi"] = image.info.get("dpi", (150, 150))
    return encode(out, "JPEG", quality=jpeg_quality)


def low_contrast(image: Image.Image, ink: int = 150, paper: int = 205, blur: float = 0.8) -> Image.Image:
    """A faint copy: ink and paper squeezed to two nearby greys (a pale photocopy or a pencil letter)."""
    lut = [round(ink + (paper - ink) * v / 255) for v in range(256)]
    out = image.point(lut).filter(ImageFilter.GaussianBlur(blur))
    out.info["dpi"] = image.info.get("dpi", (150, 150))
    return out


def photograph(page: Image.Image, seed: int = 1, size: tuple[int, int] = (3024, 4032), tilt: float = 0.07,
               shade: float = 0.55, jpeg_quality: int = 85) -> bytes:
    """A phone photo of ``page``: the sheet lies on a darker table, seen at an angle (a perspective warp that
    moves each corner by up to ``tilt`` of the photo's size), lit unevenly (one corner down to ``shade`` of the
    light), slightly blurred and grainy. Returns JPEG bytes of a 12-megapixel photo."""
    rnd = random.Random(seed)
    w, h = size
    # Where the page's corners land in the photo (top-left, top-right, bottom-right, bottom-left).
    inset_x, inset_y = 0.1 * w, 0.08 * h
    base = [(inset_x, inset_y), (w - inset_x, inset_y), (w - inset_x, h - inset_y), (inset_x, h - inset_y)]
    corners = [(x + rnd.uniform(-tilt, tilt) * w, y + rnd.uniform(-tilt, tilt) * h) for x, y in base]
    coeffs = _perspective_coeffs(corners, [(0, 0), (page.width, 0), (page.width, page.height), (0, page.height)])
    warped = page.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=0)
    mask = Image.new("L", page.size, 255).transform(size, Image.Transform.PERSPECTIVE, coeffs,
                                                      Image.Resampling.BILINEAR, fillcolor=0)
    table = noise(size, 25, seed).point(lambda v: 70 + v // 4)
    photo = Image.composite(warped, table, mask)
    # Light falls off smoothly from one corner of the photo to the opposite one.
    import numpy as np

    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    fx, fy = rnd.choice((1, -1)), rnd.choice((1, -1))
    along = (fx * xs / w + fy * ys / h - min(0, fx) - min(0, fy)) / 2  # 0 at the bright corner, 1 at the dark
    light = Image.fromarray(np.round(255 * (1 - (1 - shade) * along)).astype(np.uint8))
    photo = ImageChops.multiply(photo, light).filter(ImageFilter.GaussianBlur(1.2))
    photo = Image.blend(photo, noise(size, 40, seed + 1), 0.08)
    return encode(photo.convert("RGB"), "JPEG", quality=jpeg_quality)


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """Pillow's PERSPECTIVE coefficients mapping output points ``dst`` to input points ``src``."""
    import numpy as np

    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, dtype=float), np.array(rhs, dtype=float)))


def text_pdf(pages: list[list[str]]) -> bytes:
    """A tiny hand-made PDF whose pages carry real text (Helvetica), i.e. a text layer and no images."""
    objects: list[bytes] = []
    n_pages = len(pages)
    font_id = 3 + 2 * n_pages
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    for i, lines in enumerate(pages):
        content = "BT /F1 18 Tf 50 780 Td 24 TL " + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
        ) + " ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        stream = content.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes of PNG claiming ``width`` x ``height`` pixels (a decompression bomb header)."""
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def logging_tesseract(folder: Path) -> tuple[str, Path]:
    """A tesseract command that is the real one behind a script logging each command line, and the log."""
    log = folder / "calls.log"
    script = folder / "tesseract"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{shutil.which("tesseract")}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log.touch()
    return str(script), log


def recognition_calls(log: Path) -> list[list[str]]:
    """The logged tesseract calls other than listing the languages."""
    return [line.split() for line in log.read_text().splitlines() if "--list-langs" not in line]
