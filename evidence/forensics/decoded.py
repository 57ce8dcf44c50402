"""Decode an image once and share the arrays every analyzer needs.

JPEGs are decoded straight to luma (libjpeg skips the colour conversion), which is both
what the pixel analyzers want and cheaper than the RGB decode the benchmark uses as floor.
Smaller working copies are derived lazily and cached.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from PIL import ExifTags, Image

try:  # HEIC support is optional at import time; intake already refuses what we cannot read
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover
    pillow_heif = None

WORK_SIDE = 512
SMALL_SIDE = 256
EXIF_IFD = ExifTags.IFD.Exif
GPS_IFD = ExifTags.IFD.GPSInfo


@dataclass
class Decoded:
    data: bytes
    format: str
    width: int
    height: int
    gray: np.ndarray  # uint8, H x W, full resolution
    info: dict
    exif: Image.Exif
    quantization: dict | None = None
    text: dict[str, str] = field(default_factory=dict)
    alpha: np.ndarray | None = None  # uint8, H x W: PNG/WebP alpha, where generators hide text
    # The picture as decoded, in its own mode (a JPEG's is luma): colour for the analyzers
    # that need it without decoding the file again.
    source: Image.Image | None = None

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def image(self) -> Image.Image:
        return Image.fromarray(self.gray)

    def scaled(self, side: int) -> Image.Image:
        return _scaled(self.image, side)

    @cached_property
    def work(self) -> Image.Image:
        """Grayscale copy with the long side at most WORK_SIDE pixels."""
        return self.scaled(WORK_SIDE)

    @cached_property
    def small(self) -> Image.Image:
        return _scaled(self.work, SMALL_SIDE)

    @cached_property
    def fingerprints(self):
        """The image's perceptual fingerprints, computed once per analysis: the reuse analyzer
        matches with them and the worker stores them."""
        from .fingerprints import compute

        return compute(self.small, sha256=self.sha256)

    @cached_property
    def verification(self):
        """Local features for verifying a near-duplicate candidate (`verify`), computed on
        first use: most images meet no candidate and never pay for them. None when the
        bytes do not decode in colour."""
        from .verify import Features

        return Features.of_bytes(self.data)

    @cached_property
    def exif_ifd(self) -> dict:
        return dict(self.exif.get_ifd(EXIF_IFD)) if self.exif else {}

    @cached_property
    def gps_ifd(self) -> dict:
        return dict(self.exif.get_ifd(GPS_IFD)) if self.exif else {}

    @cached_property
    def xmp(self) -> str:
        raw = self.info.get("xmp") or self.info.get("XML:com.adobe.xmp") or b""
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        return raw


def _scaled(img: Image.Image, side: int) -> Image.Image:
    w, h = img.size
    if max(w, h) <= side:
        return img
    k = side / max(w, h)
    size = (max(1, round(w * k)), max(1, round(h * k)))
    return img.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def open_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def decode(data: bytes, max_side: int | None = None) -> Decoded:
    """Decode `data` to luma; `max_side` lets JPEG decode at a reduced DCT scale."""
    img = open_image(data)
    fmt = img.format or "UNKNOWN"
    width, height = img.size
    info = dict(img.info)
    exif = img.getexif()
    quantization = getattr(img, "quantization", None) if fmt == "JPEG" else None
    if fmt == "JPEG" and img.mode in ("RGB", "YCbCr", "L"):
        target = img.size if max_side is None else _fit(img.size, max_side)
        img.draft("L", target)
    img.load()
    text = {k: v for k, v in getattr(img, "text", {}).items() if isinstance(v, str)}
    alpha = None
    if fmt in ("PNG", "WEBP") and img.mode in ("RGBA", "LA") and max_side is None:
        alpha = np.asarray(img.getchannel("A"))
    gray = _to_gray(img)
    if max_side is not None and max(gray.shape) > max_side:
        gray = np.asarray(_scaled(Image.fromarray(gray), max_side))
    return Decoded(
        data=data,
        format=fmt,
        width=width,
        height=height,
        gray=gray,
        info=info,
        exif=exif,
        quantization=quantization,
        text=text,
        alpha=alpha,
        source=img,
    )


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    k = min(1.0, side / max(size))
    return max(1, round(size[0] * k)), max(1, round(size[1] * k))


def _to_gray(img: Image.Image) -> np.ndarray:
    if img.mode == "L":
        return np.asarray(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float32)
        top = max(float(arr.max()), 1.0)
        return (arr * (255.0 / top)).astype(np.uint8)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return np.asarray(img.convert("L"))
