"""Copy-move: a region cloned elsewhere in the same image (to add a second "crack", or to
hide something under copied background).

Every 8 x 8 block of a downscaled luma copy is described by its lowest DCT coefficients
(coarse enough to survive a JPEG re-save), blocks are sorted lexicographically so similar
ones sit next to each other, and the spatial offsets of similar pairs vote. A clone shows
up as many pairs sharing one offset; its source and target boxes are reported.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.fft import dct

from . import regions
from .decoded import Decoded
from .types import Context, Result, Signal

SIDE = 384
B = 8
FEATURES = ((0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (2, 0), (2, 1), (1, 2))
KEY_FEATURES = 6
QUANT_STEP = 8.0
MATCH_TOL = 16.0  # L2 distance of feature vectors for a pair
MIN_STD = 7.0  # flat blocks match everything: ignore them
MIN_SHIFT = 2 * B
NEIGHBOURS = 6
MIN_VOTES = 40
MIN_SHARE = 0.35  # of all pairs on the winning offset (periodic textures spread their votes)

_D = dct(np.eye(B), norm="ortho", axis=0).astype(np.float32)
_INDEX_BITS = ((SIDE - B + 1) ** 2).bit_length()  # enough for every block position at SIDE
if 10 + 7 * (KEY_FEATURES - 1) + _INDEX_BITS > 63:
    raise ImportError("copy-move sort key would overflow int64: lower SIDE or KEY_FEATURES")


def _features(g: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Low DCT coefficients of the 8 x 8 block at every pixel offset (separable filters),
    one full-size map per coefficient, and each block's standard deviation (zero where the
    block would run off the image, so those positions are never used)."""
    rows = {
        u: ndimage.correlate1d(g, _D[u], axis=0, origin=-(B // 2)) for u in {u for u, _ in FEATURES}
    }
    maps = [ndimage.correlate1d(rows[u], _D[v], axis=1, origin=-(B // 2)) for u, v in FEATURES]
    mean = maps[0] / B
    sq = ndimage.uniform_filter(g * g, B, origin=-(B // 2))
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    std[g.shape[0] - B + 1 :] = 0
    std[:, g.shape[1] - B + 1 :] = 0
    return maps, std


def run(img: Decoded, context: Context) -> Result:
    work = img.work if max(img.work.size) <= SIDE else _fit(img.work)
    g = np.asarray(work, np.float32)
    if min(g.shape) < 4 * B:
        return Result([])
    maps, std = _features(g)
    pos = np.flatnonzero(std >= MIN_STD)
    if len(pos) < 2 * MIN_VOTES:
        return Result([])
    pos = pos[_sorted_order([m.ravel()[pos] for m in maps[:KEY_FEATURES]])]
    fs = np.stack([m.ravel()[pos] for m in maps])  # features x blocks, in key order
    ys, xs = (v.astype(np.int32) for v in np.divmod(pos, std.shape[1]))
    a_idx, b_idx = [], []
    for k in range(1, NEIGHBOURS + 1):
        d = fs[:, k:] - fs[:, :-k]
        close = np.einsum("ij,ij->j", d, d) < MATCH_TOL**2
        far = (xs[k:] - xs[:-k]) ** 2 + (ys[k:] - ys[:-k]) ** 2 >= MIN_SHIFT**2
        keep = np.nonzero(close & far)[0]
        a_idx.append(keep)
        b_idx.append(keep + k)
    a, b = np.concatenate(a_idx), np.concatenate(b_idx)
    if len(a) < MIN_VOTES:
        return Result([])
    dx, dy = xs[b] - xs[a], ys[b] - ys[a]
    flip = (dx < 0) | ((dx == 0) & (dy < 0))
    a, b = np.where(flip, b, a), np.where(flip, a, b)
    dx, dy = np.where(flip, -dx, dx), np.where(flip, -dy, dy)
    packed = (dx.astype(np.int64) << 20) + (dy.astype(np.int64) + (1 << 19))
    shifts, counts = np.unique(packed, return_counts=True)
    best = int(shifts[np.argmax(counts)])
    top = (best >> 20, (best & ((1 << 20) - 1)) - (1 << 19))
    on = (np.abs(dx - top[0]) <= 1) & (np.abs(dy - top[1]) <= 1)
    votes = int(on.sum())
    if votes < MIN_VOTES or votes < MIN_SHARE * len(a):
        return Result([], metadata={"copy_move_votes": votes})
    src = _box(xs[a[on]], ys[a[on]], g.shape)
    if src is None:
        return Result([], metadata={"copy_move_votes": votes})
    x0, y0, x1, y1 = src
    h, w = g.shape
    sdx, sdy = float(np.median(dx[on])), float(np.median(dy[on]))
    source = regions.region(x0, y0, x1, y1, w, h)
    target = regions.region(x0 + sdx, y0 + sdy, x1 + sdx, y1 + sdy, w, h)
    score = min(0.95, 0.6 + votes / 2000)
    return Result(
        [
            Signal(
                "pixel.copy_move",
                score,
                detail="An area of the photo was cloned onto another part of it "
                "(source and target boxes).",
                region=target,
                regions=[source, target],
                data={"source": source, "target": target, "votes": votes},
            )
        ]
    )


def _sorted_order(cols: list[np.ndarray]) -> np.ndarray:
    """The stable order of the blocks by their quantised leading features.

    The features are packed into one int64 key with the block's index in the low bits, so
    keys are unique and a plain (fast) sort gives exactly the stable lexicographic order.
    Budget: 10 + 5 x 7 feature bits plus _INDEX_BITS (checked at import)."""
    key = np.zeros(len(cols[0]), np.int64)
    for c, col in enumerate(cols):
        q = np.rint(col * np.float32(1 / QUANT_STEP))
        q = np.clip(q, 0, (1 << 10) - 1) if c == 0 else np.clip(q + 64, 0, 127)
        key <<= 10 if c == 0 else 7
        key |= q.astype(np.int64)
    key <<= _INDEX_BITS
    key |= np.arange(len(key), dtype=np.int64)
    key.sort()
    return key & ((1 << _INDEX_BITS) - 1)


def _fit(img: Image.Image) -> Image.Image:
    w, h = img.size
    k = SIDE / max(w, h)
    return img.resize((round(w * k), round(h * k)), Image.Resampling.BILINEAR)


def _box(xs: np.ndarray, ys: np.ndarray, shape) -> tuple[int, int, int, int] | None:
    """Largest connected cover of the matched blocks, in pixels."""
    mask = np.zeros(shape, bool)
    for oy in range(0, B, 2):
        for ox in range(0, B, 2):
            mask[np.minimum(ys + oy, shape[0] - 1), np.minimum(xs + ox, shape[1] - 1)] = True
    found = regions.boxes(mask, min_cells=B * B, limit=1)
    if not found:
        return None
    x0, y0, x1, y1, _ = found[0]
    return x0, y0, x1, y1
