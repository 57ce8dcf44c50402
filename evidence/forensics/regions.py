"""Turn boolean masks on a grid into boxes, largest first."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .types import region


def boxes(
    mask: np.ndarray, min_cells: int = 1, limit: int = 3
) -> list[tuple[int, int, int, int, int]]:
    """Connected components (8-neighbour) as (x0, y0, x1, y1, cells), biggest first."""
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    if not count:
        return []
    sizes = np.bincount(labels.ravel())[1:]
    found = []
    for i, sl in enumerate(ndimage.find_objects(labels)):
        if sl is None or sizes[i] < min_cells:
            continue
        ys, xs = sl
        found.append((xs.start, ys.start, xs.stop, ys.stop, int(sizes[i])))
    found.sort(key=lambda b: -b[4])
    return found[:limit]


def to_region(box, grid_shape: tuple[int, int]) -> dict:
    """A grid box as fractions of the image (the grid spans the whole image)."""
    gh, gw = grid_shape
    x0, y0, x1, y1 = box[:4]
    return region(x0, y0, x1, y1, gw, gh)


def iou(a: dict, b: dict) -> float:
    ax1, ay1 = a["x"] + a["w"], a["y"] + a["h"]
    bx1, by1 = b["x"] + b["w"], b["y"] + b["h"]
    iw = max(0.0, min(ax1, bx1) - max(a["x"], b["x"]))
    ih = max(0.0, min(ay1, by1) - max(a["y"], b["y"]))
    inter = iw * ih
    union = a["w"] * a["h"] + b["w"] * b["h"] - inter
    return inter / union if union > 0 else 0.0
