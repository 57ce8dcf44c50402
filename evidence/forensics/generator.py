"""Fingerprints image generators leave in metadata: Stable Diffusion WebUI `parameters`,
ComfyUI `prompt`/`workflow`, and the names of common generators and Chinese platforms."""

from __future__ import annotations

import json
import re

from .decoded import Decoded
from .exiftext import all_strings
from .types import Context, Result, Signal

GENERATOR_SCORE = 0.95
MARKER_SCORE = 0.85

_MARKERS = [
    ("Midjourney", r"\bmidjourney\b|\bmj[ _-]?v\d\b"),
    ("DALL·E", r"\bdall[·\-\s]?e\b|\bdalle\b|openai"),
    ("Adobe Firefly", r"\bfirefly\b"),
    ("Stable Diffusion", r"stable[\s_-]?diffusion|\bsdxl\b|dreamstudio"),
    ("NovelAI", r"\bnovel\s?ai\b"),
    ("Doubao", r"\bdoubao\b|豆包"),
    ("Jimeng", r"\bjimeng\b|即梦|dreamina"),
    ("Kling", r"\bkling\b|可灵|keling"),
    ("Tongyi Wanxiang", r"\bwanx(?:iang)?\b|通义万相"),
    ("Wenxin Yige", r"文心一格|\byige\b"),
    ("Leonardo.Ai", r"leonardo\.ai"),
    ("Ideogram", r"\bideogram\b"),
    ("FLUX", r"\bflux\.1\b|black forest labs"),
    ("InvokeAI", r"\binvokeai\b"),
    ("Imagen", r"\bimagen\b|\bgemini\b.*image"),
]
_COMPILED = [(name, re.compile(rx, re.I)) for name, rx in _MARKERS]
_A1111 = re.compile(r"Steps:\s*\d+.*Sampler:", re.S)


def run(img: Decoded, context: Context) -> Result:
    found = _webui(img) or _comfy(img) or _marker(img)
    if not found:
        return Result([])
    name, where, score = found
    return Result(
        [
            Signal(
                "provenance.generator_metadata",
                score,
                detail=f"{name} generator metadata found in {where}.",
                data={"generator": name, "where": where},
            )
        ]
    )


def _webui(img: Decoded):
    params = img.text.get("parameters", "")
    if params and (_A1111.search(params) or "Negative prompt:" in params):
        return "Stable Diffusion WebUI (A1111)", "PNG text chunk 'parameters'", GENERATOR_SCORE
    for key in ("sd-metadata", "invokeai_metadata", "Dream"):
        if key in img.text:
            return "InvokeAI", f"PNG text chunk '{key}'", GENERATOR_SCORE
    return None


def _comfy(img: Decoded):
    for key in ("prompt", "workflow"):
        raw = img.text.get(key)
        if not raw:
            continue
        try:
            graph = json.loads(raw)
        except ValueError:
            continue
        if _looks_like_comfy(graph):
            return "ComfyUI", f"PNG text chunk '{key}'", GENERATOR_SCORE
    return None


def _looks_like_comfy(graph) -> bool:
    if isinstance(graph, dict) and "nodes" in graph:
        return True
    if isinstance(graph, dict):
        return any(isinstance(v, dict) and "class_type" in v for v in graph.values())
    return False


def _marker(img: Decoded):
    haystack = all_strings(img)
    if not haystack:
        return None
    for name, rx in _COMPILED:
        if rx.search(haystack):
            return name, "metadata text (Software/XMP/EXIF comments/text chunks)", MARKER_SCORE
    return None
