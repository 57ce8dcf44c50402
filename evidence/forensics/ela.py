"""Error-level analysis: re-save the luma as JPEG and measure how much each area changes.

Areas that went through the same compression history change alike; a pasted or painted
area changes more. Because busy texture also changes more, a cell is only flagged when
its error is far above what its texture and fine detail predict (a robust fit over all
cells). Only JPEGs are analysed: a PNG, WebP or HEIC file has no compression history for a
pasted area to differ from, so every area responds alike to its first JPEG save.

Calibrated on the real corpus: the texture-only fit fired on 39 of its 216 authentic files
(fine natural texture, lettering, fronds against a blown-out sky, PNGs and HEICs); with the
fine-detail term, the JPEG-only rule and saturated cells left out it fires on none of the
63 camera and phone originals nor their re-saves, while a pasted never-compressed area
(4 % of the frame, 4x the predicted error) is still found (tests).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage

from . import heatmap, regions
from .cells import CLIPPED_LUT, MAX_CLIPPED, block_mean, cell_size
from .decoded import Decoded
from .types import Context, Result, Signal
from .wording import said

JPEG_FORMATS = ("JPEG", "MPO")  # MPO: a camera JPEG with a multi-picture index
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
    if img.format not in JPEG_FORMATS:
        return
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
    """Per cell of a strip: the re-save's mean error, the fine detail (`_fine_detail`) and
    the share of saturated pixels, stacked; all three are strip-local, so they ride along
    with the re-compression in the background."""
    diff = cv2.absdiff(_recompressed(gray), gray)
    clipped = block_mean(cv2.LUT(gray, CLIPPED_LUT), k)
    return np.stack([block_mean(diff, k), _fine_detail(gray, k), clipped])


def error_cells(img: Decoded) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(error, fine detail, saturated share) per cell."""
    k = cell_size(img)
    strips = img.__dict__.pop("_ela_strips", None)
    if strips is None:
        cells = _error_cells(img.gray, k)
    else:
        cells = np.concatenate(
            [
                _error_cells(img.gray[rows], k) if future.cancel() else future.result()
                for rows, future in strips
            ],
            axis=1,
        )
    return cells[0], cells[1], cells[2]


def run(img: Decoded, context: Context) -> Result:
    if img.format not in JPEG_FORMATS:
        return Result([])  # never a JPEG: no compression history for an area to differ from
    err, fine, clipped = error_cells(img)
    if min(err.shape) < 2:
        return Result([])  # smaller than two cells across: nothing to compare an area with
    tex = texture_cells(img, err.shape)
    maps = {"ela": heatmap.render(heatmap.normalise(err), img.width, img.height)}
    residual = _residual(err, tex, fine)
    mask = (residual > np.log(RESIDUAL_RATIO)) & (err > MIN_ERROR) & ~_near_clipping(clipped)
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
                **said("ela", count=len(boxes), ratio=round(strength, 1)),
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


def _near_clipping(clipped: np.ndarray) -> np.ndarray:
    """Cells at or next to saturated pixels: there the re-save's ringing is cut off at 0 or
    255 on one side only, so an edge against a blown-out sky responds unlike every other edge
    of the photo. Not judged."""
    return ndimage.binary_dilation(clipped > MAX_CLIPPED, iterations=1)


def _fine_detail(gray: np.ndarray, k: int) -> np.ndarray:
    """Full-resolution detail per cell (mean absolute step to the next pixel, across plus
    down): seed heads, mesh fabric, fronds and lettering against the sky respond to
    re-compression in proportion to their own sharp detail, which the 512-px copy behind
    `texture_cells` averages away. The last row and column repeat their neighbours' steps."""
    if min(gray.shape) < 2:
        return np.zeros((gray.shape[0] // k, gray.shape[1] // k), np.float32)
    across = cv2.copyMakeBorder(
        cv2.absdiff(gray[:, 1:], gray[:, :-1]), 0, 0, 0, 1, cv2.BORDER_REPLICATE
    )
    down = cv2.copyMakeBorder(cv2.absdiff(gray[1:], gray[:-1]), 0, 1, 0, 0, cv2.BORDER_REPLICATE)
    return block_mean(across, k) + block_mean(down, k)


def _residual(err: np.ndarray, tex: np.ndarray, fine: np.ndarray) -> np.ndarray:
    """Log error minus what a robust plane through (log texture, log fine detail, log
    error) predicts: an area is odd when neither its content nor its fine detail explains
    how much it changes.

    A flat image has no texture spread to fit to: its prediction is the median error.
    """
    y = np.log(err + ERROR_FLOOR).ravel()
    x = np.stack([np.ones_like(y), np.log1p(tex).ravel(), np.log1p(fine).ravel()], axis=1)
    coef = np.array([float(np.median(y)), 0.0, 0.0])
    keep = np.ones_like(y, bool)
    for _ in range(3):
        if keep.sum() < 6 or np.ptp(x[keep, 1]) + np.ptp(x[keep, 2]) < 1e-6:
            break
        coef = np.linalg.lstsq(x[keep], y[keep], rcond=None)[0]
        r = y - x @ coef
        spread = 1.4826 * float(np.median(np.abs(r[keep] - np.median(r[keep])))) + 1e-3
        keep = np.abs(r) < 3 * spread
    return (y - x @ coef).reshape(err.shape)
