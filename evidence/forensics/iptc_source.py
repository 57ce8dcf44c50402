"""XMP `Iptc4xmpExt:DigitalSourceType` declaring AI or algorithmic media (IPTC NewsCodes)."""

from __future__ import annotations

import re

from .decoded import Decoded
from .types import Context, Result, Signal

AI_SOURCE_TYPES = {
    "trainedAlgorithmicMedia": 0.95,
    "compositeWithTrainedAlgorithmicMedia": 0.9,
    "algorithmicMedia": 0.8,
    "compositeSynthetic": 0.75,
    "dataDrivenMedia": 0.7,
}
_VALUE = re.compile(
    r"DigitalSourceType\s*(?:=\s*[\"']|>\s*(?:<rdf:[^>]*>\s*)*)"
    r"(?:https?://cv\.iptc\.org/newscodes/digitalsourcetype/)?([A-Za-z]+)",
)


def run(img: Decoded, context: Context) -> Result:
    xmp = img.xmp
    if "DigitalSourceType" not in xmp:
        return Result([])
    values = set(_VALUE.findall(xmp))
    ai = {v: AI_SOURCE_TYPES[v] for v in values if v in AI_SOURCE_TYPES}
    if not ai:
        return Result([], metadata={"iptc_digital_source_type": sorted(values)})
    kind = max(ai, key=ai.get)
    return Result(
        [
            Signal(
                "provenance.iptc_ai",
                ai[kind],
                detail=f"XMP Iptc4xmpExt:DigitalSourceType is {kind} (AI-generated media).",
                data={"source_type": kind},
            )
        ],
        metadata={"iptc_digital_source_type": sorted(values)},
    )
