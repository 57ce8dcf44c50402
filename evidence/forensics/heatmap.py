"""Render a per-cell score grid as a coloured PNG with the image's aspect (long side
capped), for the console to show beside the image."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

MAX_SIDE = 512
# dark blue -> purple -> orange -> yellow: low values recede, hot cells stand out
_STOPS = np.array([0.0, 0.35, 0.7, 1.0])
_COLOURS = np.array([[10, 10, 40], [110, 30, 130], [240, 110, 30], [255, 240, 120]], float)


def render(grid: np.ndarray, width: int, height: int) -> bytes:
    v = np.nan_to_num(np.clip(grid.astype(np.float32), 0.0, 1.0))
    rgb = np.stack([np.interp(v, _STOPS, _COLOURS[:, c]) for c in range(3)], axis=-1)
    img = Image.fromarray(rgb.astype(np.uint8))
    k = min(1.0, MAX_SIDE / max(width, height))
    size = (max(1, round(width * k)), max(1, round(height * k)))
    img = img.resize(size, Image.Resampling.NEAREST)
    out = io.BytesIO()
    img.save(out, "PNG", compress_level=1)  # speed over size: a few kB more
    return out.getvalue()


def normalise(grid: np.ndarray, pct: float = 99.0) -> np.ndarray:
    top = float(np.percentile(grid, pct)) if grid.size else 0.0
    return grid / top if top > 0 else np.zeros_like(grid)
