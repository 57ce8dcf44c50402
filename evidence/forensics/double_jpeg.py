"""Double JPEG compression: a JPEG decoded and saved again with a different quality
leaves periodic gaps or peaks in the histograms of its quantised DCT coefficients
(Popescu & Farid). Only JPEGs whose 8 x 8 grid is intact (not resized or cropped off-grid)
keep this trace, which is what makes it a sign of re-saving after an edit."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .decoded import Decoded
from .types import Context, Result, Signal

SAMPLE = 1024  # pixels per side of the analysed central area
POSITIONS = ((0, 1), (1, 0), (1, 1), (0, 2), (2, 0), (1, 2), (2, 1), (2, 2))
MAX_BIN = 40
MIN_COUNT = 400
PERIODICITY = 0.32  # mean normalised spectral peak above which the trace is clear
MAX_Q = 16  # coefficient positions quantised coarser than this carry too few values
SCORE = 0.5

_D = np.array(
    [
        [np.sqrt((1 if u == 0 else 2) / 8) * np.cos((2 * x + 1) * u * np.pi / 16) for x in range(8)]
        for u in range(8)
    ],
    np.float32,
)


def periodicity(img: Decoded) -> float | None:
    if img.format != "JPEG" or not img.quantization or 0 not in img.quantization:
        return None
    q = np.asarray(img.quantization[0], np.float32).reshape(8, 8)
    h, w = img.gray.shape
    sh, sw = min(h, SAMPLE) // 8 * 8, min(w, SAMPLE) // 8 * 8
    y0, x0 = (h - sh) // 2 // 8 * 8, (w - sw) // 2 // 8 * 8
    g = img.gray[y0 : y0 + sh, x0 : x0 + sw].astype(np.float32) - 128
    blocks = g.reshape(sh // 8, 8, sw // 8, 8).transpose(0, 2, 1, 3)
    coef = _D @ blocks @ _D.T
    peaks = []
    for u, v in POSITIONS:
        step = q[u, v]
        if step > MAX_Q:
            continue
        n = np.abs(np.round(coef[..., u, v] / step)).astype(np.int64).ravel()
        hist = np.bincount(n[(n >= 1) & (n <= MAX_BIN)], minlength=MAX_BIN + 1)[1:]
        if hist.sum() < MIN_COUNT or (hist > 0).sum() < 8:
            continue
        peaks.append(_peak(hist.astype(np.float64)))
    if not peaks:
        return None
    return float(np.mean(sorted(peaks)[-3:]))


def _peak(hist: np.ndarray) -> float:
    """Strength of periodic modulation of a histogram around its smooth envelope."""
    envelope = ndimage.gaussian_filter1d(hist, 2.5, mode="nearest") + 1.0
    r = hist / envelope - 1.0
    r = r[: max(8, int(np.nonzero(hist)[0].max()) + 1)]
    spectrum = np.abs(np.fft.rfft(r - r.mean()))
    if len(spectrum) < 4:
        return 0.0
    return float(spectrum[2:].max() / (np.sqrt((r * r).sum() * len(r)) + 1e-9))


def run(img: Decoded, context: Context) -> Result:
    p = periodicity(img)
    if p is None:
        return Result([])
    meta = {"double_jpeg_periodicity": round(p, 3)}
    if p < PERIODICITY:
        return Result([], metadata=meta)
    return Result(
        [
            Signal(
                "pixel.double_jpeg",
                SCORE,
                detail="The JPEG was saved twice with different settings (periodic DCT "
                "histogram): the photo was re-saved, e.g. after editing.",
                data={"periodicity": round(p, 3)},
            )
        ],
        metadata=meta,
    )
