"""A real photo partly changed by a generative tool, as the phone or app that changed it records.

- **Samsung Galaxy AI** (Generative Edit, Sketch to Image, object erase...): the Gallery editor
  appends a Samsung SEF block after the JPEG's end or the PNG's IEND (in HEIC, a top-level
  `sefd` box) whose `PhotoEditor_Re_Edit_Data` or `PEg_Info` record is JSON with a non-zero
  `genAIType`. Samsung does not document the numbers; the Galaxy S25 edit in the corpus says 8.
- **Google Photos** (Magic Editor, Magic Eraser, Zoom Enhance): IPTC Credit "Edited with Google
  AI" beside DigitalSourceType compositeWithTrainedAlgorithmicMedia.
- **Apple Photos Clean Up**: Credit "Apple Photos Clean Up" beside the same source type
  ("Edited using Generative AI" in Apple's info panel). Published descriptions name the two
  values, not the carrier, so the Credit is read from XMP (`photoshop:Credit`) and from the
  IPTC-IIM record of a JPEG (2:110) alike.

The C2PA and XMP source-type declarations themselves are `provenance.c2pa_ai` and
`provenance.iptc_ai` (with source_type compositeWithTrainedAlgorithmicMedia); this module reads
the vendors' own records, which survive where those are stripped, and names the tool.
`aggregate.ai_involvement` tells a partial edit from a generated image using both.
"""

from __future__ import annotations

import json
import re

from .decoded import Decoded
from .intake import BoxError, bytes_reader, iter_boxes, samsung_sef
from .types import Context, Result, Signal
from .wording import phrase, said

SAMSUNG_SCORE = 0.9
CREDIT_SCORE = 0.85
CREDIT_AND_SOURCE_SCORE = 0.9
SAMSUNG_RECORDS = (b"PhotoEditor_Re_Edit_Data", b"PEg_Info")
CREDITS = {
    "edited with google ai": "Google Photos (Edited with Google AI)",
    "apple photos clean up": "Apple Photos Clean Up",
}
COMPOSITE = "compositeWithTrainedAlgorithmicMedia"
IPTC_RESOURCE = 0x0404  # Photoshop image resource holding the IPTC-IIM records
IIM_CREDIT = (2, 110)
_GEN_AI_TYPE = re.compile(rb'"genAIType"\s*:\s*"?(\d+)')
_XMP_CREDIT = re.compile(r"\bCredit\s*(?:=\s*\"([^\"]*)\"|>\s*([^<]*)<)")


def run(img: Decoded, context: Context) -> Result:
    found = _samsung(img) or _credit(img)
    return Result([found] if found else [])


def _samsung(img: Decoded) -> Signal | None:
    for record, body in _sef_records(img):
        kind = _gen_ai_type(body) if b"genAIType" in body else 0
        if not kind:
            continue
        name = record.decode()
        return Signal(
            "provenance.ai_edit",
            SAMSUNG_SCORE,
            **said("ai_edit.samsung", record=name, kind=kind),
            data={"tool": "Samsung Galaxy AI", "where": f"Samsung SEF {name}", "gen_ai_type": kind},
        )
    return None


def _sef_records(img: Decoded):
    """(name, data) of each record of the file's Samsung SEF block, if it has one."""
    data = img.data
    stop = len(data)
    if img.format == "HEIF":
        stop = _sefd_end(data)
    sef = samsung_sef(data, stop) if stop else None
    if sef is None:
        return
    for start, length in sef[1]:
        record = data[start : start + length]
        name_len = int.from_bytes(record[4:8], "little")
        name = record[8 : 8 + name_len]
        if name in SAMSUNG_RECORDS:
            yield name, record[8 + name_len :]


def _sefd_end(data: bytes) -> int:
    try:
        boxes = list(iter_boxes(bytes_reader(data), 0, len(data)))
    except BoxError:
        return 0
    return next((box.end for box in boxes if box.type == b"sefd"), 0)


def _gen_ai_type(body: bytes) -> int:
    """The record's genAIType: from its JSON, or, where the JSON carries trailing bytes, from
    the key itself."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        value = None
    if isinstance(value, dict):
        try:
            return max(0, int(value.get("genAIType") or 0))
        except (TypeError, ValueError):
            return 0
    m = _GEN_AI_TYPE.search(body)
    return int(m[1]) if m else 0


def _credit(img: Decoded) -> Signal | None:
    composite = COMPOSITE in img.xmp
    for where, credit in _credits(img):
        tool = next((t for phrase, t in CREDITS.items() if phrase in _norm(credit)), None)
        if tool is None:
            continue
        extra = phrase("ai_edit.composite", source_type=COMPOSITE) if composite else ""
        return Signal(
            "provenance.ai_edit",
            CREDIT_AND_SOURCE_SCORE if composite else CREDIT_SCORE,
            **said(
                "ai_edit.credit", tool=tool, where=where, credit=credit.strip(), composite=extra
            ),
            data={"tool": tool, "where": where, "source_type": COMPOSITE if composite else None},
        )
    return None


def _credits(img: Decoded):
    for a, b in _XMP_CREDIT.findall(img.xmp):
        yield "XMP Credit", a or b
    resources = img.info.get("photoshop")
    if isinstance(resources, dict) and isinstance(resources.get(IPTC_RESOURCE), bytes):
        for dataset, value in _iim(resources[IPTC_RESOURCE]):
            if dataset == IIM_CREDIT:
                yield "IPTC Credit", value.decode("utf-8", "replace")


def _iim(block: bytes):
    """IPTC-IIM datasets: 0x1C, record, dataset, a 2-byte length, the value."""
    pos = 0
    while pos + 5 <= len(block) and block[pos] == 0x1C:
        length = int.from_bytes(block[pos + 3 : pos + 5], "big")
        if length & 0x8000:  # an extended length: never used for a text field
            return
        yield (block[pos + 1], block[pos + 2]), block[pos + 5 : pos + 5 + length]
        pos += 5 + length


def _norm(value: str) -> str:
    return " ".join(value.lower().split())
