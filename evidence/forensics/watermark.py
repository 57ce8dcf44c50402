"""Invisible watermarks of open image generators (the `invisible-watermark` `dwtDct` method).

The reference Stable Diffusion scripts (txt2img, img2img, inpainting), diffusers' SDXL
pipeline and FLUX's reference code mark every output with the library's `dwtDct` method: the
U plane of YUV goes through a one-level Haar DWT; in each 4 x 4 block of the approximation
band (an 8 x 8 pixel block, row-major from the top-left corner) the largest non-corner
coefficient is quantised to step 36, its remainder set to 9 (bit 0) or 27 (bit 1); bit
``n % len(message)`` goes into block n. The library itself cannot run here (it pulls in torch
and opencv-python), so this is a compatible decoder, tested against files the library's own
encoder marked (tests/fixtures/watermarks). Two refinements over the library's decoder: each
block votes with the sine of its remainder's phase (remainders near the decision point say
little), and every message is tried the four ways real pipelines call the encoder: image in
BGR as the library expects, or in RGB (diffusers' SDXL), and uint8 (chroma offset 128) or
float (offset 0.5) pixels.

What survives: the pipeline's own output at its original size, lossless (PNG, WebP) or as a
JPEG without chroma subsampling (4:4:4, tried down to quality 90), and crops that keep the
top-left corner and the width. A resize, a crop from the left or top, or the usual 4:2:0
JPEG (its halved chroma) destroys the mark. So the decoder reads full
resolution, never a scaled copy, and only images no larger than the generators' outputs: a
camera-sized file can carry an intact mark only if a generator wrote it, which none of these
do. Positive only: a miss proves nothing, least of all that a picture is real.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .decoded import Decoded, open_image
from .types import Context, Result, Signal
from .wording import said

STEP = 36.0  # the library's default scale for the U channel
MIN_PIXELS = 256 * 256  # the library refuses smaller images
MAX_PIXELS = 2048 * 2560  # the largest reference output (SD upscaler 2048^2, FLUX ~4 MP)
WINDOW = 1024 * 1024  # pixels read: 16384 blocks, over 100 votes for each bit
MATCH = 44 / 48  # share of bits that must match (44 of 48; scaled for other lengths)
SCORE = 0.97
# The library's U plane is 0.492 (B - Y) of what it takes for BGR; an RGB array handed over
# as it is (diffusers' SDXL) swaps red and blue. Value: swap them back before reading.
ORDERS = {"BGR": False, "RGB": True}
OFFSETS = {"uint8": 128.0, "float": 0.5}


class Mark(NamedTuple):
    generator: str
    message: str
    bits: np.ndarray


def _bits_of(value: int) -> np.ndarray:
    """The generators write `bin(value)[2:]`, so leading zero bits are dropped."""
    return np.array([int(b) for b in bin(value)[2:]], np.uint8)


def _bytes(text: str) -> np.ndarray:
    return np.unpackbits(np.frombuffer(text.encode("ascii"), np.uint8))


MARKS = (
    Mark("Stable Diffusion 1.x", "StableDiffusionV1", _bytes("StableDiffusionV1")),
    Mark("Stable Diffusion 2.x", "SDV2", _bytes("SDV2")),
    Mark("Stable Diffusion XL", "0xB3EC907BB19E", _bits_of(0xB3EC907BB19E)),
    Mark("FLUX", "0x2AFE879CF52E", _bits_of(0x2AFE879CF52E)),
)


def run(img: Decoded, context: Context) -> Result:
    pixels = img.width * img.height
    if not MIN_PIXELS <= pixels <= MAX_PIXELS:
        return Result([])
    found = decode(np.asarray(_colour(img)))
    if found is None:
        return Result([])
    mark, matched, how = found
    total = len(mark.bits)
    return Result(
        [
            Signal(
                "provenance.invisible_watermark",
                SCORE,
                **said(
                    "watermark",
                    generator=mark.generator,
                    total=total,
                    message=mark.message,
                    matched=matched,
                ),
                data={
                    "generator": mark.generator,
                    "message": mark.message,
                    "bits_matched": matched,
                    "bits_total": total,
                    "encoding": how,
                },
            )
        ]
    )


def _colour(img: Decoded):
    """The RGB picture: the engine's own decode, except a JPEG's (decoded straight to luma)."""
    if img.source is None or img.format in ("JPEG", "MPO"):
        return open_image(img.data).convert("RGB")
    return img.source if img.source.mode == "RGB" else img.source.convert("RGB")


def decode(rgb: np.ndarray) -> tuple[Mark, int, str] | None:
    """The first mark that at least MATCH of its bits agree with, how many did, and which of
    the four encoder calls it was; None when no mark is there (or none survived).

    Only a band of whole block rows across the middle is read (WINDOW pixels at most): every
    bit still gets hundreds of votes, and a block's bit is known from its place in the full
    image, so nothing is resampled."""
    band, index = _band(rgb)
    for order, swap in ORDERS.items():
        chroma = _chroma(band, swap)
        for kind, offset in OFFSETS.items():
            votes = _block_votes(chroma, offset)
            for mark in MARKS:
                bits = _message(votes, index, len(mark.bits))
                matched = int((bits == mark.bits).sum())
                if matched >= math.ceil(MATCH * len(mark.bits)):
                    return mark, matched, f"{order} {kind}"
    return None


def _band(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The middle block rows the encoder wrote (it cuts the image to whole 4 x 4 groups, then
    whole 8 x 8 blocks) and each block's number in the encoder's row-major order."""
    rows = (rgb.shape[0] // 4 * 2) // 4
    per_row = (rgb.shape[1] // 4 * 2) // 4
    take = min(rows, max(1, WINDOW // (64 * max(per_row, 1))))
    first = (rows - take) // 2
    band = rgb[first * 8 : (first + take) * 8, : per_row * 8]
    index = (first + np.arange(take))[:, None] * per_row + np.arange(per_row)[None, :]
    return band, index


def _chroma(rgb: np.ndarray, swap: bool) -> np.ndarray:
    """0.492 (B - Y), the library's U plane without its offset."""
    f = rgb.astype(np.float32)
    red, green, blue = f[..., 0], f[..., 1], f[..., 2]
    if swap:
        red, blue = blue, red
    luma = 0.299 * red + 0.587 * green + 0.114 * blue
    return 0.492 * (blue - luma)


def _block_votes(chroma: np.ndarray, offset: float) -> np.ndarray:
    """Each 8 x 8 block's soft vote: -sin of its coefficient's phase is +1 at remainder 27
    (bit 1) and -1 at 9 (bit 0)."""
    u = chroma + offset
    approx = (u[0::2, 0::2] + u[0::2, 1::2] + u[1::2, 0::2] + u[1::2, 1::2]) / 2  # Haar LL
    rows, cols = approx.shape[0] // 4, approx.shape[1] // 4
    blocks = approx[: rows * 4, : cols * 4].reshape(rows, 4, cols, 4).swapaxes(1, 2)
    blocks = np.abs(blocks.reshape(rows, cols, 16)[..., 1:])
    value = np.take_along_axis(blocks, blocks.argmax(axis=-1)[..., None], axis=-1)[..., 0]
    return -np.sin(value * (2 * np.pi / STEP))


def _message(votes: np.ndarray, index: np.ndarray, length: int) -> np.ndarray:
    slot = (index % length).ravel()
    total = np.bincount(slot, weights=votes.ravel(), minlength=length)
    return (total > 0).astype(np.uint8)
