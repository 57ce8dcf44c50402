"""Shared per-cell statistics of the full-resolution luma, computed once.

The cell size gives about CELLS_ALONG cells along the long side (at least 8 px, a multiple
of 8 so cells stay on the JPEG block grid)."""

from __future__ import annotations

import cv2
import numpy as np

from .decoded import Decoded

CELLS_ALONG = 64


def cell_size(img: Decoded) -> int:
    return max(8, 8 * round(max(img.width, img.height) / CELLS_ALONG / 8))


def block_mean(a: np.ndarray, k: int) -> np.ndarray:
    """Mean over non-overlapping k x k blocks (edges that do not fill a block dropped).

    Rows are summed first: adding whole contiguous rows vectorises, while summing k
    neighbours along the last axis does not, so this order is several times faster."""
    gh, gw = a.shape[0] // k, a.shape[1] // k
    acc = np.float32 if a.dtype.kind == "f" else np.uint32
    rows = a[: gh * k, : gw * k].reshape(gh, k, gw * k).sum(axis=1, dtype=acc)
    return rows.reshape(gh, gw, k).sum(axis=2, dtype=acc).astype(np.float32) / (k * k)


def haar_hh(gray: np.ndarray) -> np.ndarray:
    """|diagonal Haar detail| at half resolution: fine-scale noise and texture."""
    g = gray[: gray.shape[0] // 2 * 2, : gray.shape[1] // 2 * 2]
    rows = np.subtract(g[0::2], g[1::2], dtype=np.int16)  # whole rows: contiguous, cheap
    hh = rows[:, 0::2] - rows[:, 1::2]
    return np.abs(hh, out=hh).view(np.uint16)  # twice the Haar HH (kept integer: faster)


def hh_blocks(img: Decoded) -> np.ndarray:
    """Mean |HH| per 8 x 8-pixel block (cached on the bundle)."""
    cached = img.__dict__.get("_hh_blocks")
    if cached is None:
        cached = block_mean(haar_hh(img.gray), 4) * np.float32(0.5)
        img.__dict__["_hh_blocks"] = cached
    return cached


CLIP_LOW, CLIP_HIGH = 4, 251  # grey levels at which a sensor or tone curve has saturated
MAX_CLIPPED = 0.02  # share of saturated pixels that takes a cell out of a comparison


def clipped_share(img: Decoded, k: int) -> np.ndarray:
    """Share of saturated (clipped) pixels in each k x k cell (cached per k): highlights and
    crushed shadows carry no noise and cut off a re-save's ringing, so the pixel analyzers
    leave them out."""
    cache = img.__dict__.setdefault("_clipped_share", {})
    if k not in cache:
        cache[k] = block_mean(cv2.LUT(img.gray, CLIPPED_LUT), k)
    return cache[k]


CLIPPED_LUT = np.zeros(256, np.uint8)  # 1 for a saturated grey level
CLIPPED_LUT[: CLIP_LOW + 1] = 1
CLIPPED_LUT[CLIP_HIGH:] = 1
