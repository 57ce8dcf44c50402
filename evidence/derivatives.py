"""Resized copies of a photo's safe copy for pages (``srcset``): a phone showing 100-px
thumbnails fetches a few kilobytes per photo, not the whole picture.

A derivative is made on its first request from the metadata-free safe copy (never the
original) and kept in storage beside it; its *short* side is the requested width, so a
square thumbnail cut with ``object-fit: cover`` stays sharp. Only ``WIDTHS`` exist, so a
client cannot make the server store arbitrary sizes.
"""

import io

from django.core.files.base import ContentFile
from PIL import Image

from .models import Evidence

WIDTHS = (160, 320, 480, 960)
QUALITY = 80


def derivative_name(item: Evidence, width: int) -> str:
    return f"derived/{item.uid.hex[:2]}/{item.uid.hex}-{width}.jpg"


def derivative(item: Evidence, width: int) -> str:
    """The storage name of ``item``'s derivative ``width`` wide, made if it is missing."""
    if width not in WIDTHS:
        raise ValueError(width)
    storage, name = item.safe_copy.storage, derivative_name(item, width)
    if not storage.exists(name):
        with item.safe_copy.open("rb") as copy:
            data = resized(copy.read(), width)
        name = storage.save(name, ContentFile(data))  # a concurrent twin gets its own name
    return name


def resized(data: bytes, short_side: int) -> bytes:
    """A JPEG whose shorter side is ``short_side`` (never enlarged)."""
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (short_side, short_side))  # JPEG: decode at a reduced scale
        frame = img.convert("RGBA")
    flat = Image.new("RGB", frame.size, (255, 255, 255))
    flat.paste(frame, mask=frame.getchannel("A"))
    scale = short_side / min(flat.size)
    if scale < 1:
        size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
        flat = flat.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()
