"""Small readers for EXIF values: text fields, dates, and every string a tool may leave."""

from __future__ import annotations

import datetime as dt
import io
import re

from PIL import Image, UnidentifiedImageError

from .decoded import Decoded

MAKE, MODEL, SOFTWARE, DATETIME = 0x010F, 0x0110, 0x0131, 0x0132
DESCRIPTION, ARTIST, XP_COMMENT = 0x010E, 0x013B, 0x9C9C
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
EXIF_IFD = 0x8769
EXPOSURE_TIME, F_NUMBER, ISO, USER_COMMENT, LENS_MODEL = 0x829A, 0x829D, 0x8827, 0x9286, 0xA434

_EXIF_DATE = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_XMP_TOOLS = re.compile(r"(?:CreatorTool|softwareAgent)\s*(?:=\s*\"([^\"]*)\"|>([^<]*)<)", re.I)


def text(value) -> str:
    """An EXIF value as text; UserComment's 8-byte charset prefix and UTF-16 XP tags handled."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\0\0\0", b"UNICODE\0", b"JIS\0\0\0\0\0", b"\0" * 8):
            body = value[8:]
            if value.startswith(b"UNICODE"):
                return utf16(body).strip("\0 ")
            return body.decode("utf-8", "replace").strip("\0 ")
        try:
            return value.decode("utf-8").strip("\0 ")
        except UnicodeDecodeError:
            return value.decode("utf-16-le", "replace").strip("\0 ")
    if isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
        return bytes(value).decode("utf-16-le", "replace").strip("\0 ")
    return _mojibake(str(value)).strip("\0 ")


def utf16(body: bytes) -> str:
    """UTF-16 text of unknown byte order, as UserComment "UNICODE" holds it: A1111 (piexif)
    writes big-endian whatever the file's byte order, exiftool the file's order, some writers a
    BOM. Without a BOM the zero high bytes of Latin text show the order (first in big-endian,
    second in little-endian); text without any is read in the order that gives more
    characters of the common blocks (Latin, CJK ideographs and punctuation, kana)."""
    body = body[: len(body) // 2 * 2]
    if body[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return body[2:].decode("utf-16-be" if body[:2] == b"\xfe\xff" else "utf-16-le", "replace")
    high_first = body[0::2].count(0)
    high_second = body[1::2].count(0)
    if high_first != high_second:
        return body.decode("utf-16-be" if high_first > high_second else "utf-16-le", "replace")
    le, be = body.decode("utf-16-le", "replace"), body.decode("utf-16-be", "replace")
    return be if _common(be) > _common(le) else le


def _common(s: str) -> int:
    return sum(
        c < "\u0250"
        or "\u2000" <= c <= "\u206f"
        or "\u3000" <= c <= "\u30ff"
        or "\u4e00" <= c <= "\u9fff"
        or "\uff00" <= c <= "\uffef"
        for c in s
    )


def _mojibake(s: str) -> str:
    """EXIF ASCII fields often carry UTF-8 (Chinese app names); Pillow reads them as Latin-1."""
    if any(128 <= ord(c) < 256 for c in s):
        try:
            return s.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return s
    return s


def ifd0(img: Decoded, tag: int) -> str:
    return text(img.exif.get(tag)) if img.exif else ""


def exif_field(img: Decoded, tag: int) -> str:
    return text(img.exif_ifd.get(tag))


def parse_date(value: str, offset: str = "") -> dt.datetime | None:
    m = _EXIF_DATE.search(value or "")
    if not m or m.group(1) == "0000":
        return None
    try:
        when = dt.datetime(*(int(g) for g in m.groups()))
    except ValueError:
        return None
    o = _OFFSET.fullmatch((offset or "").strip())
    if o:
        sign = -1 if o.group(1) == "-" else 1
        delta = dt.timedelta(hours=int(o.group(2)), minutes=int(o.group(3)))
        when = when.replace(tzinfo=dt.timezone(sign * delta))
    return when


def captured_at(img: Decoded) -> dt.datetime | None:
    return parse_date(exif_field(img, DATETIME_ORIGINAL), exif_field(img, OFFSET_TIME_ORIGINAL))


def file_captured_at(data: bytes) -> dt.datetime | None:
    """``captured_at`` of an image file without decoding its pixels (at upload time)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif_ifd = image.getexif().get_ifd(EXIF_IFD)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    return parse_date(
        text(exif_ifd.get(DATETIME_ORIGINAL)), text(exif_ifd.get(OFFSET_TIME_ORIGINAL))
    )


def modified_at(img: Decoded) -> dt.datetime | None:
    return parse_date(ifd0(img, DATETIME))


def tools(img: Decoded) -> list[str]:
    """The programs that say they wrote the file: EXIF Software, XMP CreatorTool and the
    softwareAgent of each XMP history step."""
    found = [ifd0(img, SOFTWARE)]
    if img.xmp:
        found += [a or b for a, b in _XMP_TOOLS.findall(img.xmp)]
    return [t for t in found if t]
