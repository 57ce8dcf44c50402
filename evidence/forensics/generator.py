"""Fingerprints image generators leave in metadata.

Precision first: a generator is named only by a structure its tool writes, or by its own name
in a field where software names itself. The structures: A1111's parameter line ("Steps: 20,
Sampler: ..., Seed: ...") in a PNG `parameters` chunk or in EXIF UserComment (JPEG, WebP);
Fooocus's JSON `parameters` with its `fooocus_scheme` (EXIF MakerNote outside PNG); InvokeAI's
`invokeai_metadata`/`sd-metadata` JSON and legacy `Dream` line; ComfyUI's `prompt`/`workflow`
graphs (PNG chunks, or EXIF Make/Model in its WebP output); NovelAI's `Software`/`Comment`
chunks and its "stealth pnginfo" in the alpha channel's low bits; Midjourney's Job ID beside its
parameters in the description; xAI Grok's EXIF pair (a UUID as Artist, a base64
"Signature:" as ImageDescription). The fields where software names itself: EXIF Software,
Make, Model, XMP CreatorTool/softwareAgent and PNG `Software` (Ideogram writes Make "Ideogram
AI"). A generator's name in free text (a caption, a keyword, a comment) is not a generator:
people photograph fireflies, and "imagen" is Spanish for picture.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import NamedTuple

import numpy as np

from .decoded import Decoded
from .exiftext import (
    ARTIST,
    DESCRIPTION,
    MAKE,
    MODEL,
    SOFTWARE,
    USER_COMMENT,
    exif_field,
    ifd0,
    text,
    tools,
)
from .types import Context, Result, Signal
from .wording import said

GENERATOR_SCORE = 0.95
MARKER_SCORE = 0.85
MAKER_NOTE = 0x927C

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
    ("Fooocus", r"\bfooocus\b"),
    ("ComfyUI", r"\bcomfyui\b"),
    ("InvokeAI", r"\binvokeai\b"),
    ("xAI Grok", r"\bgrok\b"),
    ("Imagen", r"\bimagen\b|\bgemini\b.*image"),
    ("OpenAI Sora", r"\bsora\b"),
    ("Google Veo", r"\bveo\s?\d?\b"),
    ("Hailuo", r"\bhailuo\b|海螺|\bminimax\b"),
    ("Runway", r"\brunwayml\b|\brunway gen-?\d"),
    ("Pika", r"\bpika(?:labs| labs|\.art)\b"),
    ("Vidu", r"\bvidu\b"),
    ("PixVerse", r"\bpixverse\b"),
    ("Luma Dream Machine", r"dream machine|\blumalabs?\b"),
]
_COMPILED = [(name, re.compile(rx, re.I)) for name, rx in _MARKERS]
_A1111 = re.compile(r"\bSteps:\s*\d+,\s*Sampler:\s*[^,\n]+,.*\b(?:CFG scale|Seed):\s*[\d.]+", re.S)
_FOOOCUS_VERSION = re.compile(r"\bVersion:\s*\"?Fooocus\b")
_DREAM = re.compile(r"\s-s\s*\d+\b.*\s-S\s*\d+\b")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_JOB_ID = re.compile(rf"\bJob ID:\s*({_UUID})", re.I)
_MJ_PARAMETER = re.compile(r"(?:^|\s)--(?:v|ar|niji|style|stylize|chaos|q|s|weird|tile)\s+\S")
_MJ_GUID = re.compile(rf"DigImageGUID\s*(?:=\s*\"|>)\s*({_UUID})", re.I)
_GROK_SIGNATURE = re.compile(r"Signature:\s*([A-Za-z0-9+/]{86,}={0,2})")
_IFD0_NAMES = {MODEL: "Model", MAKE: "Make", DESCRIPTION: "ImageDescription"}
STEALTH_MAGICS = {b"stealth_pnginfo": False, b"stealth_pngcomp": True}
STEALTH_HEAD = 15 + 4  # the magic, then the payload's length in bits (32-bit big-endian)
STEALTH_MAX_BYTES = 1 << 20
NOVELAI_COMMENT_KEYS = {"prompt", "uc", "steps", "sampler", "seed"}
FOOOCUS_SCHEMES = ("fooocus", "a1111")


class Found(NamedTuple):
    name: str
    where: str
    score: float = GENERATOR_SCORE


def run(img: Decoded, context: Context) -> Result:
    found = None
    for finder in (_parameters, _invokeai, _comfy, _novelai, _midjourney, _grok, _tool_fields):
        found = finder(img)
        if found:
            break
    return Result([signal(found)] if found else [])


def signal(found: Found) -> Signal:
    return Signal(
        "provenance.generator_metadata",
        found.score,
        **said("generator", name=found.name, where=found.where),
        data={"generator": found.name, "where": found.where},
    )


def _parameters(img: Decoded) -> Found | None:
    """A1111 and Fooocus parameters: PNG chunk `parameters`, EXIF UserComment (A1111 writes it
    in the Exif IFD, Fooocus in IFD0)."""
    fooocus = _fooocus(img)
    fields = [
        ("PNG text chunk 'parameters'", img.text.get("parameters", "")),
        ("EXIF UserComment", exif_field(img, USER_COMMENT)),
        ("EXIF IFD0 UserComment", ifd0(img, USER_COMMENT)),
    ]
    for where, raw in fields:
        graph = _json(raw)
        if isinstance(graph, dict):
            if fooocus or str(graph.get("version", "")).startswith("Fooocus"):
                return Found("Fooocus", where)
            if "sui_image_params" in graph:
                return Found("SwarmUI", where)
            if _looks_like_comfy(graph):
                return Found("ComfyUI", where)
        elif raw and _A1111.search(raw):
            named = fooocus or _FOOOCUS_VERSION.search(raw)
            return Found("Fooocus" if named else "Stable Diffusion WebUI (A1111)", where)
    return None


def _fooocus(img: Decoded) -> bool:
    """Fooocus names its scheme: PNG chunk `fooocus_scheme`; outside PNG, IFD0 MakerNote
    beside Software "Fooocus v..."."""
    if img.text.get("fooocus_scheme", "").strip() in FOOOCUS_SCHEMES:
        return True
    software = ifd0(img, SOFTWARE).lower()
    return ifd0(img, MAKER_NOTE).strip() in FOOOCUS_SCHEMES and software.startswith("fooocus")


def _invokeai(img: Decoded) -> Found | None:
    for key in ("invokeai_metadata", "sd-metadata", "invokeai_graph"):
        if isinstance(_json(img.text.get(key, "")), dict):
            return Found("InvokeAI", f"PNG text chunk '{key}'")
    if _DREAM.search(img.text.get("Dream", "")):
        return Found("InvokeAI", "PNG text chunk 'Dream'")
    return None


def _comfy(img: Decoded) -> Found | None:
    for where, raw in _comfy_fields(img):
        if _looks_like_comfy(_json(raw)):
            return Found("ComfyUI", where)
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


def _novelai(img: Decoded) -> Found | None:
    if img.text.get("Software", "").strip().lower() == "novelai":
        return Found("NovelAI", "PNG text chunk 'Software'")
    comment = _json(img.text.get("Comment", ""))
    if isinstance(comment, dict) and comment.keys() >= NOVELAI_COMMENT_KEYS:
        return Found("NovelAI", "PNG text chunk 'Comment'")
    return _stealth(img)


def _stealth(img: Decoded) -> Found | None:
    """ "Stealth pnginfo" (NovelAI, and the A1111 extension of that name): the bits of the
    alpha channel's lowest bit plane, read down each column from the left, spell a magic, a
    32-bit length in bits and the parameters (gzip'd after `stealth_pngcomp`)."""
    if img.alpha is None or img.alpha.size < STEALTH_HEAD * 8:
        return None
    head = _lsb_bytes(img.alpha, 0, STEALTH_HEAD)
    compressed = STEALTH_MAGICS.get(head[:15])
    if compressed is None:
        return None
    length = int.from_bytes(head[15:], "big") // 8
    if not 0 < length <= min(STEALTH_MAX_BYTES, img.alpha.size // 8 - STEALTH_HEAD):
        return None
    payload = _lsb_bytes(img.alpha, STEALTH_HEAD, length)
    try:
        if compressed:
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            payload = inflate.decompress(payload, STEALTH_MAX_BYTES)
        body = payload.decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return None
    where = f"the alpha channel's low bits ('{head[:15].decode()}')"
    data = _json(body)
    if isinstance(data, dict) and (
        str(data.get("Software", "")).lower() == "novelai" or "Comment" in data
    ):
        return Found("NovelAI", where)
    if _A1111.search(body):
        return Found("Stable Diffusion WebUI (A1111)", where)
    return Found("A stealth-pnginfo generator", where)


def _lsb_bytes(alpha: np.ndarray, start: int, count: int) -> bytes:
    """`count` bytes from byte `start` of the column-major lowest bit plane of `alpha`."""
    height = alpha.shape[0]
    stop = (start + count) * 8
    columns = -(-stop // height)
    bits = (alpha[:, :columns].T.ravel()[start * 8 : stop] & 1).astype(np.uint8)
    return np.packbits(bits).tobytes()


def _midjourney(img: Decoded) -> Found | None:
    """Midjourney's description ends "--ar 4:3 --v 5.2 Job ID: <uuid>" (PNG Description,
    EXIF ImageDescription or XMP dc:description); its XMP repeats the id as DigImageGUID."""
    for where, value in (
        ("PNG text chunk 'Description'", img.text.get("Description", "")),
        ("EXIF ImageDescription", ifd0(img, DESCRIPTION)),
        ("XMP description", img.xmp),
    ):
        job = _JOB_ID.search(value)
        if not job:
            continue
        guid = _MJ_GUID.search(img.xmp)
        if _MJ_PARAMETER.search(value[: job.start()]) or (guid and guid[1] == job[1]):
            return Found("Midjourney", f"{where} (Job ID {job[1]})")
    return None


def _grok(img: Decoded) -> Found | None:
    """xAI's Grok JPEGs: Artist is the image's UUID and ImageDescription "Signature: " and a
    base64 signature of some hundred bytes. Neither alone is enough."""
    artist = ifd0(img, ARTIST).strip()
    signature = _GROK_SIGNATURE.fullmatch(ifd0(img, DESCRIPTION).strip())
    if not (signature and re.fullmatch(_UUID, artist, re.I)):
        return None
    try:
        if len(base64.b64decode(signature[1], validate=True)) < 64:
            return None
    except (binascii.Error, ValueError):
        return None
    return Found("xAI Grok", "EXIF Artist (UUID) and ImageDescription ('Signature:')", 0.9)


def _tool_fields(img: Decoded) -> Found | None:
    fields = [
        ("EXIF Make", ifd0(img, MAKE)),
        ("EXIF Model", ifd0(img, MODEL)),
        ("PNG text chunk 'Software'", img.text.get("Software", "")),
        *(("EXIF Software or XMP CreatorTool", tool) for tool in tools(img)),
    ]
    return named_in(fields)


def named_in(fields) -> Found | None:
    """A generator named in one of (where, value) fields where software names itself."""
    for where, value in fields:
        for name, rx in _COMPILED:
            if value and rx.search(value):
                return Found(name, where, MARKER_SCORE)
    return None


def _json(raw: str):
    if not raw or raw.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
