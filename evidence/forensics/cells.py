"""Shared per-cell statistics of the full-resolution luma, computed once.

The cell size gives about CELLS_ALONG cells along the long side (at least 8 px, a multiple
of 8 so cells stay on the JPEG block grid)."""

from __future__ import annotations

import numpy as np

from .decoded import Decoded

CELLS_ALONG = 64


def cell_size(img: Decoded) -> int:
    return max(8, 8 * round(max(img.width, img.height) / CELLS_ALONG / 8))


def block_mean(a: np.ndarray, k: int) -> np.ndarray:
    """Mean over non-overlapping k x k blocks (edges that do not fill a block dropped)."""
    gh, gw = a.shape[0] // k, a.shape[1] // k
    return a[: gh * k, : gw * k].reshape(gh, k, gw, k).mean(axis=(1, 3), dtype=np.float32)


def haar_hh(gray: np.ndarray) -> np.ndarray:
    """|diagonal Haar detail| at half resolution: fine-scale noise and texture."""
    g = gray[: gray.shape[0] // 2 * 2, : gray.shape[1] // 2 * 2].astype(np.int16)
    return np.abs(g[0::2, 0::2] - g[0::2, 1::2] - g[1::2, 0::2] + g[1::2, 1::2]).astype(
        np.float32
    ) * np.float32(0.5)


def hh_blocks(img: Decoded) -> np.ndarray:
    """Mean |HH| per 8 x 8-pixel block (cached on the bundle)."""
    cached = img.__dict__.get("_hh_blocks")
    if cached is None:
        cached = block_mean(haar_hh(img.gray), 4)
        img.__dict__["_hh_blocks"] = cached
    return cached
