"""Invisible generator watermarks, read from files the `invisible-watermark` library marked.

tests/fixtures/watermarks/README.md says how each fixture was made."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evidence.forensics import analyze, watermark
from evidence.forensics.aggregate import aggregate
from evidence.forensics.types import Signal
from tests.fixtures.photos import scene

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "watermarks"
CODE = "provenance.invisible_watermark"
MARKED = {
    "sd1.png": ("Stable Diffusion 1.x", "StableDiffusionV1", "BGR uint8"),
    "sdv2.png": ("Stable Diffusion 2.x", "SDV2", "BGR uint8"),
    "sdxl.png": ("Stable Diffusion XL", "0xB3EC907BB19E", "RGB float"),
    "flux.png": ("FLUX", "0x2AFE879CF52E", "BGR float"),
}


def _png(arr: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(arr).save(out, "PNG")
    return out.getvalue()


def _pixels(name: str) -> np.ndarray:
    return np.asarray(Image.open(FIXTURES / name).convert("RGB"))


@pytest.mark.parametrize("name", sorted(MARKED))
def test_each_generators_watermark_is_decoded(name):
    report = analyze((FIXTURES / name).read_bytes())
    signal = report.signal(CODE)
    generator, message, encoding = MARKED[name]
    assert signal is not None
    assert signal.data["generator"] == generator
    assert signal.data["message"] == message
    assert signal.data["encoding"] == encoding
    assert signal.data["bits_matched"] >= 44 / 48 * signal.data["bits_total"]
    assert report.verdict == "ai_generated"


def test_the_flux_message_is_the_46_bits_its_code_writes():
    flux = next(m for m in watermark.MARKS if m.generator == "FLUX")
    sdxl = next(m for m in watermark.MARKS if m.generator == "Stable Diffusion XL")
    assert len(flux.bits) == 46 and len(sdxl.bits) == 48


def test_unmarked_pictures_carry_no_watermark():
    for seed in range(3):
        arr = scene(512, 512, seed=seed)
        assert analyze(_png(arr)).signal(CODE) is None
    flat = np.full((512, 512, 3), 128, np.uint8)
    assert watermark.decode(flat) is None
    assert watermark.decode(np.zeros((512, 512, 3), np.uint8)) is None


def test_a_bottom_crop_keeps_the_mark_a_resize_or_left_crop_loses_it():
    arr = _pixels("sdxl.png")
    assert watermark.decode(arr[:400]) is not None  # top-left corner and width kept
    assert watermark.decode(arr[:, 8:]) is None  # every block moves to another bit
    half = np.asarray(Image.fromarray(arr).resize((256, 256), Image.Resampling.BILINEAR))
    assert watermark.decode(half) is None


@pytest.mark.parametrize("name", sorted(MARKED))
def test_a_full_chroma_jpeg_or_lossless_webp_keeps_the_mark_a_4_2_0_jpeg_loses_it(name):
    img = Image.open(FIXTURES / name)

    def saved(fmt, **options):
        out = io.BytesIO()
        img.save(out, fmt, **options)
        return analyze(out.getvalue()).signal(CODE)

    assert saved("JPEG", quality=90, subsampling=0) is not None
    assert saved("WEBP", lossless=True) is not None
    assert saved("JPEG", quality=95, subsampling=2) is None


def test_only_generator_sized_images_are_read(monkeypatch):
    data = (FIXTURES / "flux.png").read_bytes()
    monkeypatch.setattr(watermark, "MAX_PIXELS", 512 * 511)  # as if larger than any output
    assert analyze(data).signal(CODE) is None
    monkeypatch.setattr(watermark, "MIN_PIXELS", 512 * 513)  # as if too small to be marked
    monkeypatch.setattr(watermark, "MAX_PIXELS", 2048 * 2560)
    assert analyze(data).signal(CODE) is None


def test_a_watermark_is_ai_provenance_and_its_absence_says_nothing():
    mark = Signal(CODE, watermark.SCORE, data={"generator": "FLUX"})
    assert aggregate([mark]) == (watermark.SCORE, "ai_generated")
    assert aggregate([]) == (0.0, "no_findings")
