"""EXIF IFD1 thumbnail vs the main image: a thumbnail left stale by an editor still shows
the content before the change.

Both are compared in stored (unrotated) orientation; a thumbnail that matches the main
image only after a quarter/half turn means a rotation, not a content change.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import ExifTags, Image
from scipy import ndimage

from . import regions
from .decoded import Decoded
from .types import Context, Result, Signal

JPEG_IF_OFFSET, JPEG_IF_LENGTH = 0x0201, 0x0202
REPLACED_NCC = 0.5  # below this the thumbnail shows another picture altogether
CELL = 8  # thumbnail pixels per comparison cell
CELL_DIFF = 16.0  # mean gray-level difference of a changed cell
CELL_DIFF_VS_MEDIAN = 4.0
REPLACED_SCORE = 0.9
CHANGED_SCORE = 0.8


def run(img: Decoded, context: Context) -> Result:
    thumb = _thumbnail(img)
    if thumb is None:
        return Result([])
    t = _trim_bars(np.asarray(thumb, dtype=np.float32))
    if min(t.shape) < 16:
        return Result([])
    best = None
    for turns in (0, 1, 2, 3):
        main = img.work.rotate(90 * turns, expand=True) if turns else img.work
        m = np.asarray(main.resize((t.shape[1], t.shape[0]), Image.Resampling.BILINEAR), np.float32)
        ncc = _ncc(t, m)
        if best is None or ncc > best[0]:
            best = (ncc, turns, m)
    ncc, turns, m = best
    if ncc < REPLACED_NCC:
        return Result(
            [
                Signal(
                    "metadata.thumbnail_mismatch",
                    REPLACED_SCORE,
                    detail="The embedded EXIF thumbnail shows a different picture from the "
                    "main image: the content was replaced after capture.",
                    data={"ncc": round(ncc, 3)},
                )
            ]
        )
    if turns:
        return Result([], metadata={"thumbnail": f"matches after a {90 * turns}° turn"})
    return _local_change(t, m, ncc)


def _local_change(t: np.ndarray, m: np.ndarray, ncc: float) -> Result:
    t = ndimage.uniform_filter(t, 3)
    m = ndimage.uniform_filter(m, 3)
    a, b = np.polyfit(m.ravel(), t.ravel(), 1)
    diff = np.abs(t - (a * m + b))
    gh, gw = diff.shape[0] // CELL, diff.shape[1] // CELL
    cells = diff[: gh * CELL, : gw * CELL].reshape(gh, CELL, gw, CELL).mean(axis=(1, 3))
    floor = max(CELL_DIFF, CELL_DIFF_VS_MEDIAN * float(np.median(cells)))
    found = regions.boxes(cells > floor, min_cells=1, limit=1)
    if not found:
        return Result([], metadata={"thumbnail": "matches"})
    box = found[0]
    reg = regions.region(
        box[0] * CELL, box[1] * CELL, box[2] * CELL, box[3] * CELL, t.shape[1], t.shape[0]
    )
    return Result(
        [
            Signal(
                "metadata.thumbnail_mismatch",
                CHANGED_SCORE,
                detail="The embedded EXIF thumbnail differs from the main image in one area: "
                "that area was changed after capture.",
                region=reg,
                data={"ncc": round(ncc, 3), "max_cell_diff": round(float(cells.max()), 1)},
            )
        ]
    )


def _thumbnail(img: Decoded) -> Image.Image | None:
    raw = img.info.get("exif")
    if not raw or not img.exif:
        return None
    try:
        ifd1 = img.exif.get_ifd(ExifTags.IFD.IFD1)
    except (KeyError, ValueError, SyntaxError):
        return None
    offset, length = ifd1.get(JPEG_IF_OFFSET), ifd1.get(JPEG_IF_LENGTH)
    if not offset or not length:
        return None
    base = 6 if raw.startswith(b"Exif\0\0") else 0
    blob = raw[base + offset : base + offset + length]
    try:
        thumb = Image.open(io.BytesIO(blob))
        thumb.draft("L", thumb.size)
        return thumb.convert("L")
    except (OSError, ValueError, SyntaxError):
        return None


def _trim_bars(t: np.ndarray) -> np.ndarray:
    """Drop black letterbox bars some cameras pad thumbnails with."""
    rows = np.where(t.max(axis=1) > 12)[0]
    cols = np.where(t.max(axis=0) > 12)[0]
    if len(rows) == 0 or len(cols) == 0:
        return t
    return t[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 0 else 0.0
