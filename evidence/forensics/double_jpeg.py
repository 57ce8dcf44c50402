"""Double JPEG compression: a JPEG decoded and saved again with a different quality
leaves periodic gaps or peaks in the histograms of its quantised DCT coefficients
(Popescu & Farid). Only JPEGs whose 8 x 8 grid is intact (not resized or cropped off-grid)
keep this trace, which is what makes it a sign of re-saving after an edit."""

from __future__ import annotations

import numpy as np

from .decoded import Decoded
from .types import Context, Result, Signal
from .wording import said

SAMPLE = 1024  # pixels per side of the analysed central area
POSITIONS = ((0, 1), (1, 0), (1, 1), (0, 2), (2, 0), (1, 2), (2, 1), (2, 2))
MAX_BIN = 40
MIN_EXPECTED = 150
GAP_THRESHOLD = 0.75  # share of the expected mass missing from unreachable bins
MAX_Q = 12  # coefficient positions quantised coarser than this carry too few values
# Every photo forwarded through a messenger or re-uploaded by a platform is a double JPEG:
# the trace says "re-saved", never "edited". A hint below the firing threshold, weighed with
# other findings, never a finding alone.
SCORE = 0.35

_D = np.array(
    [
        [np.sqrt((1 if u == 0 else 2) / 8) * np.cos((2 * x + 1) * u * np.pi / 16) for x in range(8)]
        for u in range(8)
    ],
    np.float32,
)


def gap_score(img: Decoded) -> float | None:
    if img.format not in ("JPEG", "MPO") or not img.quantization or 0 not in img.quantization:
        return None
    q = np.asarray(img.quantization[0], np.float32).reshape(8, 8)
    h, w = img.gray.shape
    sh, sw = min(h, SAMPLE) // 8 * 8, min(w, SAMPLE) // 8 * 8
    y0, x0 = (h - sh) // 2 // 8 * 8, (w - sw) // 2 // 8 * 8
    g = img.gray[y0 : y0 + sh, x0 : x0 + sw].astype(np.float32) - 128
    blocks = g.reshape(sh // 8, 8, sw // 8, 8).transpose(0, 2, 1, 3)
    coef = _D @ blocks @ _D.T
    gaps = []
    for u, v in POSITIONS:
        step = int(q[u, v])
        if step < 2 or step > MAX_Q:
            continue
        n = np.abs(np.round(coef[..., u, v] / step)).astype(np.int64).ravel()
        hist = np.bincount(n[n <= MAX_BIN], minlength=MAX_BIN + 1).astype(np.float64)
        gap = _gap(hist, step)
        if gap is not None:
            gaps.append(gap)
    if len(gaps) < 2:
        return None
    return float(np.median(gaps))


def _gap(hist: np.ndarray, q2: int) -> float | None:
    """How empty the bins are that a coarser first quantisation (step q1 > q2) can never
    fill: 1 - observed / expected mass there, for the best-fitting q1."""
    best = None
    for q1 in range(q2 + 1, 3 * q2 + 1):
        reachable = {round(m * q1 / q2) for m in range(MAX_BIN + 1)}
        holes = [k for k in range(2, MAX_BIN) if k not in reachable]
        holes = [k for k in holes if k - 1 in reachable and k + 1 in reachable]
        if not holes:
            continue
        holes_arr = np.array(holes)
        expected = (hist[holes_arr - 1] + hist[holes_arr + 1]).sum() / 2
        if expected < MIN_EXPECTED:
            continue
        gap = 1.0 - hist[holes_arr].sum() / expected
        best = gap if best is None else max(best, gap)
    return best


def run(img: Decoded, context: Context) -> Result:
    p = gap_score(img)
    if p is None:
        return Result([])
    meta = {"double_jpeg_gap": round(p, 3)}
    if p < GAP_THRESHOLD:
        return Result([], metadata=meta)
    return Result(
        [
            Signal(
                "pixel.double_jpeg",
                SCORE,
                **said("double_jpeg"),
                data={"gap": round(p, 3)},
            )
        ],
        metadata=meta,
    )
