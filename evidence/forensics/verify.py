"""Is a near-duplicate candidate really the same photo? Local features, a geometric model,
and a check that the aligned pictures agree everywhere.

The perceptual hashes (`fingerprints`) only *propose* candidates: on plain-background
product photos (白底图) they collide, and so does an ORB/RANSAC model alone, because two
products in the same packaging template share logo, carton and framing: catalog images of
Tropicana apple and grapefruit juice give 350 geometrically consistent ORB inliers at the
identity transform. What a template cannot share is the rest of the picture. So a
candidate counts as the same photo only when all of this holds:

1. **Features.** ORB keypoints (`ORB_FEATURES`) on the grey picture scaled to
   `FEATURE_SIDE`, Hamming brute-force 2-NN with Lowe's ratio test (`RATIO`), for the query
   and for its mirror image (ORB is not mirror-invariant; a symmetric product can pass both
   ways, and the orientation that changes fewer cells in step 3 wins). ORB because it
   is patent-free, in every OpenCV build (this build has no AKAZE), and cheap: both
   orientations cost about 20 ms on the 2-core host against about 130 ms for SIFT, whose
   transforms were no better here (the decisive test is step 3).
2. **Geometry.** A similarity (`estimateAffinePartial2D`, RANSAC, `RANSAC_PX`): a reused
   photo is cropped, rescaled and perhaps mirrored, never sheared. It must be supported by
   `MIN_INLIERS` inliers making up `MIN_INLIER_RATIO` of the ratio-test matches, keep the
   rotation within `MAX_ROTATION`, the scale within `SCALES`, and the two frames must
   overlap by `MIN_OVERLAP` of each (a crop of at most 10 % per side keeps 64 %).
3. **Agreement.** The query is warped onto the candidate at `DENSE_SIDE` in colour and both
   are cut into cells (`CELLS` along the long side); each channel's cell means get one
   gain/offset fit (exposure, white balance), and a cell whose mean still differs by more
   than `CELL_DIFF` levels is *changed*. Cells that are plain in both pictures (a white
   sheet) prove nothing and are not counted; at most `MAX_CHANGED` of the rest may change
   and there must be `MIN_CONTENT_CELLS` of them. Colour matters: same-template variants
   (green and red milk cartons) differ more in hue than in luma. When either picture is
   grey (`GREY_CHROMA`), both are compared in luma, since a copy may have been desaturated.

Tuning (bench/reuse_precision.py, figures in bench/RESULTS-near-duplicates.txt): among the
corpus's 78 GroceryStoreDataset and ABO product photos, every ordered pair (6,006), the
global hashes take 617 pairs for copies; with the verification, none. The 51 pairs that
reach step 3 (same-template cartons) change 28-89 % of their content cells; edited copies
of real corpus photos (crop 0-10 % per side, mirror, rescale 0.5-1.2, JPEG 50-90) change
at most 6 % at p95 per kind of edit, and are verified at 94-98.5 %. The second exposure fit
leaves out the quarter of the cells that differ most (`REFIT_DROP`), so that one painted-on
area does not bend it: a stain over 3.5 % of the frame changes 5-7 % of the cells of the
test photos and 11 % at p95 of the corpus packshots, on which the product is small; a
larger painted area is no longer called a copy, the conservative side.

The candidates' pixels are needed: the worker reads the few stored originals that passed
the hash index (`reuse.MAX_VERIFIED`) rather than storing features with every fingerprint,
which would cost about 30 kB a row (800 descriptors) for a check that runs on a handful of
rows a day, and would tie the stored data to these parameters.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
from PIL import Image

FEATURE_SIDE = 384
ORB_FEATURES = 800
RATIO = 0.8
RANSAC_PX = 3.0
MIN_INLIERS = 12
MIN_INLIER_RATIO = 0.25
MAX_ROTATION = 3.0  # degrees
SCALES = (0.7, 1 / 0.7)  # query -> candidate at FEATURE_SIDE; either may be the crop
MIN_OVERLAP = 0.6
DENSE_SIDE = 160
CELLS = 20
CELL_DIFF = 12.0
PLAIN = 3.0  # gray levels: a cell this flat in both pictures, and equal, is background
MAX_CHANGED = 0.12
MIN_CONTENT_CELLS = 8
MIN_CELL_COVER = 0.8
REFIT_DROP = 0.25  # share of the cells left out of the second exposure fit
GREY_CHROMA = 2.0  # mean |channel - luma| below which a picture is grey
LUMA = np.array([[0.299], [0.587], [0.114]], np.float32)  # what a grey conversion keeps


@dataclass(frozen=True)
class Verified:
    """A verified match: the query sits at `box` (x, y, w, h fractions) of the candidate,
    after mirroring when `mirrored`."""

    inliers: int
    matches: int
    changed: float
    mirrored: bool
    box: dict

    @property
    def cropped(self) -> bool:
        return self.box["w"] < 0.985 or self.box["h"] < 0.985

    def to_dict(self) -> dict:
        return {
            "inliers": self.inliers,
            "matches": self.matches,
            "changed": round(self.changed, 3),
        }


class Features:
    """One picture prepared for verification: its grey feature image, its small colour
    image and (lazily) ORB keypoints of it and of its mirror."""

    def __init__(self, rgb: Image.Image):
        w, h = rgb.size
        self.size = (w, h)
        self.grey = np.asarray(_fit(rgb, FEATURE_SIDE).convert("L"))
        self.colour = np.asarray(_fit(rgb, DENSE_SIDE), np.float32)
        chroma = self.colour - self.colour.mean(axis=2, keepdims=True)
        self.grey_only = float(np.abs(chroma).mean()) < GREY_CHROMA

    @classmethod
    def of_bytes(cls, data: bytes) -> Features | None:
        """Decoded at a reduced JPEG scale; None when the bytes are not a readable image."""
        try:
            img = Image.open(io.BytesIO(data))
            if img.format == "JPEG":
                img.draft("RGB", (2 * FEATURE_SIDE, 2 * FEATURE_SIDE))
            img.load()
        except (OSError, ValueError, Image.DecompressionBombError):
            return None
        return cls(_rgb(img))

    @cached_property
    def keypoints(self):
        return _orb(self.grey)

    @cached_property
    def mirrored_keypoints(self):
        return _orb(np.ascontiguousarray(self.grey[:, ::-1]))


def _rgb(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", img.size, "white"), img).convert("RGB")
    return img.convert("RGB")


def _fit(img: Image.Image, side: int) -> Image.Image:
    w, h = img.size
    k = side / max(w, h)
    size = (max(8, round(w * k)), max(8, round(h * k)))
    method = Image.Resampling.BOX if k < 1 else Image.Resampling.BILINEAR
    return img.resize(size, method)


def _orb(grey: np.ndarray):
    orb = cv2.ORB_create(nfeatures=ORB_FEATURES, fastThreshold=7, edgeThreshold=15, patchSize=15)
    keypoints, descriptors = orb.detectAndCompute(grey, None)
    points = np.float32([k.pt for k in keypoints]).reshape(-1, 2)
    return points, descriptors


@dataclass(frozen=True)
class Measured:
    """What the verification saw for one orientation, accepted or not (the bench's tables);
    `stage` is where it stopped: "features", "geometry", "agreement" or "accepted"."""

    stage: str
    mirrored: bool
    matches: int = 0
    inliers: int = 0
    box: dict | None = None
    change: float | None = None


def verify(query: Features, candidate: Features) -> Verified | None:
    """The query (or its mirror image) verified as the same photo as `candidate`, or None.
    Both orientations are tried: a symmetric product can pass either way, and the one that
    changes fewer cells is the copy."""
    measured = (measure(query, candidate, mirrored) for mirrored in (False, True))
    accepted = [m for m in measured if m.stage == "accepted"]
    if not accepted:
        return None
    m = min(accepted, key=lambda m: (m.change, -m.inliers))
    return Verified(m.inliers, m.matches, m.change, m.mirrored, m.box)


def measure(query: Features, candidate: Features, mirrored: bool) -> Measured:
    q_points, q_desc = query.mirrored_keypoints if mirrored else query.keypoints
    c_points, c_desc = candidate.keypoints
    if q_desc is None or c_desc is None or len(q_points) < 2 or len(c_points) < 2:
        return Measured("features", mirrored)
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(q_desc, c_desc, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return Measured("features", mirrored, len(good))
    src = q_points[[m.queryIdx for m in good]]
    dst = c_points[[m.trainIdx for m in good]]
    model, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX, maxIters=2000
    )
    count = int(inliers.sum()) if model is not None else 0
    box = _placement(model, query.grey.shape, candidate.grey.shape) if count else None
    if count < MIN_INLIERS or count < MIN_INLIER_RATIO * len(good) or box is None:
        return Measured("geometry", mirrored, len(good), count, box)
    q_pixels, c_pixels = query.colour, candidate.colour
    if query.grey_only or candidate.grey_only:  # a copy may have been turned grey
        q_pixels, c_pixels = (p @ LUMA for p in (q_pixels, c_pixels))
    if mirrored:
        q_pixels = q_pixels[:, ::-1]
    change = _changed(np.ascontiguousarray(q_pixels), c_pixels, model)
    stage = "accepted" if change is not None and change <= MAX_CHANGED else "agreement"
    return Measured(stage, mirrored, len(good), count, box, change)


def _placement(model: np.ndarray, q_shape, c_shape) -> dict | None:
    """The query's frame in the candidate, if the similarity is one a reuse can make."""
    scale = float(np.hypot(model[0, 0], model[1, 0]))
    rotation = abs(float(np.degrees(np.arctan2(model[1, 0], model[0, 0]))))
    if rotation > MAX_ROTATION or not SCALES[0] <= scale <= SCALES[1]:
        return None
    qh, qw = q_shape
    ch, cw = c_shape
    corners = np.float32([[0, 0], [qw, 0], [qw, qh], [0, qh]]) @ model[:, :2].T + model[:, 2]
    x0, y0 = (float(v) for v in corners.min(axis=0))
    x1, y1 = (float(v) for v in corners.max(axis=0))
    ix = max(0.0, min(x1, cw) - max(x0, 0.0))
    iy = max(0.0, min(y1, ch) - max(y0, 0.0))
    overlap = ix * iy
    if overlap < MIN_OVERLAP * (x1 - x0) * (y1 - y0) or overlap < MIN_OVERLAP * cw * ch:
        return None
    bx0, by0 = max(0.0, x0) / cw, max(0.0, y0) / ch
    return {
        "x": round(bx0, 3),
        "y": round(by0, 3),
        "w": round(min(1.0, x1 / cw) - bx0, 3),
        "h": round(min(1.0, y1 / ch) - by0, 3),
    }


def _changed(query: np.ndarray, candidate: np.ndarray, model: np.ndarray) -> float | None:
    """Fraction of the content cells whose colour differs once the query is warped onto the
    candidate (see the module docstring); None when too little content overlaps."""
    m = model.copy()
    m[:, 2] *= DENSE_SIDE / FEATURE_SIDE
    h, w = candidate.shape[:2]
    warped = cv2.warpAffine(
        query, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ).reshape(h, w, -1)
    valid = cv2.warpAffine(np.ones(query.shape[:2], np.uint8), m, (w, h), flags=cv2.INTER_NEAREST)
    valid = cv2.erode(valid, np.ones((3, 3), np.uint8)) > 0
    across = max(2, round(CELLS * min(w, h) / max(w, h)))
    rows, cols = (CELLS, across) if h >= w else (across, CELLS)
    ys = np.linspace(0, h, rows + 1).astype(int)
    xs = np.linspace(0, w, cols + 1).astype(int)
    q_means, c_means, spread = [], [], []
    for i in range(rows):
        for j in range(cols):
            cell = (slice(ys[i], ys[i + 1]), slice(xs[j], xs[j + 1]))
            inside = valid[cell]
            if inside.size == 0 or inside.mean() < MIN_CELL_COVER:
                continue
            a, b = warped[cell][inside], candidate[cell][inside]
            q_means.append(a.mean(axis=0))
            c_means.append(b.mean(axis=0))
            spread.append(max(a.std(axis=0).max(), b.std(axis=0).max()))
    if len(q_means) < MIN_CONTENT_CELLS:
        return None
    q_means, c_means, spread = np.array(q_means), np.array(c_means), np.array(spread)
    diff = _residual(q_means, c_means, np.ones(len(c_means), bool))
    # Refit without the cells that differ most, so that one painted-on area cannot bend the
    # exposure fit and make the rest of the picture look changed.
    diff = _residual(q_means, c_means, diff <= np.quantile(diff, 1 - REFIT_DROP))
    content = (spread > PLAIN) | (diff > PLAIN)
    if content.sum() < MIN_CONTENT_CELLS:
        return None
    return float(((diff > CELL_DIFF) & content).sum() / content.sum())


def _residual(q_means: np.ndarray, c_means: np.ndarray, fit_on: np.ndarray) -> np.ndarray:
    """Per cell, the largest channel difference left after one gain/offset per channel,
    fitted on the cells `fit_on`."""
    fitted = np.empty_like(c_means)
    for ch in range(c_means.shape[1]):
        gain, offset = np.polyfit(c_means[fit_on, ch], q_means[fit_on, ch], 1)
        fitted[:, ch] = gain * c_means[:, ch] + offset
    return np.abs(q_means - fitted).max(axis=1)
