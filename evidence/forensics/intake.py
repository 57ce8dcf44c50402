"""Upload validation for evidence files, by content rather than name or claimed type.

Pure Python (Pillow, pillow_heif, PyAV, stdlib) so the web layer, the worker and the
command line all refuse the same files for the same reasons.

Videos (MP4, and MOV as phones write it; H.264 or HEVC) are checked box by box first (no
`moov` means the recording was cut off, bytes after the movie are a polyglot), then opened
with PyAV (`videoio.probe`): a video stream within the duration and frame-size caps, every
packet demuxed and the first frame decoded.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pillow_heif
from PIL import Image, UnidentifiedImageError

from .payloads import MARKUP, payload_at, payload_within, zip_end_record
from .videoio import VideoProblem, probe

pillow_heif.register_heif_opener()

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_VIDEO_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_VIDEO_SECONDS = 10 * 60
DEFAULT_MAX_VIDEO_SIDE = 4096  # DCI 4K; a phone's UHD is 3840 x 2160
DEFAULT_MAX_VIDEO_PIXELS = 4096 * 2160

# Animations are decoded frame by frame; these bound the total work.
MAX_FRAMES = 500
FRAME_PIXEL_BUDGET_FACTOR = 5  # all frames together may hold this many times max_pixels

# The movie header is read into memory to be parsed; a real one is a few MB at most.
MAX_MOOV_BYTES = 32 * 1024 * 1024

CHUNK = 1024 * 1024

MESSAGES = {
    "empty": "The file is empty. Choose a photo or video and try again.",
    "too_large": "This file is too large. The limit is %(limit)s.",
    "unsupported_type": (
        "This file is not a supported photo or video. "
        "Upload a JPEG, PNG, WebP, HEIC or GIF photo, or an MP4 or MOV video."
    ),
    "too_many_pixels": (
        "This image is too large to process safely (more than %(limit)s, "
        "or too many animation frames). Upload a smaller photo."
    ),
    "truncated": (
        "This file is incomplete; the upload may have been cut off. Please upload it again."
    ),
    "corrupt": "This file is damaged and cannot be opened as a photo or video.",
    "audio_only": "This file has sound but no picture. Upload a video or a photo.",
    "unsupported_codec": (
        "This video is encoded in a format we cannot check. "
        "Upload it as recorded by a phone or camera (H.264 or HEVC)."
    ),
    "too_long": "This video is too long. The limit is %(limit)s.",
    "video_too_large": (
        "This video's picture is too large (more than %(limit)s). Upload it at 4K or less."
    ),
    "polyglot": (
        "This file contains hidden extra data besides the photo or video and was refused. "
        "Upload the original file from your camera or phone."
    ),
}


@dataclass(frozen=True)
class Inspected:
    kind: str
    format: str
    mime: str
    width: int | None
    height: int | None
    size: int
    sha256: str
    duration: float | None = None  # seconds, for a video


class RejectedFile(ValueError):
    """A refused upload: `code` is stable for programs, `message` is for the user."""

    def __init__(self, code: str, message: str, params: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params or {}


def _reject(code: str, **params) -> RejectedFile:
    template = MESSAGES[code]
    return RejectedFile(code, template % params if params else template, params)


MIME = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIC": "image/heic",
    "GIF": "image/gif",
    "MP4": "video/mp4",
    "MOV": "video/quicktime",
}
VIDEO_FORMATS = {"MP4", "MOV"}
PIL_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIC": "HEIF", "GIF": "GIF"}

HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
HEIF_GENERIC_BRANDS = {b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"3gp4",
    b"3gp5",
    b"3gp6",
}
MOV_BRAND = b"qt  "
# Containers that share MP4's box syntax but are not photo or video evidence.
NOT_VIDEO_MAJOR_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"crx "} | AVIF_BRANDS

# Where content sniffers look for markup (browsers read up to 1445 bytes, old ones 256).
HEAD_SCAN_BYTES = 1024
# PNG chunks whose data is text or a C2PA manifest (caBX): XMP, prompts, the SVG icon that
# OpenAI's manifests embed.
PNG_TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"caBX"}
# Memory cards are written in 512-byte sectors.
SECTOR = 512
# Padding some encoders leave after the end marker; 0xFF only while it does not start a JPEG.
PADDING = re.compile(rb"(?:\x00|\xff(?!\xd8\xff))+")
# In JPEG entropy-coded data a 0xFF is either stuffing (FF00), a restart marker, fill, or the
# next real marker; this finds the latter.
JPEG_NEXT_MARKER = re.compile(rb"\xff(?![\x00\xd0-\xd7\xff])", re.DOTALL)


@dataclass(frozen=True)
class VideoLimits:
    seconds: float = DEFAULT_MAX_VIDEO_SECONDS
    side: int = DEFAULT_MAX_VIDEO_SIDE
    pixels: int = DEFAULT_MAX_VIDEO_PIXELS


def inspect_file(
    fileobj,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_video_bytes: int = DEFAULT_MAX_VIDEO_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_video_seconds: float = DEFAULT_MAX_VIDEO_SECONDS,
    max_video_side: int = DEFAULT_MAX_VIDEO_SIDE,
    max_video_pixels: int = DEFAULT_MAX_VIDEO_PIXELS,
) -> Inspected:
    """Validate an uploaded file and describe it, or raise RejectedFile.

    The whole file is inspected from its first byte; the caller's position is restored.
    """
    position = fileobj.tell()
    video = VideoLimits(max_video_seconds, max_video_side, max_video_pixels)
    try:
        return _inspect(fileobj, max_bytes, max_video_bytes, max_pixels, video)
    finally:
        fileobj.seek(position)


def _inspect(
    fileobj, max_bytes: int, max_video_bytes: int, max_pixels: int, video: VideoLimits
) -> Inspected:
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    if size == 0:
        raise _reject("empty")
    fileobj.seek(0)
    head = fileobj.read(64)
    fmt = sniff(head)
    if fmt is None:
        raise _reject("unsupported_type")
    kind = "video" if fmt in VIDEO_FORMATS else "image"
    cap = max_video_bytes if kind == "video" else max_bytes
    if size > cap:
        raise _reject("too_large", limit=human_size(cap))

    digest = hashlib.sha256()
    chunks: list[bytes] = []
    fileobj.seek(0)
    read = 0
    while chunk := fileobj.read(CHUNK):
        digest.update(chunk)
        read += len(chunk)
        if kind == "image":
            chunks.append(chunk)
        if read > cap:
            raise _reject("too_large", limit=human_size(cap))
    size = read

    if kind == "image":
        data = b"".join(chunks)
        del chunks
        width, height = _check_image(data, fmt, max_pixels)
        duration = None
    else:
        _check_mp4(fileobj, size)
        width, height, duration = _probe_video(fileobj, video)
    return Inspected(kind, fmt, MIME[fmt], width, height, size, digest.hexdigest(), duration)


def sniff(head: bytes) -> str | None:
    """Name the format from the leading magic bytes, or None if it is not one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and len(head) >= 16:
        box_size = int.from_bytes(head[:4], "big")
        major = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
        brands = {major} | compatible
        if brands & HEIC_BRANDS:
            return "HEIC"
        if major in HEIF_GENERIC_BRANDS and not brands & AVIF_BRANDS:
            return "HEIC"
        if major == MOV_BRAND:
            return "MOV"
        if major in NOT_VIDEO_MAJOR_BRANDS:
            return None
        if brands & MP4_BRANDS:
            return "MP4"
    return None


def human_size(n: int) -> str:
    """Format a byte count the way a user reads it (binary units, as the caps are set)."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


# ---------------------------------------------------------------- images


def _check_image(data: bytes, fmt: str, max_pixels: int) -> tuple[int, int]:
    _check_head(data, fmt)
    frames = 1
    if fmt == "JPEG":
        end = jpeg_end(data, 0)
    elif fmt == "PNG":
        end = _png_end(data)
    elif fmt == "GIF":
        end, frames = _gif_end(data)
    elif fmt == "WEBP":
        end = _webp_end(data)
    else:
        end = _heif_end(data)
    _check_trailer(data, end, fmt)
    if zip_end_record(data):
        # ZIP readers find an archive by its end record, wherever the archive starts.
        raise _reject("polyglot")
    return _decode(data, fmt, max_pixels, frames)


def _check_head(data: bytes, fmt: str) -> None:
    """Refuse markup in the first kilobyte, where content sniffers decide what a file is.

    Markup inside a PNG text or C2PA chunk of a well-formed PNG (its CRC checks) is data, not
    a document: OpenAI's manifests embed an SVG icon within the first kilobyte. What an
    attacker can still do is put script in such a chunk. It runs only in a program that
    renders the file as HTML: sniffers see PNG's signature first, we serve originals as images
    with nosniff and a sandbox CSP, and the counterparty copy is re-encoded without chunks.
    The same markup was always accepted in chunks beyond the first kilobyte.
    """
    for found in MARKUP.finditer(data, 0, HEAD_SCAN_BYTES):
        if fmt != "PNG" or not _in_png_text_chunk(data, found.start(), found.end()):
            raise _reject("polyglot")


def _in_png_text_chunk(data: bytes, start: int, end: int) -> bool:
    """Whether [start, end) lies in the data of a text or C2PA chunk whose CRC checks."""
    pos = 8
    while pos + 8 <= start:
        length = int.from_bytes(data[pos : pos + 4], "big")
        body = pos + 8
        crc_at = body + length
        if body <= start and end <= crc_at:
            crc = data[crc_at : crc_at + 4]
            return (
                data[pos + 4 : body] in PNG_TEXT_CHUNKS
                and len(crc) == 4
                and zlib.crc32(data[pos + 4 : crc_at]) == int.from_bytes(crc, "big")
            )
        pos = crc_at + 4
    return False


def _decode(data: bytes, fmt: str, max_pixels: int, gif_frames: int) -> tuple[int, int]:
    """Open the header, refuse oversized images, then decode every pixel."""
    limit = {"limit": f"{max_pixels / 1_000_000:g} megapixels"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PIL_FORMAT[fmt]]) as im:
                width, height = im.size
                if width <= 0 or height <= 0:
                    raise _reject("corrupt")
                if width * height > max_pixels:
                    raise _reject("too_many_pixels", **limit)
                frames = gif_frames if fmt == "GIF" else getattr(im, "n_frames", 1)
                animated = fmt in ("GIF", "PNG", "WEBP") and frames > 1
                if animated and (
                    frames > MAX_FRAMES
                    or frames * width * height > FRAME_PIXEL_BUDGET_FACTOR * max_pixels
                ):
                    raise _reject("too_many_pixels", **limit)
                im.load()
                if animated:
                    for index in range(1, frames):
                        im.seek(index)
                        im.load()
                return width, height
    except RejectedFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _reject("too_many_pixels", **limit) from exc
    except UnidentifiedImageError as exc:
        raise _reject("corrupt") from exc
    except MemoryError as exc:
        raise _reject("too_many_pixels", **limit) from exc
    except Exception as exc:
        # Decoders signal damage with OSError, SyntaxError, ValueError, zlib.error, EOFError...
        if "truncat" in str(exc).lower() or isinstance(exc, EOFError):
            raise _reject("truncated") from exc
        raise _reject("corrupt") from exc


def jpeg_end(data: bytes, start: int) -> int:
    """Offset just past the EOI marker of the JPEG that begins at `start`."""
    n = len(data)
    if data[start : start + 2] != b"\xff\xd8":
        raise _reject("corrupt")
    pos = start + 2
    while True:
        if pos >= n:
            raise _reject("truncated")
        if data[pos] != 0xFF:
            raise _reject("corrupt")
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            raise _reject("truncated")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if marker == 0x00:
            raise _reject("corrupt")
        if pos + 2 > n:
            raise _reject("truncated")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            raise _reject("corrupt")
        if pos + length > n:
            raise _reject("truncated")
        pos += length
        if marker == 0xDA:
            found = JPEG_NEXT_MARKER.search(data, pos)
            if found is None:
                raise _reject("truncated")
            pos = found.start()


def _png_end(data: bytes) -> int:
    n = len(data)
    pos = 8
    first = True
    while True:
        if pos + 8 > n:
            raise _reject("truncated")
        length = int.from_bytes(data[pos : pos + 4], "big")
        ctype = data[pos + 4 : pos + 8]
        if length > 0x7FFFFFFF or not ctype.isalpha():
            raise _reject("corrupt")
        if first and (ctype != b"IHDR" or length != 13):
            raise _reject("corrupt")
        first = False
        pos += 12 + length
        if pos > n:
            raise _reject("truncated")
        if ctype == b"IEND":
            return pos


def _gif_end(data: bytes) -> tuple[int, int]:
    """End of the GIF data stream and its frame count, without decoding anything."""
    n = len(data)
    if n < 13:
        raise _reject("truncated")
    flags = data[10]
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    frames = 0

    def skip_sub_blocks(pos: int) -> int:
        while True:
            if pos >= n:
                raise _reject("truncated")
            block = data[pos]
            pos += 1 + block
            if block == 0:
                return pos

    while True:
        if pos > n:
            raise _reject("truncated")
        if pos == n:
            # No trailer: common in the wild and harmless when the last block is complete.
            if frames == 0:
                raise _reject("truncated")
            return pos, frames
        introducer = data[pos]
        if introducer == 0x3B:
            return pos + 1, frames
        if introducer == 0x21:
            pos = skip_sub_blocks(pos + 2)
        elif introducer == 0x2C:
            if pos + 11 > n:
                raise _reject("truncated")
            flags = data[pos + 9]
            pos += 10 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
            pos = skip_sub_blocks(pos + 1)
            frames += 1
        else:
            if frames == 0:
                raise _reject("corrupt")
            return pos, frames


def _webp_end(data: bytes) -> int:
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        raise _reject("truncated")
    if data[12:16] not in (b"VP8 ", b"VP8L", b"VP8X"):
        raise _reject("corrupt")
    return end


# `sefd`: Samsung's SEF block as a box in Galaxy HEICs.
HEIF_TOP_BOXES = {
    b"ftyp",
    b"meta",
    b"moov",
    b"mdat",
    b"free",
    b"skip",
    b"uuid",
    b"idat",
    b"wide",
    b"sefd",
}


def _heif_end(data: bytes) -> int:
    boxes = top_boxes(
        bytes_reader(data), len(data), known=HEIF_TOP_BOXES, required=frozenset({b"meta"})
    )
    if boxes[0].type != b"ftyp" or b"meta" not in {b.type for b in boxes}:
        raise _reject("corrupt")
    for box in boxes:
        if box.type == b"sefd":
            start = _samsung_sef_start(data, box.end)
            if start is None or start < box.payload:
                raise _reject("polyglot")
            _check_unread_bytes(data, box.payload, box.end)
            if MARKUP.search(data, box.payload, box.end):
                raise _reject("polyglot")
    return boxes[-1].end


def _check_trailer(data: bytes, end: int, fmt: str) -> None:
    """Refuse bytes after the image's end that hold a payload; accept the rest.

    Phone trailers are walked first: MPF (depth maps, HDR gain maps) appends further JPEGs,
    Google motion photos append an MP4, Samsung appends its SEF block (to JPEGs and PNGs).
    Whatever follows them and their padding is data no program reads (a stale JPEG cut short,
    BlackBerry's binary record, memory-card slack): accepted unless it holds a signature some
    reader would find (see `payloads`). None of it reaches the counterparty, whose copy is
    re-encoded from pixels; the private original keeps it, served only as an image.

    Old cameras wrote whole card clusters: after the image's last sector (zero-filled) come
    stale sectors of earlier files, and on cards once used in a PC those hold web pages,
    markup included. So markup is tolerated in card slack: whole sectors after a zero-filled
    sector end, in a file that ends on a sector boundary. An attacker can shape a file so;
    what they get is inert HTML in a file we only serve as an image (nosniff, sandbox CSP) and
    never pass on. Archives, PHP and executables are refused in slack as anywhere else. What
    stays possible anywhere is a start-only format (gzip, an executable) placed after other
    bytes: no program opens it there without a tool written to dig it out, and a person with
    such a tool needs no upload service to carry a file.
    """
    n = len(data)
    if end >= n:
        return
    sef_start = _samsung_sef_start(data, n)
    if sef_start is not None and sef_start < end:
        sef_start = None
    stop = n if sef_start is None else sef_start
    pos = content_end = end
    while pos < stop:
        is_jpeg = data.startswith(b"\xff\xd8\xff", pos)
        is_mp4 = data[pos + 4 : pos + 8] == b"ftyp"
        if fmt == "JPEG" and (is_jpeg or is_mp4):
            try:
                if is_jpeg:
                    pos = jpeg_end(data, pos)
                else:
                    pos = top_boxes(bytes_reader(data), stop, start=pos)[-1].end
            except RejectedFile:
                break  # not a whole stream: data like any other
            content_end = pos
            continue
        padding = PADDING.match(data, pos, stop)
        if padding is None:
            break
        # A box's size field begins with zero bytes: do not swallow them as padding.
        starts = range(max(pos + 1, padding.end() - 3), padding.end())
        pos = next((b for b in starts if data[b + 4 : b + 8] == b"ftyp"), padding.end())
    if pos < stop and payload_at(data, pos):
        raise _reject("polyglot")
    _check_unread_bytes(data, pos, n)
    slack = _card_slack_start(data, content_end, pos) if sef_start is None else None
    if MARKUP.search(data, end, n if slack is None else slack):
        raise _reject("polyglot")


def _check_unread_bytes(data: bytes, start: int, stop: int) -> None:
    """Refuse signatures that their readers find at any offset in bytes no decoder reads."""
    if payload_within(data, start, stop):
        raise _reject("polyglot")


def _card_slack_start(data: bytes, content_end: int, first_unread: int) -> int | None:
    """Where stale card sectors begin, if the bytes after `content_end` look like card slack.

    The file must end on a sector boundary and the rest of the last sector holding image data
    must be padding, so that what follows is whole sectors written before this photo.
    """
    if len(data) % SECTOR:
        return None
    boundary = -(-content_end // SECTOR) * SECTOR
    return boundary if first_unread >= boundary else None


def _samsung_sef_start(data: bytes, stop: int) -> int | None:
    """Where a Samsung SEF block (data records, SEFH directory, SEFT) ending at `stop` begins."""
    sef = samsung_sef(data, stop)
    if sef is None:
        return None
    head, records = sef
    return min([head, *(start for start, _ in records)])


def samsung_sef(data: bytes, stop: int) -> tuple[int, list[tuple[int, int]]] | None:
    """A Samsung SEF block ending at `stop`: where its SEFH directory begins and the
    (start, length) of each record it lists, or None when the bytes are not one.

    Each record is 2 zero bytes, a 2-byte type, a 4-byte name length, the name, then data;
    the directory gives each record's distance back from SEFH and its length."""
    if stop < 16 or data[stop - 4 : stop] != b"SEFT":
        return None
    dir_len = int.from_bytes(data[stop - 8 : stop - 4], "little")
    head = stop - 8 - dir_len
    if head < 0 or data[head : head + 4] != b"SEFH":
        return None
    count = int.from_bytes(data[head + 8 : head + 12], "little")
    if 12 + 12 * count > dir_len:
        return None
    records = []
    for i in range(count):
        entry = head + 12 + 12 * i
        offset = int.from_bytes(data[entry + 4 : entry + 8], "little")
        length = int.from_bytes(data[entry + 8 : entry + 12], "little")
        if offset > head or length > offset:
            return None
        records.append((head - offset, length))
    return head, records


# ---------------------------------------------------------------- ISO base media (MP4, HEIF)

Reader = Callable[[int, int], bytes]


@dataclass(frozen=True)
class Box:
    type: bytes
    offset: int
    header: int
    size: int

    @property
    def payload(self) -> int:
        return self.offset + self.header

    @property
    def end(self) -> int:
        return self.offset + self.size


def bytes_reader(data) -> Reader:
    return lambda offset, length: bytes(data[offset : offset + length])


def _file_reader(fileobj) -> Reader:
    def read(offset: int, length: int) -> bytes:
        fileobj.seek(offset)
        return fileobj.read(length)

    return read


class BoxError(ValueError):
    def __init__(self, code: str, offset: int):
        super().__init__(f"{code} at {offset}")
        self.code = code
        self.offset = offset


def iter_boxes(read: Reader, start: int, end: int) -> Iterator[Box]:
    """Yield the boxes laid end to end in [start, end); BoxError if they do not fit exactly."""
    pos = start
    while pos < end:
        if pos + 8 > end:
            raise BoxError("truncated", pos)
        header = read(pos, 8)
        if len(header) < 8:
            raise BoxError("truncated", pos)
        size = int.from_bytes(header[:4], "big")
        btype = header[4:8]
        header_len = 8
        if size == 1:
            large = read(pos + 8, 8)
            if len(large) < 8:
                raise BoxError("truncated", pos)
            size = int.from_bytes(large, "big")
            header_len = 16
        elif size == 0:
            size = end - pos
        if size < header_len or not all(0x20 <= c <= 0x7E or c == 0xA9 for c in btype):
            raise BoxError("corrupt", pos)
        if pos + size > end:
            raise BoxError("truncated", pos)
        yield Box(btype, pos, header_len, size)
        pos += size


def top_boxes(
    read: Reader,
    end: int,
    *,
    known: set[bytes] | None = None,
    required: frozenset[bytes] = frozenset(),
    start: int = 0,
) -> list[Box]:
    """Top-level boxes of [start, end), as RejectedFile codes on failure.

    Once the `required` boxes have been seen, a box of a type outside `known` (or bytes
    that do not even form a box) is data hidden after the media: a polyglot.
    """
    boxes: list[Box] = []
    seen: set[bytes] = set()
    try:
        for box in iter_boxes(read, start, end):
            if known is not None and box.type not in known and required <= seen:
                raise _reject("polyglot")
            seen.add(box.type)
            boxes.append(box)
    except BoxError as exc:
        if known is not None and required <= seen and read(exc.offset + 4, 4) not in known:
            raise _reject("polyglot") from exc
        raise _reject(exc.code) from exc
    return boxes


MP4_TOP_BOXES = {
    b"ftyp",
    b"moov",
    b"mdat",
    b"free",
    b"skip",
    b"wide",
    b"uuid",
    b"moof",
    b"mfra",
    b"styp",
    b"sidx",
    b"ssix",
    b"prft",
    b"emsg",
    b"pdin",
    b"meta",
    b"udta",
}


def _probe_video(fileobj, limits: VideoLimits) -> tuple[int, int, float]:
    fileobj.seek(0)
    try:
        found = probe(
            fileobj, max_seconds=limits.seconds, max_side=limits.side, max_pixels=limits.pixels
        )
    except VideoProblem as exc:
        if exc.code == "too_long":
            raise _reject("too_long", limit=_minutes(limits.seconds)) from exc
        if exc.code == "video_too_large":
            raise _reject("video_too_large", limit=f"{limits.side} pixels") from exc
        raise _reject(exc.code) from exc
    return found.width, found.height, found.duration


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} seconds"


def _check_mp4(fileobj, size: int) -> tuple[int | None, int | None]:
    read = _file_reader(fileobj)
    head = read(0, HEAD_SCAN_BYTES)
    if MARKUP.search(head):
        raise _reject("polyglot")
    boxes = top_boxes(read, size, known=MP4_TOP_BOXES, required=frozenset({b"moov", b"mdat"}))
    types = [b.type for b in boxes]
    if types[0] != b"ftyp":
        raise _reject("corrupt")
    if b"mdat" not in types:
        raise _reject("corrupt")
    moovs = [b for b in boxes if b.type == b"moov"]
    if not moovs:
        # Recorders write the movie header last: without it the recording was cut off.
        raise _reject("truncated")
    if len(moovs) > 1:
        raise _reject("corrupt")
    moov = moovs[0]
    if moov.size > MAX_MOOV_BYTES:
        raise _reject("corrupt")
    data = read(moov.offset, moov.size)
    try:
        return _parse_moov(data, Box(b"moov", 0, moov.header, moov.size))
    except BoxError as exc:
        raise _reject("corrupt") from exc


def _parse_moov(data: bytes, moov: Box) -> tuple[int | None, int | None]:
    read = bytes_reader(data)
    children = list(iter_boxes(read, moov.payload, moov.end))
    types = [c.type for c in children]
    if b"mvhd" not in types or b"trak" not in types:
        raise _reject("corrupt")
    sound = False
    for trak in (c for c in children if c.type == b"trak"):
        tkhd = hdlr = None
        for box in iter_boxes(read, trak.payload, trak.end):
            if box.type == b"tkhd":
                tkhd = box
            elif box.type == b"mdia":
                for sub in iter_boxes(read, box.payload, box.end):
                    if sub.type == b"hdlr":
                        hdlr = sub
        if tkhd is None:
            raise _reject("corrupt")
        handler = data[hdlr.payload + 8 : hdlr.payload + 12] if hdlr is not None else b""
        if handler == b"vide":
            return _tkhd_dimensions(data, tkhd)
        sound = sound or handler == b"soun"
    raise _reject("audio_only" if sound else "unsupported_type")


def _tkhd_dimensions(data: bytes, tkhd: Box) -> tuple[int | None, int | None]:
    version = data[tkhd.payload]
    at = tkhd.payload + 4 + (32 if version == 1 else 20) + 52
    if at + 8 > tkhd.end:
        raise _reject("corrupt")
    width = int.from_bytes(data[at : at + 4], "big") >> 16
    height = int.from_bytes(data[at + 4 : at + 8], "big") >> 16
    return (width or None), (height or None)
