"""The EXIF thumbnail check against what real cameras write (issue 12): letterboxed and
cropped thumbnails, the camera's own resampling and tone curve, dark content, flat frames.
Each honest case here was flagged `edited` by the check before its calibration."""

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from evidence.forensics import analyze
from evidence.forensics.regions import iou
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, scene, to_jpeg

CODE = "metadata.thumbnail_mismatch"


def camera_thumbnail(arr: np.ndarray, size=(160, 120), letterbox=False, quality=70) -> bytes:
    """A thumbnail the way a camera's firmware makes one: a cheap resample, strong
    sharpening, its own contrast curve, low JPEG quality, and 4:3 bars when asked."""
    img = Image.fromarray(arr)
    if letterbox:
        img = ImageOps.pad(img, size, Image.Resampling.NEAREST, color=(0, 0, 0))
    else:
        img = img.resize(size, Image.Resampling.NEAREST)
    img = img.filter(ImageFilter.UnsharpMask(radius=1.5, percent=180, threshold=0))
    img = ImageEnhance.Contrast(img).enhance(1.35)
    return to_jpeg(img, quality)


def test_camera_resampled_sharpened_thumbnail_is_not_an_edit():
    base = scene(640, 480, 21)
    report = analyze(camera_photo(pixels=base, thumbnail=camera_thumbnail(base)))
    assert report.signal(CODE) is None
    assert report.verdict == "no_findings"


def test_letterboxed_thumbnail_of_a_3_2_frame_is_not_an_edit():
    base = scene(720, 480, 22)
    data = camera_photo(pixels=base, thumbnail=camera_thumbnail(base, letterbox=True))
    assert analyze(data).signal(CODE) is None


def test_dark_sky_is_content_not_a_letterbox_bar():
    base = scene(480, 640, 23)
    base[:200] = np.clip(base[:200] * 0.03, 0, 8).astype(np.uint8)  # night sky above a horizon
    data = camera_photo(pixels=base, thumbnail=camera_thumbnail(base, size=(120, 160)))
    assert analyze(data).signal(CODE) is None


def test_portrait_crop_inside_a_landscape_thumbnail_is_not_a_replacement():
    base = scene(640, 480, 24)
    crop = np.ascontiguousarray(base[:, 120:440])  # the camera's own portrait crop
    data = camera_photo(pixels=crop, thumbnail=camera_thumbnail(base))
    assert analyze(data).signal(CODE) is None


def test_black_frame_has_nothing_to_compare():
    rng = np.random.default_rng(1)
    dark = rng.integers(0, 3, (480, 640, 3)).astype(np.uint8)  # lens cap on
    bright = scene(640, 480, 25)  # a thumbnail that could never match a black frame
    data = camera_photo(pixels=dark, thumbnail=camera_thumbnail(bright))
    assert analyze(data).signal(CODE) is None


def test_main_image_smaller_than_its_thumbnail_is_not_compared():
    base = scene(160, 120, 26)
    small = np.asarray(Image.fromarray(base).resize((50, 33)))
    data = camera_photo(pixels=small, thumbnail=camera_thumbnail(base, letterbox=True))
    assert analyze(data).signal(CODE) is None


def test_painted_defect_is_still_found_behind_a_camera_thumbnail():
    base = scene(720, 480, 27)
    data = camera_photo(
        pixels=f.paint_stain(base), thumbnail=camera_thumbnail(base, letterbox=True)
    )
    report = analyze(data)
    s = report.signal(CODE)
    assert s and iou(s.region, f.box_region(f.STAIN_BOX)) >= 0.3
    assert report.verdict == "edited"


def test_rotated_thumbnail_is_a_turn_not_an_edit():
    base = scene(640, 480, 28)
    turned = np.ascontiguousarray(np.rot90(base))
    data = camera_photo(pixels=turned, thumbnail=camera_thumbnail(base))
    report = analyze(data)
    assert report.signal(CODE) is None
    assert "turn" in report.metadata["thumbnail"]
