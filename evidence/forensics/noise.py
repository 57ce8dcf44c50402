"""Local noise residual: the noise floor of each cell (the quietest 8 x 8 blocks' diagonal
Haar energy) should match the rest of the photo. Painted, pasted or generated areas are
often noise-free. Only "too clean" is flagged: textured areas legitimately look noisier,
and telling texture from noise at this cost is not reliable enough to accuse anyone."""

from __future__ import annotations

import numpy as np

from . import heatmap, regions
from .cells import block_mean, cell_size, hh_blocks
from .decoded import Decoded
from .types import Context, Result, Signal

FLOOR_PERCENTILE = 20
CLEAN_RATIO = 0.12  # a cell this much cleaner than the photo's median floor is odd
MIN_REFERENCE = 0.3  # below this the photo's noise was compressed away: nothing to compare
MIN_DIFF = 0.3  # gray levels between a cell's floor and the reference
MIN_AREA = 0.004
MAX_AREA = 0.35
MIN_CELLS = 4


def floors(img: Decoded) -> tuple[np.ndarray, np.ndarray]:
    """Noise floor per cell and a validity mask (not clipped to black or white)."""
    blocks = hh_blocks(img)
    k = cell_size(img) // 8
    gh, gw = blocks.shape[0] // k, blocks.shape[1] // k
    cells = blocks[: gh * k, : gw * k].reshape(gh, k, gw, k).transpose(0, 2, 1, 3)
    floor = np.percentile(cells.reshape(gh, gw, k * k), FLOOR_PERCENTILE, axis=2)
    brightness = block_mean(img.gray, k * 8)[:gh, :gw]
    valid = (brightness > 10) & (brightness < 245)
    return floor.astype(np.float32), valid


def run(img: Decoded, context: Context) -> Result:
    floor, valid = floors(img)
    if not valid.any():
        return Result([])
    reference = float(np.median(floor[valid]))
    ratio = (floor + 0.05) / (reference + 0.05)
    maps = {
        "noise": heatmap.render(
            np.clip(np.abs(np.log(ratio)) / np.log(9), 0, 1), img.width, img.height
        )
    }
    if reference < MIN_REFERENCE:
        return Result([], maps, {"noise_reference": round(reference, 3)})
    odd = valid & (np.abs(floor - reference) > MIN_DIFF)
    odd &= ratio < CLEAN_RATIO
    found = regions.boxes(odd, min_cells=max(MIN_CELLS, int(MIN_AREA * odd.size)))
    area = sum(b[4] for b in found) / odd.size
    meta = {"noise_reference": round(reference, 3)}
    if not found or area > MAX_AREA:
        return Result([], maps, meta)
    boxes = [regions.to_region(b, odd.shape) for b in found]
    word = "much cleaner"
    contrast = float(np.exp(np.abs(np.log(ratio[odd])).mean()))
    return Result(
        [
            Signal(
                "pixel.noise_inconsistency",
                min(0.85, 0.35 + 0.08 * contrast),
                detail=f"{len(boxes)} area(s) are {word} than the rest of the photo "
                f"({contrast:.1f}x): content from another source.",
                region=boxes[0],
                regions=boxes if len(boxes) > 1 else None,
                data={"contrast": round(contrast, 2), "area": round(area, 4)},
            )
        ],
        maps,
        meta,
    )
