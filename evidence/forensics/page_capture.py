"""Whether a file's bytes are what the in-app camera page sends: checks on the bytes alone.

The page (``static/js/capture.js``) draws one video frame on a canvas whose long side is at
most the side the server gave it, tells the server the canvas size, and encodes the canvas
with ``toBlob("image/jpeg")``. Browsers' canvas encoders write a baseline JPEG with a JFIF
header, at most an ICC profile and a minimal EXIF block without camera fields (Safari), and
nothing after the end marker. A file with a camera's EXIF (make, model, dates, exposure, GPS,
maker notes, a thumbnail), XMP, IPTC or Photoshop blocks, a comment, an MPF index, a
progressive scan, bytes after the end, or another size than the canvas did not come out of
that encoder as it is.

This does not prove a fresh photo: anything that can produce such a JPEG (a modified page, a
script, a canvas fed with an old picture) passes. The capture service says what else it checks.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from PIL import ExifTags, Image

from .exiftext import parse_date
from .intake import jpeg_end

NOT_PAGE_JPEG = "not_page_jpeg"
FOREIGN_DATA = "foreign_data"
CAMERA_DATA = "camera_data"
DATED_BEFORE_PAGE = "dated_before_page"
SIZE_MISMATCH = "size_mismatch"

# Baseline and extended sequential DCT: what canvas encoders write.
SEQUENTIAL_SOF = {0xC0, 0xC1}
SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# EXIF tags a canvas encoder may write (layout, resolution, colour space, pixel size).
NEUTRAL_TAGS = {
    0x0112,  # Orientation (only "upright" is neutral, see below)
    0x011A,
    0x011B,
    0x0128,
    0x0213,
    0x8769,  # the Exif IFD pointer
    0x9000,
    0x9101,
    0xA000,
    0xA001,
    0xA002,
    0xA003,
}
DATE_TAGS = (0x9003, 0x9004, 0x0132)  # DateTimeOriginal, DateTimeDigitized, DateTime
OFFSET_TAGS = {0x9003: 0x9011, 0x9004: 0x9012, 0x0132: 0x9010}
# An EXIF time without a zone is local time somewhere between UTC-12 and UTC+14: it is
# certainly before an instant only if it is even when read at UTC-12.
LATEST_ZONE = dt.timezone(dt.timedelta(hours=-12))


@dataclass(frozen=True)
class Problem:
    code: str
    detail: str = ""


def page_capture_problems(
    data: bytes, *, drawn: tuple[int, int] | None, max_side: int, opened_at: dt.datetime
) -> list[Problem]:
    """What makes `data` (already accepted by intake) differ from the camera page's JPEG.

    `drawn` is the canvas size the page reported, `max_side` the bound the page was given,
    `opened_at` the aware instant the page's token was issued. Empty: consistent.
    """
    if not data.startswith(b"\xff\xd8\xff"):
        return [Problem(NOT_PAGE_JPEG, "not a JPEG")]
    problems = []
    sof, foreign = _segments(data)
    if sof not in SEQUENTIAL_SOF:
        problems.append(Problem(NOT_PAGE_JPEG, f"SOF marker 0x{sof:02X}, not a baseline scan"))
    end = jpeg_end(data, 0)
    if end < len(data):
        foreign.append(f"{len(data) - end} bytes after the end of the image")
    if foreign:
        problems.append(Problem(FOREIGN_DATA, "; ".join(foreign)))
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as im:
        size = im.size
        try:
            problems += _exif_problems(im.getexif(), opened_at)
        except Exception:  # a damaged EXIF block is not what a canvas writes
            problems.append(Problem(CAMERA_DATA, "an unreadable EXIF block"))
    if drawn is None or tuple(drawn) != size or max(size) > max_side:
        reported = "no size" if drawn is None else f"{drawn[0]}x{drawn[1]}"
        problems.append(
            Problem(
                SIZE_MISMATCH,
                f"{size[0]}x{size[1]} pixels; the page reported {reported}, "
                f"long side at most {max_side}",
            )
        )
    return problems


def _segments(data: bytes) -> tuple[int, list[str]]:
    """The frame's SOF marker and the header segments a canvas encoder does not write."""
    foreign, sof, pos = [], 0, 2
    while pos + 4 <= len(data):
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD9, 0xDA):
            break
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        payload = data[pos + 4 : pos + 2 + length]
        if marker in SOF_MARKERS:
            sof = marker
        elif not _neutral_segment(marker, payload):
            foreign.append(_segment_name(marker, payload))
        pos += 2 + length
    return sof, foreign


def _neutral_segment(marker: int, payload: bytes) -> bool:
    if marker in (0xC4, 0xDB, 0xDD):  # Huffman and quantisation tables, restart interval
        return True
    if marker == 0xE0:
        return payload.startswith(b"JFIF\x00")
    if marker == 0xE1:
        return payload.startswith(b"Exif\x00\x00")  # its tags are checked one by one
    if marker == 0xE2:
        return payload.startswith(b"ICC_PROFILE\x00")
    return marker == 0xEE and payload.startswith(b"Adobe")


def _segment_name(marker: int, payload: bytes) -> str:
    if marker == 0xFE:
        return "a comment"
    label = payload[:24].split(b"\x00", 1)[0].decode("latin-1", "replace")
    label = "".join(c for c in label if c.isprintable())[:24]
    return f"APP{marker - 0xE0} {label}".strip() if 0xE0 <= marker <= 0xEF else f"0x{marker:02X}"


def _exif_problems(exif: Image.Exif, opened_at: dt.datetime) -> list[Problem]:
    if not exif:
        return []
    tags = dict(exif)
    sub = dict(exif.get_ifd(ExifTags.IFD.Exif))
    camera = sorted(
        {_tag_name(t) for t in {**tags, **sub} if t not in NEUTRAL_TAGS}
        | ({"Orientation"} if tags.get(0x0112, 1) != 1 else set())
        | ({"GPS"} if exif.get_ifd(ExifTags.IFD.GPSInfo) else set())
        | ({"thumbnail"} if exif.get_ifd(ExifTags.IFD.IFD1) else set())
    )
    problems = [Problem(CAMERA_DATA, ", ".join(camera))] if camera else []
    for tag in DATE_TAGS:
        value = sub.get(tag) if tag != 0x0132 else tags.get(tag)
        taken = parse_date(str(value or ""), str(sub.get(OFFSET_TAGS[tag]) or ""))
        if taken is None:
            continue
        latest = taken if taken.tzinfo else taken.replace(tzinfo=LATEST_ZONE)
        if latest < opened_at:
            opened = opened_at.isoformat(sep=" ", timespec="minutes")
            detail = f"{_tag_name(tag)} {taken.isoformat(sep=' ')}; the page was opened {opened}"
            problems.append(Problem(DATED_BEFORE_PAGE, detail))
            break
    return problems


def _tag_name(tag: int) -> str:
    return ExifTags.TAGS.get(tag, f"tag 0x{tag:04X}")
