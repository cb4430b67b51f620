"""The Chinese section of ``bench/ocr_quality.py``: letters set in Ming (Noto Serif CJK), Hei (Noto Sans CJK) and
brush-script Kai faces (AR PL UKai, AR PL KaitiM GB), scanned clean, noisy, faint, or photographed with a phone
at an angle in uneven light. Bare tesseract ``chi_sim`` against our pipeline (PP-OCR for Chinese), CER and CPU
seconds per page, and the issue's targets: mean CER at most 2% and at most a third of bare tesseract's, no page
above 5%, at most 8 CPU seconds per page."""

from __future__ import annotations

import random

from PIL import ImageFont

from tests.ocr_fixtures import degrade, draw_page, encode, low_contrast, photograph, wrap, zh_faces

ZH_KINDS = ["clean", "kai", "noisy", "photo", "low-contrast"]
CER_MEAN_MAX = 0.02
CER_SHARE_OF_BARE = 1 / 3
CER_PAGE_MAX = 0.05
CPU_PAGE_MAX = 8.0


def zh_page(kind: str, index: int, text: str) -> tuple[bytes, str, str]:
    """(file bytes, file suffix, reference text) of one Chinese page of ``kind``."""
    rnd = random.Random(f"zh-{kind}-{index}")
    faces = zh_faces("Kai") if kind in ("kai", "photo") else zh_faces("Serif CJK SC") + zh_faces("Sans CJK SC")
    face = faces[index % len(faces)]
    dpi = 200 if kind in ("noisy", "photo") else 300
    font = ImageFont.truetype(face[0], int(12 * dpi / 72), index=face[1])
    lines = wrap(text, "chi_sim", dpi, 12, int((8.27 - 2.0) * dpi), font)
    page = draw_page(lines, "chi_sim", dpi=dpi, size_in=(8.27, 11.69), pt=12, margin_in=1.0, line_spacing=1.6,
                     face=face)
    reference = "".join(lines)
    if kind == "noisy":
        return degrade(page, seed=rnd.randrange(10**6), sigma=50, specks=6000, jpeg_quality=35), ".jpg", reference
    if kind == "photo":
        return photograph(page, seed=rnd.randrange(10**6)), ".jpg", reference
    if kind == "low-contrast":
        return encode(low_contrast(page), "JPEG", quality=80), ".jpg", reference
    return encode(page, "PNG"), ".png", reference


def verdicts(rows) -> list[str]:
    """The targets over all Chinese pages, met or not. ``rows``: (kind, bare CERs, our CERs, bare CPU s, our
    CPU s) per kind."""
    bare = [c for row in rows for c in row[1]]
    ours = [c for row in rows for c in row[2]]
    pages = len(ours)
    mean_bare, mean_ours = sum(bare) / pages, sum(ours) / pages
    worst = max(ours)
    cpu = sum(row[4] for row in rows) / pages

    def ok(flag: bool) -> str:
        return "met" if flag else "NOT MET"

    return [
        f"mean CER {mean_ours * 100:.2f}% (target 2% or less) {ok(mean_ours <= CER_MEAN_MAX)}",
        f"mean CER {mean_ours * 100:.2f}% vs bare tesseract {mean_bare * 100:.2f}% (target a third or less: "
        f"{mean_bare * CER_SHARE_OF_BARE * 100:.2f}%) {ok(mean_ours <= mean_bare * CER_SHARE_OF_BARE)}",
        f"worst page CER {worst * 100:.2f}% (target 5% or less) {ok(worst <= CER_PAGE_MAX)}",
        f"CPU {cpu:.2f} s/page (target 8 s or less) {ok(cpu <= CPU_PAGE_MAX)}",
    ]


def print_table(rows, pages_per_kind: int, workers: int) -> None:
    """The Chinese section's table and targets."""
    print(f"\nChinese pages: bare tesseract chi_sim vs letter_ocr — {pages_per_kind} page(s) per kind, "
          f"{workers} workers")
    header = (f"{'kind':<13} {'pages':>5} {'CER bare':>9} {'CER ours':>9} {'worst ours':>11} "
              f"{'cpu/p bare':>11} {'cpu/p ours':>11}")
    print(header)
    print("-" * len(header))
    for kind, bare, ours, bare_cpu, ours_cpu in rows:
        n = len(ours)
        print(f"{kind:<13} {n:>5} {sum(bare) / n * 100:>8.2f}% {sum(ours) / n * 100:>8.2f}% "
              f"{max(ours) * 100:>10.2f}% {bare_cpu / n:>11.2f} {ours_cpu / n:>11.2f}")
    print("\nTargets (Chinese)")
    for line in verdicts(rows):
        print(line)
