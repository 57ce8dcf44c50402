"""IPTC declarations of AI in XMP: ``Iptc4xmpExt:DigitalSourceType`` with a trained
(generative) source type (`source_types` says which are AI and why the others are not),
and the IPTC 2025.1 properties ``AISystemUsed``, ``AISystemVersionUsed`` and
``AIPromptInformation``, which name the AI system that made the picture."""

from __future__ import annotations

import html
import re

from .decoded import Decoded
from .source_types import COMPOSITE_TRAINED, TRAINED
from .types import Context, Result, Signal
from .wording import phrase, said

AI_SOURCE_TYPES = {TRAINED: 0.95, COMPOSITE_TRAINED: 0.9}
AI_SYSTEM_SCORE = 0.9  # the file names the AI system that made it, without a source type
AI_FIELDS = {
    "AISystemUsed": "ai_system",
    "AISystemVersionUsed": "ai_system_version",
    "AIPromptInformation": "ai_prompt",
}
MAX_FIELD = 500
_VALUE = re.compile(
    r"DigitalSourceType\s*(?:=\s*[\"']|>\s*(?:<rdf:[^>]*>\s*)*)"
    r"(?:https?://cv\.iptc\.org/newscodes/digitalsourcetype/)?([A-Za-z]+)",
)
_TAGS = re.compile(r"<[^>]+>")


def run(img: Decoded, context: Context) -> Result:
    xmp = img.xmp
    if "DigitalSourceType" not in xmp and ":AI" not in xmp:
        return Result([])
    values = set(_VALUE.findall(xmp))
    system = ai_fields(xmp)
    meta = {"iptc_digital_source_type": sorted(values)} | ({"iptc_ai": system} if system else {})
    ai = {v: AI_SOURCE_TYPES[v] for v in values if v in AI_SOURCE_TYPES}
    if not ai and not system.get("ai_system"):
        return Result([], metadata=meta)
    kind = max(ai, key=ai.get) if ai else None
    named = ""
    if system.get("ai_system"):
        version = system.get("ai_system_version")
        name = system["ai_system"] + (f" {version}" if version else "")
        named = phrase("iptc.system_name", name=name)
    if kind:
        words = said("iptc.source_type", kind=kind, system=named)
    else:
        words = said("iptc.ai_system", system=named)
    signal = Signal(
        "provenance.iptc_ai",
        ai[kind] if kind else AI_SYSTEM_SCORE,
        **words,
        data={"source_type": kind} | system,
    )
    return Result([signal], metadata=meta)


def ai_fields(xmp: str) -> dict:
    """The IPTC 2025.1 AI properties present, as element or attribute, as plain text."""
    found = {}
    for prop, key in AI_FIELDS.items():
        attribute = re.search(rf"[\w-]+:{prop}\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", xmp)
        element = re.search(rf"<([\w-]+):{prop}(?:\s[^>]*)?>(.*?)</\1:{prop}>", xmp, re.S)
        if attribute:
            raw = attribute.group(1) or attribute.group(2) or ""
        elif element:
            raw = element.group(2)
        else:
            continue
        value = " ".join(html.unescape(_TAGS.sub(" ", raw)).split())
        if value:
            found[key] = value[:MAX_FIELD]
    return found
