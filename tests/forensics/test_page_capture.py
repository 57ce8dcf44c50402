"""Is a file the JPEG the in-app camera page sends? Checks on the bytes alone."""

import datetime as dt
import io

import pytest
from PIL import Image, ImageCms

from evidence.forensics.page_capture import (
    CAMERA_DATA,
    DATED_BEFORE_PAGE,
    FOREIGN_DATA,
    NOT_PAGE_JPEG,
    SIZE_MISMATCH,
    page_capture_problems,
)
from tests.fixtures import photos, uploads

OPENED = dt.datetime(2026, 11, 5, 10, 0, tzinfo=dt.UTC)


def canvas_jpeg(size=(640, 480), **params) -> bytes:
    """What a canvas encoder writes: a baseline JFIF JPEG and nothing else."""
    return photos.to_jpeg(photos.scene(*size, seed=3), 92, **params)


def codes(data: bytes, drawn=(640, 480), max_side=2048) -> list[str]:
    found = page_capture_problems(data, drawn=drawn, max_side=max_side, opened_at=OPENED)
    return [p.code for p in found]


def test_a_canvas_encode_of_the_reported_size_is_consistent():
    assert codes(canvas_jpeg()) == []


def test_safari_style_neutral_exif_and_an_icc_profile_are_consistent():
    exif = Image.Exif()
    exif[0x0112] = 1  # Orientation: upright
    sub = exif.get_ifd(0x8769)
    sub[0xA001] = 1  # ColorSpace sRGB
    sub[0xA002], sub[0xA003] = 640, 480
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert codes(canvas_jpeg(exif=exif.tobytes(), icc_profile=icc)) == []


def test_a_camera_photo_taken_weeks_before_the_page_opened_is_not_a_page_capture():
    data = photos.camera_photo(taken=dt.datetime(2026, 10, 17, 9, 12, 44))
    found = page_capture_problems(data, drawn=(640, 480), max_side=2048, opened_at=OPENED)
    by_code = {p.code: p.detail for p in found}
    assert set(by_code) == {CAMERA_DATA, DATED_BEFORE_PAGE}
    assert "Make" in by_code[CAMERA_DATA] and "thumbnail" in by_code[CAMERA_DATA]
    assert "2026-10-17 09:12:44" in by_code[DATED_BEFORE_PAGE]


def test_a_zoneless_exif_time_counts_as_before_only_when_it_is_in_every_zone():
    """The page opened at 10:00 UTC on the 5th. Local 22:30 on the 4th is 10:30 UTC at
    UTC-12: perhaps after. Local 21:30 is 09:30 UTC even there: certainly before."""
    assert codes(dated("2026:11:04 22:30:00")) == [CAMERA_DATA]
    assert codes(dated("2026:11:04 21:30:00")) == [CAMERA_DATA, DATED_BEFORE_PAGE]
    # With its zone (OffsetTimeOriginal) the time is exact.
    assert codes(dated("2026:11:05 09:30:00", "-01:00")) == [CAMERA_DATA]
    assert codes(dated("2026:11:05 09:30:00", "+00:00")) == [CAMERA_DATA, DATED_BEFORE_PAGE]


def dated(taken: str, offset: str | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = taken
    if offset:
        sub[0x9011] = offset
    return canvas_jpeg(exif=exif.tobytes())


@pytest.mark.parametrize(
    "data",
    [
        canvas_jpeg(comment=b"hello"),
        canvas_jpeg(xmp=uploads.XMP_PACKET),
        canvas_jpeg() + bytes(4096),
    ],
    ids=["comment", "xmp", "bytes-after-eoi"],
)
def test_data_a_canvas_never_writes_is_foreign(data):
    assert codes(data) == [FOREIGN_DATA]


def test_a_multi_picture_file_is_foreign():
    first = Image.fromarray(photos.scene(640, 480, seed=1))
    buf = io.BytesIO()
    first.save(buf, "MPO", save_all=True, append_images=[first.rotate(90)], quality=90)
    assert FOREIGN_DATA in codes(buf.getvalue())


def test_a_progressive_jpeg_or_another_format_is_not_the_page_encoding():
    assert codes(canvas_jpeg(progressive=True)) == [NOT_PAGE_JPEG]
    assert codes(uploads.png(size=(640, 480))) == [NOT_PAGE_JPEG]


@pytest.mark.parametrize(
    ("size", "drawn", "max_side"),
    [((640, 480), (1280, 960), 2048), ((640, 480), None, 2048), ((640, 480), (640, 480), 600)],
    ids=["other-size", "no-size-reported", "larger-than-the-page-may-draw"],
)
def test_a_size_the_page_did_not_draw_is_a_mismatch(size, drawn, max_side):
    assert codes(canvas_jpeg(size), drawn=drawn, max_side=max_side) == [SIZE_MISMATCH]
