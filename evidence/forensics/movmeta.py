"""The metadata an MP4 or MOV carries in its boxes, read directly: no library exposes all
of it (FFmpeg drops unknown `uuid` boxes and keeps only some keys).

What is read, from the `moov` box and the top level:

- the movie header's creation time (`mvhd`, seconds since 1904 in UTC; 0 means unset);
- QuickTime user data (`udta` ©-items: ©mak, ©mod, ©swr, ©too, ©xyz ...);
- `meta` boxes: Apple's `mdta` keys with their `ilst` values (com.apple.quicktime.make,
  .model, .software, .creationdate, .location.ISO6709, and the GB 45438 key ``AIGC``), and
  iTunes-style `ilst` items named by their own four-character code;
- each track's handler name (`hdlr`) and the visual sample entry's compressor name
  (`stsd`), where encoders and editors name themselves;
- which tracks are timed metadata (handler `meta`), and the top-level `uuid` boxes (C2PA's
  manifest store is one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .intake import Box

C2PA_UUID = bytes.fromhex("D8FEC3D61B0E483C92975828877EC481")
EPOCH_1904 = dt.datetime(1904, 1, 1, tzinfo=dt.UTC)
# Creation times before this are a zeroed or reset clock, not a recording date.
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts"}
META_CHILDREN = {b"hdlr", b"keys", b"ilst", b"xml ", b"iinf", b"pitm"}
VISUAL_ENTRY_NAME = 8 + 6 + 2 + 16 + 4 + 8 + 4 + 2  # offset of compressorname in an entry


@dataclass
class MovieMeta:
    created: dt.datetime | None = None
    tags: dict[str, list[str]] = field(default_factory=dict)  # key or ©-code -> texts
    handlers: list[str] = field(default_factory=list)
    compressors: list[str] = field(default_factory=list)
    metadata_tracks: int = 0
    uuids: list[bytes] = field(default_factory=list)

    @property
    def has_c2pa(self) -> bool:
        return C2PA_UUID in self.uuids

    def tag(self, *names: str) -> str:
        """The first value of the first of `names` present."""
        return next((self.tags[n][0] for n in names if self.tags.get(n)), "")

    def add(self, name: str, value: str) -> None:
        if value:
            self.tags.setdefault(name, []).append(value)


def read(data: bytes) -> MovieMeta:
    """Everything above that the file holds; a box that does not parse ends the walk there."""
    meta = MovieMeta()
    for top in _boxes(data, 0, len(data)):
        if top.type == b"uuid":
            meta.uuids.append(data[top.payload : top.payload + 16])
        elif top.type == b"moov":
            _walk(data, top, meta)
        elif top.type == b"meta":
            _meta(data, top, meta)
    return meta


def _boxes(data: bytes, start: int, end: int, *, any_type: bool = False):
    """The boxes in [start, end) up to the first that does not parse. `any_type` admits
    binary types: an `ilst` names Apple's items by their 32-bit key index."""
    pos = start
    while pos + 8 <= end:
        size = int.from_bytes(data[pos : pos + 4], "big")
        header = 8
        if size == 1:
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = end - pos
        btype = data[pos + 4 : pos + 8]
        if size < header or pos + size > end:
            return
        if not any_type and not all(0x20 <= c <= 0x7E or c == 0xA9 for c in btype):
            return
        yield Box(btype, pos, header, size)
        pos += size


def _walk(data: bytes, parent: Box, meta: MovieMeta) -> None:
    for box in _boxes(data, parent.payload, parent.end):
        if box.type == b"mvhd":
            meta.created = _mvhd_time(data, box)
        elif box.type == b"hdlr":
            _handler(data, box, meta)
        elif box.type == b"stsd":
            _sample_entries(data, box, meta)
        elif box.type == b"meta":
            _meta(data, box, meta)
        elif parent.type == b"udta" and box.type[:1] == b"\xa9":
            meta.add(_code(box.type), _udta_text(data, box))
        elif box.type in CONTAINERS:
            _walk(data, box, meta)


def _mvhd_time(data: bytes, box: Box) -> dt.datetime | None:
    version = data[box.payload]
    width = 8 if version == 1 else 4
    raw = data[box.payload + 4 : box.payload + 4 + width]
    if len(raw) < width:
        return None
    when = EPOCH_1904 + dt.timedelta(seconds=int.from_bytes(raw, "big"))
    return when if when >= EARLIEST else None


def _handler(data: bytes, box: Box, meta: MovieMeta) -> None:
    kind = data[box.payload + 8 : box.payload + 12]
    name = data[box.payload + 24 : box.end]
    if name[:1] and name[0] == len(name) - 1:  # QuickTime writes a Pascal string
        name = name[1:]
    text = _text(name.split(b"\x00", 1)[0])
    if kind == b"meta":
        meta.metadata_tracks += 1
    if text:
        meta.handlers.append(text)


def _sample_entries(data: bytes, box: Box, meta: MovieMeta) -> None:
    for entry in _boxes(data, box.payload + 8, box.end):
        at = entry.offset + VISUAL_ENTRY_NAME
        if entry.type in (b"avc1", b"avc3", b"hvc1", b"hev1") and at + 32 <= entry.end:
            length = min(data[at], 31)
            if name := _text(data[at + 1 : at + 1 + length]):
                meta.compressors.append(name)


def _meta(data: bytes, box: Box, meta: MovieMeta) -> None:
    """A `meta` box: ISO's is a full box (4 bytes of version and flags), QuickTime's not."""
    start = box.payload
    if data[start + 8 : start + 12] in META_CHILDREN:
        start += 4
    keys: list[str] = []
    for child in _boxes(data, start, box.end):
        if child.type == b"keys":
            keys = _keys(data, child)
        elif child.type == b"ilst":
            for item in _boxes(data, child.payload, child.end, any_type=True):
                index = int.from_bytes(item.type, "big")
                name = keys[index - 1] if 0 < index <= len(keys) else _code(item.type)
                meta.add(name, _item_value(data, item))


def _keys(data: bytes, box: Box) -> list[str]:
    out = []
    for entry in _boxes(data, box.payload + 8, box.end, any_type=True):
        out.append(_text(data[entry.payload : entry.end]))
    return out


def _item_value(data: bytes, item: Box) -> str:
    for child in _boxes(data, item.payload, item.end):
        if child.type == b"data":
            return _text(data[child.payload + 8 : child.end])
    return ""


def _udta_text(data: bytes, box: Box) -> str:
    """A QuickTime ©-item: a 16-bit length and language, then the text; or an iTunes-style
    item holding a `data` box."""
    payload = data[box.payload : box.end]
    if payload[4:8] == b"data":
        return _item_value(data, box)
    length = int.from_bytes(payload[:2], "big")
    return _text(payload[4 : 4 + length])


def _code(btype: bytes) -> str:
    return btype.decode("latin-1").replace("\xa9", "©")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").strip("\x00").strip()
