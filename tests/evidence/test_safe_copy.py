"""The counterparty copy: no EXIF, GPS, XMP, text chunks or MP4 location, upright and small."""

from __future__ import annotations

import io

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from evidence.forensics import movmeta
from evidence.forensics.intake import bytes_reader, inspect_file, iter_boxes, jpeg_end
from evidence.forensics.safe_copy import make_safe_copy
from evidence.services import evidence_add
from tests.fixtures import uploads, videos


def safe_copy(data: bytes, **options) -> tuple[bytes, str]:
    f = io.BytesIO(data)
    inspected = inspect_file(f)
    f.seek(3)
    result = make_safe_copy(f, inspected, **options)
    assert f.tell() == 3
    return result


def assert_no_metadata(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as im:
        assert "exif" not in im.info
        assert len(im.getexif()) == 0
        assert "xmp" not in im.info
        assert "icc_profile" not in im.info
        assert "comment" not in im.info
        assert not getattr(im, "text", {})
    for marker in (b"Exif\x00\x00", b"GPS", b"TianpingCam", b"xpacket", b"xmpmeta", b"tEXt"):
        assert marker not in data
    for marker in (b"iTXt", b"zTXt", b"eXIf", b"taken at home", b"secret location"):
        assert marker not in data


def test_gps_tagged_jpeg_copy_has_no_exif_gps_or_xmp():
    original = uploads.gps_jpeg(size=(120, 80), orientation=1)
    with Image.open(io.BytesIO(original)) as im:
        assert im.getexif().get_ifd(0x8825)  # the fixture really carries GPS
        assert "xmp" in im.info
    data, mime = safe_copy(original)
    assert mime == "image/jpeg"
    assert data.startswith(b"\xff\xd8\xff")
    assert_no_metadata(data)
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (120, 80)


def test_copy_is_turned_upright_per_exif_orientation():
    """Orientation 6 means the camera was turned: the stored 120×80 is shown as 80×120."""
    data, _ = safe_copy(uploads.gps_jpeg(size=(120, 80), orientation=6))
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (80, 120)
        # The fixture's blue block sits top-left; after a 90° clockwise turn it is top-right.
        top_right = im.getpixel((im.width - 5, 5))
        assert top_right[2] > 150 and top_right[0] < 100


def test_copy_is_downscaled_to_max_side():
    data, _ = safe_copy(uploads.jpeg(size=(600, 300)), max_side=200)
    with Image.open(io.BytesIO(data)) as im:
        assert max(im.size) == 200
        assert im.size == (200, 100)


def test_png_text_chunks_exif_and_xmp_are_dropped():
    data, mime = safe_copy(uploads.png_with_text())
    assert mime == "image/jpeg"
    assert_no_metadata(data)


def test_transparent_png_stays_png_without_metadata():
    im = uploads.picture((64, 48), "RGBA")
    im.putpixel((0, 0), (0, 0, 0, 0))
    buf = io.BytesIO()
    info = PngInfo()
    info.add_text("Comment", "secret location: 39.9N 116.4E")
    im.save(buf, format="PNG", pnginfo=info)
    data, mime = safe_copy(buf.getvalue())
    assert mime == "image/png"
    assert_no_metadata(data)
    with Image.open(io.BytesIO(data)) as copy:
        assert copy.mode == "RGBA"
        assert copy.getpixel((0, 0))[3] == 0


def test_heic_webp_gif_copies_are_plain_images():
    for original, mime in (
        (uploads.heic(), "image/jpeg"),
        (uploads.webp(), "image/jpeg"),
        (uploads.animated_gif(), "image/png"),
    ):
        data, got = safe_copy(original)
        assert got == mime
        assert_no_metadata(data)
        inspect_file(io.BytesIO(data))


def mp4_box_types(data: bytes) -> list[bytes]:
    """Every box type in the moov tree (not inside mdat), depth first."""
    read = bytes_reader(data)
    found: list[bytes] = []

    def walk(start: int, end: int) -> None:
        for box in iter_boxes(read, start, end):
            found.append(box.type)
            if box.type in (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"udta"):
                walk(box.payload, box.end)

    walk(0, len(data))
    return found


def test_mp4_copy_is_remuxed_without_udta_meta_or_location():
    original = uploads.mp4(with_metadata=True)
    assert b"\xa9xyz" in mp4_box_types(original)
    data, mime = safe_copy(original)
    assert mime == "video/mp4"
    assert b"\xa9xyz" not in mp4_box_types(data)
    assert movmeta.read(data).tags == {}  # not even an encoder tag
    assert b"+39.9042+116.4074" not in data
    assert b"ISO6709" not in data
    inspected = inspect_file(io.BytesIO(data))
    assert (inspected.format, inspected.width, inspected.height) == ("MP4", 320, 240)
    assert inspected.duration == pytest.approx(2.0)


TRAILERS = [
    (uploads.card_slack_jpeg(uploads.stale_web_page()), b"<html>"),
    (uploads.card_slack_jpeg(uploads.random_bytes(6000)), uploads.random_bytes(6000)[:64]),
    (uploads.samsung_sef_jpeg(), b"SEFT"),
    (uploads.samsung_sef_png(), b"PEg_Info"),
    (uploads.samsung_sefd_heic(), b"SEFT"),
    (uploads.c2pa_icon_png(), b"<svg"),
]


@pytest.mark.parametrize(("original", "trailer"), TRAILERS)
def test_bytes_after_the_image_do_not_reach_the_counterparty_copy(original, trailer):
    assert trailer in original
    data, _ = safe_copy(original)
    assert trailer not in data
    if data.startswith(b"\xff\xd8"):
        assert jpeg_end(data, 0) == len(data)


@pytest.mark.parametrize(("original", "trailer"), TRAILERS)
def test_the_private_original_keeps_every_byte(order, merchant, original, trailer):
    upload = SimpleUploadedFile("photo", original)
    (item,) = evidence_add(order=order, party=merchant, files=[upload], role="merchant")
    with item.original.open("rb") as stored:
        assert stored.read() == original
    with item.safe_copy.open("rb") as copy:
        assert trailer not in copy.read()


def test_a_clip_with_gps_in_every_place_reaches_the_counterparty_without_it():
    """©xyz in the movie's and a track's user data, Apple's ISO 6709 key, a timed metadata
    track and an unknown uuid box: none of it survives the re-mux."""
    original = videos.gps_everywhere(videos.clip())
    found = movmeta.read(original)
    assert found.tags["©xyz"] == [videos.GPS.decode()] * 2
    assert found.tag("com.apple.quicktime.location.ISO6709") == videos.GPS.decode()
    assert found.metadata_tracks == 1 and len(found.uuids) == 1
    assert original.count(b"+31.2304+121.4737") == 5
    data, mime = safe_copy(original)
    assert mime == "video/mp4"
    assert b"31.2304" not in data and b"121.4737" not in data
    copy = movmeta.read(data)
    assert copy.tags == {} and copy.metadata_tracks == 0 and copy.uuids == []
    assert copy.created is None
    with av.open(io.BytesIO(data)) as container:
        assert [s.type for s in container.streams] == ["video", "audio"]
        assert not container.metadata.get("location")
        assert sum(1 for _ in container.decode(video=0)) == 6


def test_a_mov_copy_becomes_a_playable_mp4():
    data, mime = safe_copy(videos.clip(fmt="mov", codec="libx265"))
    assert mime == "video/mp4"
    assert inspect_file(io.BytesIO(data)).format == "MP4"
