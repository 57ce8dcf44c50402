"""Editing software and edit-after-capture times; missing camera data (a weak hint).

An ordinary phone photo (Software "iOS 17.4", "HDR+", a camera app) never fires here.
"""

from __future__ import annotations

import re

from .decoded import Decoded
from .exiftext import (
    EXPOSURE_TIME,
    F_NUMBER,
    ISO,
    MAKE,
    MODEL,
    SOFTWARE,
    captured_at,
    exif_field,
    ifd0,
    modified_at,
    tools,
)
from .types import Context, Result, Signal
from .wording import phrase, said

EDITORS = [
    ("Adobe Photoshop", r"photoshop"),
    ("Adobe Lightroom", r"lightroom"),
    ("GIMP", r"\bgimp\b"),
    ("Snapseed", r"snapseed"),
    ("Meitu", r"meitu|美图|xiuxiu|秀秀"),
    ("BeautyCam", r"beautycam|美颜相机"),
    ("Xingtu", r"xingtu|醒图"),
    ("PicsArt", r"picsart"),
    ("Pixlr", r"pixlr"),
    ("Canva", r"\bcanva\b"),
    ("Facetune", r"facetune"),
    ("Fotor", r"\bfotor\b"),
    ("Polarr", r"polarr"),
    ("Affinity Photo", r"affinity photo"),
    ("Paint.NET", r"paint\.net"),
    ("Pixelmator", r"pixelmator"),
    ("Remini", r"\bremini\b"),
    ("Wink", r"\bwink\b"),
    # Video editors, named in a clip's encoder, software or handler tags.
    ("CapCut / 剪映", r"capcut|剪映|jianying"),
    ("InShot", r"\binshot\b"),
    ("Adobe Premiere", r"premiere"),
    ("Adobe After Effects", r"after effects"),
    ("Final Cut Pro", r"final cut"),
    ("iMovie", r"\bimovie\b"),
    ("DaVinci Resolve", r"davinci resolve"),
    ("KineMaster", r"kinemaster"),
    ("VivaCut / VivaVideo", r"vivacut|vivavideo|小影"),
    ("Filmora", r"filmora"),
    ("PowerDirector", r"powerdirector"),
    ("Kuaiying", r"快影|kwaicut|kuaiying"),
    ("Bijian", r"必剪"),
    ("Videoleap", r"videoleap"),
    ("VN Video Editor", r"\bvn video\b"),
    ("VLLO", r"\bvllo\b"),
    ("Movavi", r"movavi"),
    ("Clipchamp", r"clipchamp"),
    ("Vegas Pro", r"vegas pro"),
]
_EDITORS = [(name, re.compile(rx, re.I)) for name, rx in EDITORS]
EDITOR_SCORE = 0.6
MODIFIED_SCORE = 0.4
BOTH_SCORE = 0.75
MODIFY_GRACE_SECONDS = 120
NO_CAMERA_SCORE = 0.15


def run(img: Decoded, context: Context) -> Result:
    signals = []
    editing = _editing(img)
    if editing:
        signals.append(editing)
    if not _has_camera_data(img):
        signals.append(
            Signal(
                "metadata.no_camera_data",
                NO_CAMERA_SCORE,
                **said("metadata.no_camera"),
            )
        )
    meta = {
        "exif": {
            "make": ifd0(img, MAKE) or None,
            "model": ifd0(img, MODEL) or None,
            "software": ifd0(img, SOFTWARE) or None,
            "captured_at": _iso(captured_at(img)),
            "modified_at": _iso(modified_at(img)),
            "has_gps": bool(img.gps_ifd),
        }
    }
    return Result(signals, metadata=meta)


def _iso(value):
    return value.isoformat() if value else None


def editor_in(values) -> str | None:
    """The first editing application named in `values` (tool or software names)."""
    return next((name for value in values for name, rx in _EDITORS if rx.search(value)), None)


def _editing(img: Decoded) -> Signal | None:
    editor = editor_in(tools(img))
    taken, modified = captured_at(img), modified_at(img)
    late = None
    if taken and modified:
        a, b = taken.replace(tzinfo=None), modified.replace(tzinfo=None)
        if (b - a).total_seconds() > MODIFY_GRACE_SECONDS:
            late = b - a
    if not editor and not late:
        return None
    parts = []
    if editor:
        parts.append(phrase("metadata.saved_by", editor=editor))
    if late:
        after = _human(late)
        parts.append(phrase("metadata.modified", after=after, modified=modified, taken=taken))
    score = BOTH_SCORE if editor and late else EDITOR_SCORE if editor else MODIFIED_SCORE
    return Signal(
        "metadata.editing_software",
        score,
        **said("metadata.editing", parts=parts),
        data={"editor": editor, "modified_after_capture_s": late.total_seconds() if late else None},
    )


def _human(delta) -> dict:
    s = int(delta.total_seconds())
    if s >= 86400:
        return phrase("metadata.days", n=s // 86400)
    if s >= 3600:
        return phrase("metadata.hours", n=s // 3600)
    return phrase("metadata.minutes", n=s // 60)


def _has_camera_data(img: Decoded) -> bool:
    if ifd0(img, MAKE) or ifd0(img, MODEL):
        return True
    return any(exif_field(img, t) for t in (EXPOSURE_TIME, F_NUMBER, ISO))
