"""Right way up or upside down, told from the shape of the text lines alone (no tesseract call).

Two cues, each one vote:

- What sticks out of a line. In Latin script ascenders, accents and capitals rise above the x-height band far
  more often than descenders hang below it: the ink above the band outweighs the ink below it 1.4 to 7 times.
  In Chinese the full-width punctuation (，。、) sits at the bottom of its line: counted as runs of columns with
  ink only in the bottom third of a line, against runs with ink only in the top third.
- Alignment. Body text is set flush left with a ragged right edge; upside down, the ragged edge is on the left.
  Only long lines count: an address or date set flush right is part of the letter's layout, not of its text.

Measured on generated letters (English, Spanish, Chinese; 200 and 300 dpi; skewed, turned and noisy; sans,
serif, italic and monospaced faces) the Latin cue favours the right answer by 1.4-7 to 1, the Chinese one by
1.7-3 to 1 and the alignment cue by 0.2-0.9 of the lines. When the cues are weak or disagree the answer is
"don't know" and the caller falls back to reading the page as it lies or to tesseract's own checks.
"""

from __future__ import annotations

from PIL import Image

#: how much more ink (Latin) or how many more marks (Chinese) one edge must have than the other for a vote.
_EDGE_RATIO = 1.3
_EDGE_MIN_LEAD = 4
#: difference in the share of lines flush with the left and with the right edge that counts as a vote.
_ALIGN_LEAD = 0.15


def _runs(flags: list[bool], min_length: int) -> int:
    count = length = 0
    for flag in flags + [False]:
        if flag:
            length += 1
        else:
            if length >= min_length:
                count += 1
            length = 0
    return count


def _line_cues(image: Image.Image, bands: list[tuple[int, int]]):
    """Per page: ink above and below the x-height band, runs of columns with ink only at the top or only at the
    bottom of a line, and the left and right ends of the lines.

    Columns are sampled at half resolution; a column "has ink" in a strip when any of its pixels is dark."""
    width = max(1, image.width // 2)
    above = below = top_only = bottom_only = 0.0
    lefts: list[int] = []
    rights: list[int] = []
    for top, bottom in bands:
        third = (bottom - top) // 3
        if third < 2:
            continue
        # Row darkness (255 = white); the x-height band is where rows are at least half as dark as the darkest.
        rows = [255 - v for v in image.crop((0, top, image.width, bottom)).convert("L")
                .resize((1, bottom - top), Image.Resampling.BOX).get_flattened_data()]
        peak = max(rows)
        core = [i for i, v in enumerate(rows) if v >= 0.5 * peak]
        above += sum(rows[: core[0]])
        below += sum(rows[core[-1] + 1 :])
        strips = []
        for y0, y1 in ((top, top + third), (top + third, bottom - third), (bottom - third, bottom)):
            row = image.crop((0, y0, image.width, y1)).convert("L").resize((width, 1), Image.Resampling.BOX)
            strips.append([v < 250 for v in row.get_flattened_data()])
        upper, middle, lower = strips
        top_only += _runs([u and not m and not d for u, m, d in zip(upper, middle, lower)], 2)
        bottom_only += _runs([d and not m and not u for u, m, d in zip(upper, middle, lower)], 2)
        ink = [u or m or d for u, m, d in zip(upper, middle, lower)]
        # Ends of the line: the first and last three inked columns in a row (a lone speck is not text).
        solid = [x for x in range(len(ink) - 2) if ink[x] and ink[x + 1] and ink[x + 2]]
        if solid:
            lefts.append(solid[0])
            rights.append(solid[-1] + 2)
    return above, below, top_only, bottom_only, lefts, rights, width


def _edge_vote(up: float, down: float, min_lead: float) -> int:
    min_lead = max(min_lead, 1)  # nothing against nothing is no vote
    if up >= _EDGE_RATIO * down and up - down >= min_lead:
        return 1
    if down >= _EDGE_RATIO * up and down - up >= min_lead:
        return -1
    return 0


def upside_down(image: Image.Image, bands: list[tuple[int, int]], script: str | None) -> bool | None:
    """``True`` if the text of ``image`` (1-bit or grey, dark ink; ``bands`` its text-line rows) is upside
    down, ``False`` if it is the right way up, ``None`` when the cues are too weak or disagree."""
    above, below, top_only, bottom_only, lefts, rights, width = _line_cues(image, bands)
    votes = 0
    if script == "Latin":
        # Sums of row darkness (0-255 per row); a lead of 2 per line is a few pixels of ink in every line.
        votes += _edge_vote(above, below, 2 * len(lefts))
    elif script == "Han":
        votes += _edge_vote(bottom_only, top_only, _EDGE_MIN_LEAD)
    # Only long lines say how the text is set: short ones (an address or a date set flush right, a closing)
    # follow the layout of the letter rather than that of the text.
    longest = max((r - l for l, r in zip(lefts, rights)), default=0)
    ends = [(l, r) for l, r in zip(lefts, rights) if r - l >= 0.6 * longest]
    lefts, rights = [l for l, _ in ends], [r for _, r in ends]
    if len(lefts) >= 3:
        tolerance = max(3, width // 60)
        flush_left = sum(1 for x in lefts if x - min(lefts) <= tolerance) / len(lefts)
        flush_right = sum(1 for x in rights if max(rights) - x <= tolerance) / len(rights)
        if flush_left - flush_right >= _ALIGN_LEAD:
            votes += 1
        elif flush_right - flush_left >= _ALIGN_LEAD:
            votes -= 1
    if votes > 0:
        return False
    if votes < 0:
        return True
    return None
