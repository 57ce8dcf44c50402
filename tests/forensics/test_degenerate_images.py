"""Odd but valid images must get a report, never an exception (the worker would mark the
evidence failed, and the CLI would print a traceback instead of JSON)."""

import io

import numpy as np
import pytest
from PIL import Image

from evidence.forensics import analyze


def _encode(img: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


CASES = {
    "flat colour JPEG": lambda: _encode(Image.new("RGB", (640, 480), (200, 30, 30)), "JPEG"),
    "black PNG": lambda: _encode(Image.new("L", (64, 64), 0), "PNG"),
    "1x1 JPEG": lambda: _encode(Image.new("RGB", (1, 1), (9, 9, 9)), "JPEG"),
    "thin strip": lambda: _encode(Image.new("RGB", (2000, 3), (90, 90, 90)), "JPEG"),
    "transparent PNG": lambda: _encode(Image.new("RGBA", (300, 200), (0, 0, 0, 0)), "PNG"),
    "16-bit grey PNG": lambda: _encode(
        Image.fromarray(np.arange(256 * 64, dtype=np.uint16).reshape(64, 256)), "PNG"
    ),
    "CMYK JPEG": lambda: _encode(Image.new("CMYK", (120, 80), (0, 50, 100, 0)), "JPEG"),
    "two-tone stripes": lambda: _encode(
        Image.fromarray(((np.indices((240, 320)).sum(0) // 8) % 2 * 255).astype(np.uint8)),
        "JPEG",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_it_reports_on_an_odd_but_valid_image(name):
    report = analyze(CASES[name]())
    assert report.verdict in {"ai_generated", "edited", "suspicious", "no_findings"}
    assert 0.0 <= report.forgery_score <= 1.0
