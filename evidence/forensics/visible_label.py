"""Visible AIGC marks: the "AI生成" text that generators stamp in a corner of their output.

GB 45438-2025 and its Measures require generated images to carry a visible text mark with
"AI" plus 生成 or 合成 at an edge or corner, at least 5 % of the short side tall. Generators
stamp their own (豆包AI生成, ★即梦AI, 千问AI生成, 可灵AI, 元宝 AI生成, LiblibAI, Qwen-Image…).

Only the top and bottom bands are read, with a text-recognition model that ships inside the
`rapidocr` wheel (PP-OCRv6 det/rec, Chinese and Latin; nothing is downloaded), on a copy whose
short side is at most READ_SIDE: a mark of the legal size is then still about 40 px tall.
Recognition costs more than the whole default analysis, so the worker runs it as a second
stage (`evidence.analysis.read_visible_label`).

A line counts only when it is the mark and nothing more: a generator's stamp (score STAMP)
or a bare "AI生成" / "AI generated" mark (score MARK). A sentence that merely contains the
words, such as a chat app's "内容由AI生成，请仔细甄别" under a screenshot, and ordinary text
(a shop sign, a label with 生产 or 合格) do not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import rapidocr
from PIL import Image
from rapidocr import RapidOCR

from .types import Signal, region
from .wording import phrase, said

READ_SIDE = 800  # the short side the bands are read at: a legal (5 %) mark is 40 px tall
BAND = 0.16  # of the height, at the top and at the bottom
MIN_BAND = 16  # pixels: a thinner band holds no readable mark
TILE = 16  # band heights: a wider band (a panorama) is read in overlapping tiles
# The detector's box around a line (it pads the glyphs, to about twice the font size), in
# shares of the short side: under MIN_HEIGHT the text is fine print, not a mark.
MIN_HEIGHT = 0.025
MIN_CONFIDENCE = 0.8
STAMP = 0.95  # a generator's own stamp
MARK = 0.6  # a bare mark: anyone can type it, and screens show it (see aggregate)
MODELS = Path(rapidocr.__file__).resolve().parent / "models"

_AI = r"A[I1lL|]"  # the recogniser sometimes reads I as l or 1
_MADE = rf"{_AI}(?:生成|合成)"
_BRANDS = (
    r"豆包|千问|通义千问|通义|元宝|腾讯元宝|百度|文心一言|文心|可灵|即梦|海螺|智谱|清言|讯飞|"
    r"星火|天工|秒画|美图|剪映|RUNNINGHUB|LIBLIB|LIBLIBAI|QWEN|KLING|JIMENG|DOUBAO"
)
STAMPS = (
    re.compile(rf"(?:{_BRANDS}){_MADE}"),
    re.compile(rf"(?:即梦|可灵|LIBLIB){_AI}"),
    re.compile(r"QWEN-?IMAGE"),
)
MARKS = (
    re.compile(rf"(?:内容)?(?:由)?{_MADE}(?:内容)?"),
    re.compile(rf"{_AI}-?GENERATED(?:CONTENT|IMAGE)?"),
    re.compile(rf"(?:GENERATED|CREATED|MADE)(?:BY|WITH){_AI}"),
    re.compile(rf"CONTENUTIGENERATIDALL'?{_AI}"),  # Samsung Galaxy AI, Italian
)


@cache
def _engine() -> RapidOCR:
    return RapidOCR(
        params={
            "Global.log_level": "error",
            "Global.use_cls": False,  # marks are upright; its model is not in the wheel
            "Det.model_path": str(MODELS / "PP-OCRv6_det_small.onnx"),
            "Det.limit_type": "max",  # never upscale a band
            "Det.limit_side_len": READ_SIDE,
            "Rec.model_path": str(MODELS / "PP-OCRv6_rec_small.onnx"),
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        }
    )


def normalized(text: str) -> str:
    """Full-width to half-width, no spaces or decoration, Latin upper case."""
    text = unicodedata.normalize("NFKC", text).upper()
    return re.sub(r"[\s★☆*·•.,:;!?，。：；！？()（）\[\]【】“”\"]+", "", text)


def classify(text: str) -> float | None:
    """STAMP, MARK or None for one recognised line."""
    line = normalized(text)
    if any(p.fullmatch(line) for p in STAMPS):
        return STAMP
    if any(p.fullmatch(line) for p in MARKS):
        return MARK
    return None


def find(image: Image.Image) -> Signal | None:
    """The strongest visible AIGC mark in the top or bottom band of `image`, if any."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    k = min(1.0, READ_SIDE / min(width, height))
    small = rgb.resize((max(1, round(width * k)), max(1, round(height * k))), Image.BILINEAR)
    sw, sh = small.size
    band = max(1, round(sh * BAND))
    best = None
    if band < MIN_BAND:
        return None
    for top in sorted({0, sh - band}):
        for left in _tiles(sw, band):
            pixels = np.asarray(small.crop((left, top, min(sw, left + TILE * band), top + band)))
            for box, text, confidence in _lines(pixels):
                score = classify(text)
                tall = (box[:, 1].max() - box[:, 1].min()) / min(sw, sh)
                if score is None or confidence < MIN_CONFIDENCE or tall < MIN_HEIGHT:
                    continue
                if best is None or score > best[0]:
                    best = (score, text, box + np.array([left, top], np.float64), tall)
    if best is None:
        return None
    score, text, box, tall = best
    x0, y0 = (float(v) for v in box.min(axis=0))
    x1, y1 = (float(v) for v in box.max(axis=0))
    kind = "generator stamp" if score == STAMP else "AIGC mark"
    return Signal(
        "provenance.visible_label",
        score,
        **said(
            "visible_label",
            kind=phrase("visible_label.stamp" if score == STAMP else "visible_label.mark"),
            text=text,
            edge=phrase("visible_label.top" if y0 < sh / 2 else "visible_label.bottom"),
            percent=round(tall * 100, 1),
        ),
        region=region(x0, y0, x1, y1, sw, sh),
        data={"text": text, "kind": kind, "box_height": round(float(tall), 4)},
    )


def _tiles(width: int, band: int) -> list[int]:
    """Left edges of tiles TILE bands wide, overlapping by a quarter, the last flush right."""
    wide = TILE * band
    if width <= wide:
        return [0]
    step = wide * 3 // 4
    return sorted({*range(0, width - wide, step), width - wide})


def _lines(pixels: np.ndarray):
    result = _engine()(pixels)
    if result.boxes is None:
        return
    for box, text, confidence in zip(result.boxes, result.txts, result.scores, strict=True):
        yield np.asarray(box, np.float64), text, float(confidence)
