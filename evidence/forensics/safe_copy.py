"""The copy of an upload that the counterparty and public pages see.

Originals stay private because they carry where and with what they were taken (EXIF GPS,
XMP, maker notes, a video's location in ©xyz, ISO 6709 keys, timed metadata tracks or
boxes of its own). Images are re-encoded from pixels alone; videos are re-muxed
(`videoio.remux`): their video and audio packets as they are, into a new MP4 that carries
no metadata at all, so no box or track the original had can ride along.
"""

from __future__ import annotations

import io

from PIL import Image, ImageCms, ImageOps

from .intake import PIL_FORMAT, Inspected
from .videoio import remux

JPEG_QUALITY = 85
VIDEO_COPY_MIME = "video/mp4"

_SRGB = ImageCms.createProfile("sRGB")


def make_safe_copy(fileobj, inspected: Inspected, *, max_side: int = 2048) -> tuple[bytes, str]:
    """Return (bytes, mime) of a metadata-free copy of an already inspected upload."""
    position = fileobj.tell()
    try:
        fileobj.seek(0)
        if inspected.kind == "video":
            return remux(fileobj.read(), "mp4"), VIDEO_COPY_MIME
        return _reencode_image(fileobj, inspected, max_side)
    finally:
        fileobj.seek(position)


def _reencode_image(fileobj, inspected: Inspected, max_side: int) -> tuple[bytes, str]:
    with Image.open(fileobj, formats=[PIL_FORMAT[inspected.format]]) as im:
        if inspected.format == "JPEG":
            # Let libjpeg decode at a reduced scale when the photo is far larger than needed.
            im.draft("RGB", (max_side, max_side))
        im.seek(0)
        im.load()
        oriented = ImageOps.exif_transpose(im)
        pixels = _to_srgb(oriented)
    pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Rebuild from raw pixels so no info (EXIF, XMP, ICC, comments, text) can ride along.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if clean.mode == "RGBA" or inspected.format == "GIF":
        clean.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), "image/jpeg"


def _to_srgb(im: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image really has transparency; colours converted to sRGB."""
    alpha = _has_transparency(im)
    icc = im.info.get("icc_profile")
    if icc and im.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target_mode = "RGBA" if im.mode == "RGBA" else "RGB"
            im = ImageCms.profileToProfile(im, source, _SRGB, outputMode=target_mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: keep the pixels as they are
    if alpha:
        rgba = im.convert("RGBA")
        low, _high = rgba.getchannel("A").getextrema()
        if low < 255:
            return rgba
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.point(lambda v: v / 256).convert("L")
    return im.convert("RGB")


def _has_transparency(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
