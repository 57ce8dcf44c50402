"""Local noise residual: the noise floor of each cell (the quietest 8 x 8 blocks' diagonal
Haar energy) should match the rest of the photo. Painted, pasted or generated areas are
often noise-free. Only "too clean" is flagged: textured areas legitimately look noisier,
and telling texture from noise at this cost is not reliable enough to accuse anyone.

Real cameras clean flat surfaces themselves (noise reduction, then JPEG quantisation), so a
cell is compared only with cells as busy and as bright as itself (`_expected_floor`), never
with the photo as a whole; saturated cells, clean areas running out of the frame and coarse
JPEGs are not judged. Calibrated on the real corpus: the rule as it stood fired on 82 of its
216 authentic files (white dresses, skies, snow, black suits, messenger re-saves); with
these rules it fires on none of the 63 camera and phone originals nor their re-saves, and
still finds a painted, noise-free stain in a photo with ISO-400 noise (tests)."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from . import heatmap, regions
from .cells import MAX_CLIPPED, block_mean, cell_size, clipped_share, hh_blocks
from .decoded import Decoded
from .types import Context, Result, Signal
from .wording import said

FLOOR_PERCENTILE = 20
MIN_BLOCKS = 2  # 8 x 8 blocks per cell side: the floor is a percentile, one block is no floor
CLEAN_RATIO = 0.12  # a cell this much cleaner than the photo's median floor is odd
MIN_REFERENCE = 0.3  # below this the photo's noise was compressed away: nothing to compare
MIN_DIFF = 0.2  # gray levels between a cell's floor and the reference
MIN_AREA = 0.004
MAX_AREA = 0.35
MIN_CELLS = 4
DARK, BRIGHT = 16, 224  # outside this, tone curves' toe and shoulder flatten the noise
TEXTURE_BANDS = 6
TONE_BANDS = 3
MIN_BAND_CELLS = 24
MAX_QUANT_MEAN = 17.5  # IJG quality 85 tables average 17.3


class Cells(NamedTuple):
    floor: np.ndarray  # noise floor: the quiet blocks' diagonal detail
    texture: np.ndarray  # how busy the content of those quiet blocks is
    brightness: np.ndarray
    valid: np.ndarray  # comparable: not dark, not bright, (almost) no clipped pixels


def cells(img: Decoded) -> Cells:
    """Per-cell statistics, all read from the cell's quietest 8 x 8 blocks: a cell that is half
    sky and half foliage is judged as sky, its quiet half, against other skies. Highlights and
    crushed shadows are left out: a sensor's clipped pixels carry no noise at all."""
    blocks = hh_blocks(img)
    k = max(MIN_BLOCKS, cell_size(img) // 8)
    gh, gw = blocks.shape[0] // k, blocks.shape[1] // k
    if gh == 0 or gw == 0:
        empty = np.zeros((gh, gw), np.float32)
        return Cells(empty, empty, empty, empty.astype(bool))
    busy = _content_busyness(img.gray)[: blocks.shape[0], : blocks.shape[1]]
    floor = _quiet(blocks, k, gh, gw)
    order = np.argsort(_grouped(blocks, k, gh, gw), axis=2)[..., : max(1, k * k // 5)]
    texture = np.take_along_axis(_grouped(busy, k, gh, gw), order, axis=2).mean(axis=2)
    brightness = block_mean(img.gray, k * 8)[:gh, :gw]
    clipped = clipped_share(img, k * 8)
    valid = (brightness > DARK) & (brightness < BRIGHT) & (clipped[:gh, :gw] < MAX_CLIPPED)
    return Cells(floor, texture.astype(np.float32), brightness, valid)


def _content_busyness(gray: np.ndarray) -> np.ndarray:
    """Per 8 x 8 block, how much its four 4 x 4 quarters differ in mean: the block's own
    content at a scale where pixel noise has averaged out, and blind to its neighbours."""
    sums = cv2.boxFilter(gray, cv2.CV_16U, (4, 4), normalize=False, anchor=(0, 0))
    q = sums[: gray.shape[0] // 8 * 8 : 4, : gray.shape[1] // 8 * 8 : 4].astype(np.float32) / 16
    a, b, c, d = q[0::2, 0::2], q[0::2, 1::2], q[1::2, 0::2], q[1::2, 1::2]
    return np.abs(a - b) + np.abs(c - d) + np.abs(a - c) + np.abs(b - d)


def _grouped(a: np.ndarray, k: int, gh: int, gw: int) -> np.ndarray:
    return a[: gh * k, : gw * k].reshape(gh, k, gw, k).transpose(0, 2, 1, 3).reshape(gh, gw, -1)


def _quiet(blocks: np.ndarray, k: int, gh: int, gw: int) -> np.ndarray:
    return np.percentile(_grouped(blocks, k, gh, gw), FLOOR_PERCENTILE, axis=2).astype(np.float32)


def _expected_floor(
    floor: np.ndarray, valid: np.ndarray, texture: np.ndarray, brightness: np.ndarray
) -> np.ndarray:
    """Each cell's expected floor: the median floor of the valid cells as busy and as bright
    as itself (bands by rank of texture and of brightness). A real flat surface is compared
    with the photo's other flat surfaces of its tone, which camera noise reduction and JPEG
    clean just as much; NaN where a band has too few cells to say anything."""
    out = np.full(floor.shape, np.nan, np.float32)
    if valid.sum() < TEXTURE_BANDS * TONE_BANDS * MIN_BAND_CELLS:
        return out
    band = _bands(texture, valid, TEXTURE_BANDS) * TONE_BANDS
    band += _bands(brightness, valid, TONE_BANDS)
    for b in np.unique(band):
        members = valid & (band == b)
        if members.sum() >= MIN_BAND_CELLS:
            out[band == b] = np.median(floor[members])
    return out


def _bands(values: np.ndarray, valid: np.ndarray, n: int) -> np.ndarray:
    edges = np.quantile(values[valid], np.linspace(0, 1, n + 1))
    return np.clip(np.searchsorted(edges, values, side="right") - 1, 0, n - 1)


def _at_border(box, shape: tuple[int, int]) -> bool:
    """A clean area running out of the frame is a surface that goes on beyond it (sky, road,
    wall, a game's HUD); what is painted onto the goods sits inside the picture."""
    x0, y0, x1, y1 = box[:4]
    return x0 == 0 or y0 == 0 or x1 == shape[1] or y1 == shape[0]


def _coarsely_compressed(img: Decoded) -> bool:
    """A JPEG saved coarser than about quality 85 (the mean of its luma quantisation table
    above that of IJG quality 85) has lost its sensor noise in every smooth area, honest or
    not: old cameras' "normal" mode, messenger re-saves. Its noise floor says nothing."""
    table = (img.quantization or {}).get(0)
    return table is not None and float(np.mean(table)) > MAX_QUANT_MEAN


def run(img: Decoded, context: Context) -> Result:
    if _coarsely_compressed(img):
        return Result([], metadata={"noise": "not judged: compressed too coarsely"})
    c = cells(img)
    floor, valid = c.floor, c.valid
    if not valid.any():
        return Result([])  # smaller than one cell, or nothing comparable
    reference = float(np.median(floor[valid]))
    expected = _expected_floor(floor, valid, c.texture, c.brightness)
    ratio = np.nan_to_num((floor + 0.05) / (expected + 0.05), nan=1.0)
    maps = {
        "noise": heatmap.render(
            np.clip(np.abs(np.log(ratio)) / np.log(9), 0, 1), img.width, img.height
        )
    }
    if reference < MIN_REFERENCE:
        return Result([], maps, {"noise_reference": round(reference, 3)})
    odd = valid & (expected - floor > MIN_DIFF)
    odd &= ratio < CLEAN_RATIO
    found = regions.boxes(odd, min_cells=max(MIN_CELLS, int(MIN_AREA * odd.size)))
    found = [b for b in found if not _at_border(b, odd.shape)]
    area = sum(b[4] for b in found) / odd.size
    meta = {"noise_reference": round(reference, 3)}
    if not found or area > MAX_AREA:
        return Result([], maps, meta)
    boxes = [regions.to_region(b, odd.shape) for b in found]
    contrast = float(np.exp(np.abs(np.log(ratio[odd])).mean()))
    return Result(
        [
            Signal(
                "pixel.noise_inconsistency",
                min(0.85, 0.35 + 0.08 * contrast),
                **said("noise", count=len(boxes), contrast=round(contrast, 1)),
                region=boxes[0],
                regions=boxes if len(boxes) > 1 else None,
                data={"contrast": round(contrast, 2), "area": round(area, 4)},
            )
        ],
        maps,
        meta,
    )
