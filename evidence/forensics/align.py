"""Find where a (possibly cropped, rescaled, mirrored) copy sits inside a reference photo.

Model: the copy is the reference cropped by at most ~10 % per side and rescaled with its
aspect kept (plus one non-uniform "whole frame" candidate). We search the scale on a
coarse grid and get the translation for every scale at once from an FFT normalised
cross-correlation, then refine the scale at a finer resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage
from scipy.signal import fftconvolve

COARSE_SIDE = 128
FINE_SIDE = 256
MIN_COVER = 0.76  # smallest fraction of the reference a crop may keep per axis
COARSE_STEP = 0.015
FINE_STEP = 0.004


@dataclass(frozen=True)
class Alignment:
    ncc: float
    mirrored: bool
    x: float  # crop box of the copy inside the reference, as fractions of the reference
    y: float
    w: float
    h: float


def _array(img: Image.Image, side: int, blur: float = 0.7) -> np.ndarray:
    w, h = img.size
    k = side / max(w, h)
    small = img.resize((max(8, round(w * k)), max(8, round(h * k))), Image.Resampling.BILINEAR)
    return ndimage.gaussian_filter(np.asarray(small, np.float32), blur)


def ncc_map(image: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Normalised cross-correlation of `template` at every valid offset inside `image`."""
    th, tw = template.shape
    t = template - template.mean()
    tn = float(np.sqrt((t * t).sum()))
    num = fftconvolve(image, t[::-1, ::-1], mode="valid")
    s = _window_sum(image, th, tw)
    s2 = _window_sum(image * image, th, tw)
    var = np.maximum(s2 - s * s / (th * tw), 1e-6)
    return num / (tn * np.sqrt(var) + 1e-6)


def _window_sum(a: np.ndarray, h: int, w: int) -> np.ndarray:
    c = np.pad(a.astype(np.float64), ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    return c[h:, w:] - c[:-h, w:] - c[h:, :-w] + c[:-h, :-w]


def _scales(
    ratio: float, lo: float, hi: float, step: float, min_cover: float = MIN_COVER
) -> list[tuple[float, float]]:
    """(fx, fy) pairs keeping the copy's aspect: fy = fx * ratio, both within [lo, 1]."""
    a = max(lo, min_cover, min_cover / ratio)
    b = min(hi, 1.0, 1.0 / ratio)
    if a > b:
        return []
    n = max(1, round((b - a) / step) + 1)
    return [(fx, fx * ratio) for fx in np.linspace(a, b, n)]


def _best(ref: np.ndarray, copy: Image.Image, scales) -> tuple[float, float, float, int, int]:
    best = (-1.0, 0.0, 0.0, 0, 0)
    rh, rw = ref.shape
    for fx, fy in scales:
        tw, th = min(rw, max(8, round(fx * rw))), min(rh, max(8, round(fy * rh)))
        t = np.asarray(copy.resize((tw, th), Image.Resampling.BILINEAR), np.float32)
        scores = ncc_map(ref, t)
        i = int(np.argmax(scores))
        y, x = divmod(i, scores.shape[1])
        if scores.flat[i] > best[0]:
            best = (float(scores.flat[i]), tw / rw, th / rh, x, y)
    return best


def align(
    copy: Image.Image,
    reference: Image.Image,
    *,
    mirror: bool = True,
    min_cover: float = MIN_COVER,
) -> Alignment:
    """Best placement of `copy` (or, with `mirror`, its mirror image) inside `reference`,
    keeping at least `min_cover` of the reference per axis."""
    ref_c = _array(reference, COARSE_SIDE)
    rh, rw = ref_c.shape
    ratio = (copy.size[1] / copy.size[0]) * (rw / rh)
    results = []
    for mirrored in (False, True) if mirror else (False,):
        c = ImageOps.mirror(copy) if mirrored else copy
        scales = [*_scales(ratio, min_cover, 1.0, COARSE_STEP, min_cover), (1.0, 1.0)]
        results.append((_best(ref_c, c, scales), mirrored))
    (score, fx, fy, _, _), mirrored = max(results, key=lambda r: r[0][0])
    c = ImageOps.mirror(copy) if mirrored else copy
    ref_f = _array(reference, FINE_SIDE)
    fh, fw = ref_f.shape
    ratio_f = (copy.size[1] / copy.size[0]) * (fw / fh)
    fine = _scales(ratio_f, fx - 2 * COARSE_STEP, fx + 2 * COARSE_STEP, FINE_STEP, min_cover)
    score, fx, fy, x, y = _best(ref_f, c, [*fine, (1.0, 1.0)])
    return Alignment(
        ncc=score,
        mirrored=mirrored,
        x=x / fw,
        y=y / fh,
        w=fx,
        h=fy,
    )
