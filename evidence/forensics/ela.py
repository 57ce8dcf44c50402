"""Error-level analysis: re-save the luma as JPEG and measure how much each area changes.

Areas that went through the same compression history change alike; a pasted or painted
area changes more. Because busy texture also changes more, a cell is only flagged when
its error is far above what its texture predicts (a robust log-log fit over all cells).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
from PIL import Image

from . import heatmap, regions
from .cells import block_mean, cell_size
from .decoded import Decoded
from .types import Context, Result, Signal

ELA_QUALITY = 90
RESIDUAL_RATIO = 2.6  # error / texture-predicted error for a suspicious cell
MIN_AREA = 0.004  # of the image
MAX_AREA = 0.3
MIN_CELLS = 3
MIN_ERROR = 0.5  # gray levels; below this nothing meaningful changed
ERROR_FLOOR = 0.1
STRIPS = 4  # background work units; the main thread takes over any not yet begun


_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ela")


def start(img: Decoded) -> None:
    """Compute the error cells in the background, strip by strip: Pillow's codec and numpy
    release the GIL, so the work overlaps with the other analyzers on a second core, and
    `run` computes any strip the background has not begun itself (work stealing)."""
    k = cell_size(img)
    img.__dict__["_ela_strips"] = [
        (rows, _POOL.submit(_error_cells, img.gray[rows], k)) for rows in _strips(img.gray, k)
    ]


def _strips(gray: np.ndarray, k: int) -> list[slice]:
    """Horizontal bands of whole cell rows. Each 8 x 8 block of a grayscale JPEG is coded on
    its own, so re-compressing the bands separately gives exactly the whole-image result."""
    cells = gray.shape[0] // k
    if cells < STRIPS:
        return [slice(None)]
    cuts = [round(i * cells / STRIPS) * k for i in range(STRIPS + 1)]
    return [slice(a, b) for a, b in pairwise(cuts)]


def _recompressed(gray: np.ndarray) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, "JPEG", quality=ELA_QUALITY)
    again = Image.open(buf)
    again.draft("L", again.size)
    return np.asarray(again)


def _error_cells(gray: np.ndarray, k: int) -> np.ndarray:
    again = _recompressed(gray)
    diff = np.maximum(again, gray)
    diff -= np.minimum(again, gray)  # |again - gray| without leaving uint8
    return block_mean(diff, k)


def error_cells(img: Decoded) -> tuple[np.ndarray, int]:
    k = cell_size(img)
    strips = img.__dict__.pop("_ela_strips", None)
    if strips is None:
        return _error_cells(img.gray, k), k
    parts = [
        _error_cells(img.gray[rows], k) if future.cancel() else future.result()
        for rows, future in strips
    ]
    return np.concatenate(parts), k


def run(img: Decoded, context: Context) -> Result:
    err, _k = error_cells(img)
    if min(err.shape) < 2:
        return Result([])  # smaller than two cells across: nothing to compare an area with
    tex = texture_cells(img, err.shape)
    maps = {"ela": heatmap.render(heatmap.normalise(err), img.width, img.height)}
    residual = _residual(err, tex)
    mask = (residual > np.log(RESIDUAL_RATIO)) & (err > MIN_ERROR)
    found = regions.boxes(mask, min_cells=max(MIN_CELLS, int(MIN_AREA * mask.size)))
    area = sum(b[4] for b in found) / mask.size
    if not found or area > MAX_AREA:
        return Result([], maps)
    strength = float(np.exp(residual[mask].mean()))
    score = min(0.9, 0.4 + 0.1 * strength)
    boxes = [regions.to_region(b, mask.shape) for b in found]
    return Result(
        [
            Signal(
                "pixel.ela",
                score,
                detail=f"Error-level analysis: {len(boxes)} area(s) respond to re-compression "
                f"{strength:.1f}x more than their texture explains (pasted or painted content).",
                region=boxes[0],
                regions=boxes if len(boxes) > 1 else None,
                data={"ratio": round(strength, 2), "area": round(area, 4)},
            )
        ],
        maps,
    )


def texture_cells(img: Decoded, shape: tuple[int, int]) -> np.ndarray:
    """Content busyness per cell from the downscaled copy: edges and texture, not the
    pixel-level noise that compression history changes."""
    w = np.asarray(img.work, np.float32)
    grad = np.abs(np.diff(w, axis=0))[:, :-1] + np.abs(np.diff(w, axis=1))[:-1, :]
    cells = Image.fromarray(grad).resize((shape[1], shape[0]), Image.Resampling.BOX)
    return np.asarray(cells, np.float32)


def _residual(err: np.ndarray, tex: np.ndarray) -> np.ndarray:
    """Log error minus what a robust line through (log texture, log error) predicts.

    A flat image has no texture spread to fit a line to: its prediction is the median error.
    """
    x, y = np.log1p(tex).ravel(), np.log(err + ERROR_FLOOR).ravel()
    slope, icpt = 0.0, float(np.median(y))
    keep = np.ones_like(x, bool)
    for _ in range(3):
        if keep.sum() < 4 or np.ptp(x[keep]) < 1e-6:
            break
        slope, icpt = np.polyfit(x[keep], y[keep], 1)
        r = y - (slope * x + icpt)
        spread = 1.4826 * float(np.median(np.abs(r[keep] - np.median(r[keep])))) + 1e-3
        keep = np.abs(r) < 3 * spread
    return (y - (slope * x + icpt)).reshape(err.shape)
