"""Phone photos of a letter: find the sheet of paper (a bright quadrilateral on a darker table) and warp it to a
flat, straight page, as a scanner would have given it. OpenCV does the geometry (it comes with PP-OCR).

A scan needs none of this: its page fills the picture, and no quadrilateral is found inside it."""

from __future__ import annotations

import math

from PIL import Image

#: the side the search for the page works at (pixels): the outline of a sheet needs no more.
_WORK_SIDE = 800
#: the sheet must cover at least this much of the photo, and at most this much (more is a scan or a close-up).
_MIN_AREA, _MAX_AREA = 0.2, 0.92
#: share of the flattened sheet's shorter side trimmed from each edge.
_EDGE_TRIM = 0.01
#: how much brighter (grey levels) the sheet must be than what lies around it.
_MIN_CONTRAST = 30


def _order(points) -> list[tuple[float, float]]:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    by_sum = sorted(points, key=lambda p: p[0] + p[1])
    by_diff = sorted(points, key=lambda p: p[0] - p[1])
    return [by_sum[0], by_diff[-1], by_sum[-1], by_diff[0]]


def find_sheet(gray: Image.Image) -> list[tuple[float, float]] | None:
    """The corners of the sheet of paper in a photo (top-left, top-right, bottom-right, bottom-left, in pixels
    of ``gray``), or ``None`` when there is no clear sheet on a darker background."""
    import cv2
    import numpy as np

    factor = max(1.0, max(gray.size) / _WORK_SIDE)
    small = np.asarray(gray.resize((round(gray.width / factor), round(gray.height / factor)),
                                   Image.Resampling.BOX))
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    # The sheet's edges, whatever the light: a global threshold loses a shaded corner of the sheet to the table.
    edges = cv2.dilate(cv2.Canny(blurred, 30, 90), np.ones((3, 3), np.uint8), iterations=2)
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max((cv2.convexHull(c) for c in contours), key=cv2.contourArea)
    area = cv2.contourArea(outline) / (small.shape[0] * small.shape[1])
    if not _MIN_AREA <= area <= _MAX_AREA:
        return None
    corners = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True)
    if len(corners) != 4:
        return None
    inside = np.zeros_like(small)
    cv2.fillPoly(inside, [corners], 255)
    if small[inside > 0].mean() - small[inside == 0].mean() < _MIN_CONTRAST:
        return None
    return _order([(float(x) * factor, float(y) * factor) for x, y in corners.reshape(4, 2)])


def flatten_sheet(gray: Image.Image) -> tuple[Image.Image, bool]:
    """The photographed sheet warped to a straight rectangle (its size that of the sheet's longer edges), and
    ``True``; or ``gray`` itself and ``False`` when no sheet is found (or OpenCV is not installed)."""
    try:
        import cv2
        import numpy as np
    except ImportError:
        return gray, False

    corners = find_sheet(gray)
    if corners is None:
        return gray, False
    tl, tr, br, bl = corners
    width = round(max(math.dist(tl, tr), math.dist(bl, br)))
    height = round(max(math.dist(tl, bl), math.dist(tr, br)))
    target = np.array([(0, 0), (width - 1, 0), (width - 1, height - 1), (0, height - 1)], np.float32)
    matrix = cv2.getPerspectiveTransform(np.array(corners, np.float32), target)
    flat = cv2.warpPerspective(np.asarray(gray), matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    # The outline found runs a few pixels outside the sheet: trim the strip of table it leaves at the edges.
    trim = round(_EDGE_TRIM * min(width, height))
    return Image.fromarray(flat[trim:height - trim, trim:width - trim]), True
