"""Fingerprints image generators leave in metadata: Stable Diffusion WebUI `parameters`,
ComfyUI `prompt`/`workflow` (PNG text chunks, or EXIF Model/Make in its WebP output), and
the names of common generators and Chinese platforms."""

from __future__ import annotations

import json
import re

from .decoded import Decoded
from .exiftext import DESCRIPTION, MAKE, MODEL, all_strings, text
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
_IFD0_NAMES = {MODEL: "Model", MAKE: "Make", DESCRIPTION: "ImageDescription"}


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
    for where, raw in _comfy_fields(img):
        try:
            graph = json.loads(raw)
        except ValueError:
            continue
        if _looks_like_comfy(graph):
            return "ComfyUI", where, GENERATOR_SCORE
    return None


def _comfy_fields(img: Decoded):
    """ComfyUI's graphs: PNG text chunks `prompt`/`workflow`; in WebP (still and animated)
    EXIF IFD0 strings "prompt:{...}" in Model and "workflow:{...}" in Make (then the
    tags below it for further extra_pnginfo keys)."""
    for key in ("prompt", "workflow"):
        if img.text.get(key):
            yield f"PNG text chunk '{key}'", img.text[key]
    for tag, value in (img.exif or {}).items():
        if not isinstance(value, (str, bytes)):
            continue
        key, sep, raw = text(value).partition(":")
        if sep and key in ("prompt", "workflow") and raw.lstrip().startswith("{"):
            name = _IFD0_NAMES.get(tag, f"tag 0x{tag:04X}")
            yield f"EXIF {name} ('{key}:')", raw


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
