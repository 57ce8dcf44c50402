"""Slot for a learned AI-image detector (an ONNX model configured by path).

Absent by default. `onnxruntime` is imported only when a model is configured, and is
not a dependency: if it is missing the report says so instead of failing the analysis.
The model takes a 1x3xSxS float32 RGB tensor in [0, 1] and returns P(AI) (or two logits).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .decoded import open_image
from .types import Context, Result, Signal
from .wording import said

FIRE_AT = 0.5


def run(data: bytes, context: Context) -> Result:
    path = context.detector_model_path
    if not path:
        return Result([], metadata={"detector": "not configured"})
    try:
        import onnxruntime
    except ImportError:
        return Result([], metadata={"detector": "configured but onnxruntime is not installed"})
    try:
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        inp = session.get_inputs()[0]
        side = inp.shape[-1] if isinstance(inp.shape[-1], int) else 224
        rgb = open_image(data).convert("RGB").resize((side, side), Image.Resampling.BILINEAR)
        x = (np.asarray(rgb, np.float32) / 255.0).transpose(2, 0, 1)[None]
        out = np.asarray(session.run(None, {inp.name: x})[0], np.float64).ravel()
    except Exception as exc:  # a broken model must not sink the other analyzers
        return Result([], metadata={"detector": f"failed: {exc}"})
    p = float(out[0]) if out.size == 1 else float(np.exp(out[-1]) / np.exp(out).sum())
    meta = {"detector": f"ran {path}", "detector_probability": round(p, 3)}
    if p < FIRE_AT:
        return Result([], metadata=meta)
    return Result(
        [
            Signal(
                "model.ai_detector",
                p,
                **said("detector", percent=round(p * 100)),
                data={"probability": round(p, 3)},
            )
        ],
        metadata=meta,
    )
