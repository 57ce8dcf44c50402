"""Copy-move: a region cloned elsewhere in the same image (to add a second "crack", or to
hide something under copied background).

Every 8 x 8 block of a downscaled luma copy is described by its lowest DCT coefficients
(coarse enough to survive a JPEG re-save), blocks are sorted lexicographically so similar
ones sit next to each other, and the spatial offsets of similar pairs vote. A clone shows
up as many pairs sharing one offset; its source and target boxes are reported.

Two passes (see COARSE and FINE): loose features at 384 px for clones of texture that were
re-saved as JPEG, and near-exact matching at native resolution for small images, where a
clone repeats the source's sensor noise as well. Calibrated on the NoSo copy-move set: its
three forgeries give 12,000-26,000 exact pairs on the clone's offset, its untampered
original (a row of identical USB sticks) and four self-similar textures (wall, carpet,
paving, stones) at most 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image
from scipy.fft import dct

from . import regions
from .decoded import Decoded
from .types import Context, Result, Signal
from .wording import said

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


def _features(g: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Low DCT coefficients of the 8 x 8 block at every pixel offset (separable filters
    anchored at the block's corner, OpenCV's fast path), one full-size map per coefficient,
    and each block's standard deviation (zero where the block would run off the image, so
    those positions are never used)."""
    maps = [
        cv2.sepFilter2D(g, cv2.CV_32F, _D[v], _D[u], anchor=(0, 0), borderType=cv2.BORDER_REFLECT)
        for u, v in FEATURES
    ]
    mean = maps[0] / B
    sq = cv2.boxFilter(g * g, cv2.CV_32F, (B, B), anchor=(0, 0), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    std[g.shape[0] - B + 1 :] = 0
    std[:, g.shape[1] - B + 1 :] = 0
    return maps, std


@dataclass(frozen=True)
class Pass:
    """One search: the resolution, which blocks take part, how close a pair must be, and how
    the leading features are quantised for the sort."""

    min_std: float
    match_tol: float
    quant_step: float
    key_features: int
    neighbours: int
    min_votes: int
    min_share: float  # of all close pairs, on the winning offset
    min_prominence: float  # the winning offset's votes over the runner-up's


# Clones re-saved as JPEG: coarse features at SIDE px, textured blocks only, and the winning
# offset must hold a good share of all pairs (periodic textures spread their votes).
COARSE = Pass(MIN_STD, MATCH_TOL, QUANT_STEP, KEY_FEATURES, NEIGHBOURS, MIN_VOTES, MIN_SHARE, 0)
# Clones saved losslessly (or nearly): at native resolution the copy repeats the source's
# sensor noise too, which nothing in a real scene does, not even a row of identical
# products. Even flat blocks take part; the pair must agree to within rounding. Flat noisy
# areas make chance pairs on scattered offsets, so the winner must stand out from the
# runner-up rather than hold a share of all pairs. 400 votes is about a 30 x 30 px copy;
# real photos of the corpus have at most 2 pairs on any offset. Only small images: in a
# larger one, downscaled to search, sub-pixel phase erases the exactness.
FINE = Pass(1.0, 1.5, 1.0, 5, 8, 400, 0.0, 10.0)
FINE_MAX_PIXELS = 1_300_000  # a messenger-sized photo (1280 x 1024)


def _key_bits(p: Pass, positions: int) -> int:
    return 10 + 7 * (p.key_features - 1) + positions.bit_length()


if _key_bits(COARSE, SIDE * SIDE) > 63 or _key_bits(FINE, FINE_MAX_PIXELS) > 63:
    raise ImportError("copy-move sort key would overflow int64: fewer key features")


def run(img: Decoded, context: Context) -> Result:
    coarse = img.work if max(img.work.size) <= SIDE else _fit(img.work)
    found = _search(np.asarray(coarse, np.float32), COARSE)
    if not isinstance(found, tuple) and img.width * img.height <= FINE_MAX_PIXELS:
        found = _search(img.gray.astype(np.float32), FINE)
    if not isinstance(found, tuple):
        return Result([], metadata={"copy_move_votes": found or 0})
    source, target, votes = found
    score = min(0.95, 0.6 + votes / 2000)
    return Result(
        [
            Signal(
                "pixel.copy_move",
                score,
                **said("copy_move"),
                region=target,
                regions=[source, target],
                data={"source": source, "target": target, "votes": votes},
            )
        ]
    )


def _search(g: np.ndarray, p: Pass):
    """(source, target, votes) of the best-supported clone offset; else the votes it had
    (an int), or None when too few blocks take part to say anything."""
    if min(g.shape) < 4 * B:
        return None
    maps, std = _features(g)
    pos = np.flatnonzero(std >= p.min_std)
    if len(pos) < 2 * p.min_votes:
        return None
    pos = pos[_sorted_order([m.ravel()[pos] for m in maps[: p.key_features]], p.quant_step)]
    fs = np.stack([m.ravel()[pos] for m in maps])  # features x blocks, in key order
    ys, xs = (v.astype(np.int32) for v in np.divmod(pos, std.shape[1]))
    a_idx, b_idx = [], []
    for k in range(1, p.neighbours + 1):
        d = fs[:, k:] - fs[:, :-k]
        close = np.einsum("ij,ij->j", d, d) < p.match_tol**2
        far = (xs[k:] - xs[:-k]) ** 2 + (ys[k:] - ys[:-k]) ** 2 >= MIN_SHIFT**2
        keep = np.nonzero(close & far)[0]
        a_idx.append(keep)
        b_idx.append(keep + k)
    a, b = np.concatenate(a_idx), np.concatenate(b_idx)
    if len(a) < p.min_votes:
        return len(a)
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
    if votes < p.min_votes or votes < p.min_share * len(a):
        return votes
    if p.min_prominence and votes < p.min_prominence * _runner_up(packed[~on]):
        return votes
    src = _box(xs[a[on]], ys[a[on]], g.shape)
    if src is None:
        return votes
    x0, y0, x1, y1 = src
    h, w = g.shape
    sdx, sdy = float(np.median(dx[on])), float(np.median(dy[on]))
    source = regions.region(x0, y0, x1, y1, w, h)
    target = regions.region(x0 + sdx, y0 + sdy, x1 + sdx, y1 + sdy, w, h)
    return source, target, votes


def _runner_up(packed: np.ndarray) -> int:
    """Votes of the best offset among those not next to the winner."""
    if not len(packed):
        return 0
    return int(np.unique(packed, return_counts=True)[1].max())


def _sorted_order(cols: list[np.ndarray], step: float) -> np.ndarray:
    """The stable order of the blocks by their quantised leading features.

    The features are packed into one int64 key with the block's index in the low bits, so
    keys are unique and a plain (fast) sort gives exactly the stable lexicographic order.
    Budget: 10 + 7 bits per further feature plus the index bits (`_key_bits`, checked at
    import for both passes)."""
    index_bits = len(cols[0]).bit_length()
    key = np.zeros(len(cols[0]), np.int64)
    for c, col in enumerate(cols):
        if c == 0:  # the DC term (8 x the block mean) in 10 bits: a step of at least 2
            q = np.clip(np.rint(col * np.float32(1 / max(step, 2.0))), 0, (1 << 10) - 1)
        else:
            q = np.clip(np.rint(col * np.float32(1 / step)) + 64, 0, 127)
        key <<= 10 if c == 0 else 7
        key |= q.astype(np.int64)
    key <<= index_bits
    key |= np.arange(len(key), dtype=np.int64)
    key.sort()
    return key & ((1 << index_bits) - 1)


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
