"""Pixel-level analyzers: ELA, noise residual, copy-move, double JPEG."""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from evidence.forensics import analyze
from evidence.forensics.regions import iou
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, decode_rgb, scene, to_jpeg

BASE = scene(640, 480, 5)


def test_ela_flags_a_pasted_uncompressed_area():
    report = analyze(f.spliced())
    s = report.signal("pixel.ela")
    assert s and iou(s.region, f.box_region(f.STAIN_BOX)) >= 0.3
    assert report.heatmaps["ela"].startswith(b"\x89PNG")


def test_ela_quiet_on_a_camera_photo():
    report = analyze(camera_photo(seed=2, quality=95))
    assert report.signal("pixel.ela") is None
    assert "ela" in report.heatmaps


def test_noise_flags_a_painted_noise_free_area():
    report = analyze(camera_photo(pixels=f.paint_stain(f.iso_noise(BASE)), quality=92))
    s = report.signal("pixel.noise_inconsistency")
    assert s and iou(s.region, f.box_region(f.STAIN_BOX)) >= 0.3
    assert report.heatmaps["noise"].startswith(b"\x89PNG")


def test_noise_quiet_on_a_camera_photo():
    assert analyze(camera_photo(seed=3, quality=92)).signal("pixel.noise_inconsistency") is None
    noisy = camera_photo(pixels=f.iso_noise(scene(640, 480, 3)), quality=92)
    assert analyze(noisy).signal("pixel.noise_inconsistency") is None


def test_noise_knows_large_flat_and_clipped_surfaces():
    """Snow or an overcast sky and a black suit: camera noise reduction and JPEG leave them
    cleaner than the textured rest of the photo. They are compared with themselves."""
    rng = np.random.default_rng(1)
    arr = f.iso_noise(scene(640, 480, 1)).astype(np.float32)
    arr[:140] = 232 + rng.normal(0, 0.7, arr[:140].shape)
    arr[300:, 380:600] = 22 + rng.normal(0, 0.7, arr[300:, 380:600].shape)
    arr[160:220, 20:200] = 255  # a blown-out highlight
    report = analyze(camera_photo(pixels=np.clip(arr, 0, 255).astype(np.uint8), quality=92))
    assert report.signal("pixel.noise_inconsistency") is None
    assert report.verdict == "no_findings"


def test_copy_move_boxes_survive_a_jpeg_resave():
    cloned, src, dst = f.copy_move(BASE)
    first = camera_photo(pixels=cloned, quality=92)
    for data in (first, to_jpeg(decode_rgb(first), 75)):
        s = analyze(data).signal("pixel.copy_move")
        assert s
        assert iou(s.data["source"], src) >= 0.5
        assert iou(s.data["target"], dst) >= 0.5


def test_copy_move_quiet_on_a_camera_photo():
    assert analyze(camera_photo(seed=6)).signal("pixel.copy_move") is None


def test_double_jpeg_detected():
    s = analyze(f.double_jpeg(BASE, 60, 90)).signal("pixel.double_jpeg")
    assert s and s.data["gap"] > 0.75


def test_single_jpeg_is_not_double():
    for q in (70, 85, 92):
        assert analyze(camera_photo(pixels=BASE, quality=q)).signal("pixel.double_jpeg") is None


def _png(arr: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(arr).save(out, "PNG")
    return out.getvalue()


def _products(seed: int, clone: bool) -> np.ndarray:
    """A row of identical-looking products on a table, each photographed with its own sensor
    noise; with `clone`, the label of one is hidden under blank casing copied from another."""
    rng = np.random.default_rng(seed)
    arr = np.full((480, 640, 3), 150.0)
    for i in range(4):
        y = 40 + 110 * i
        arr[y : y + 80, 100:540] = 200.0  # the casing
        arr[y + 25 : y + 55, 250:390] = (40.0, 40.0, 160.0)  # the printed label
    arr += rng.normal(0, 2.5, arr.shape)
    arr = np.clip(arr, 0, 255).astype(np.uint8)
    if clone:
        arr[40 + 25 : 40 + 55, 250:390] = arr[150 + 25 - 20 : 150 + 55 - 20, 400:540]
    return arr


def test_copy_move_finds_a_lossless_clone_of_plain_casing():
    """The NoSo case: a label hidden under copied blank casing, saved losslessly. Only the
    exact repetition of the casing's sensor noise gives it away."""
    s = analyze(_png(_products(1, clone=True))).signal("pixel.copy_move")
    label = {"x": 250 / 640, "y": 65 / 480, "w": 140 / 640, "h": 30 / 480}
    assert s and max(iou(box, label) for box in s.regions) >= 0.5


def test_copy_move_quiet_on_a_row_of_identical_products():
    report = analyze(_png(_products(1, clone=False)))
    assert report.signal("pixel.copy_move") is None
    assert report.verdict == "no_findings"


def _lettering() -> np.ndarray:
    """A street sign and a window full of UI text: sharp lettering on flat colour."""
    img = Image.fromarray(f.iso_noise(np.full((480, 640, 3), (60, 120, 200), np.uint8), 1.5))
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 150, 580, 330), fill=(20, 110, 60))
    font = ImageFont.load_default(size=64)
    draw.text((90, 200), "Linden Ave 天平", fill=(235, 235, 235), font=font)
    return np.asarray(img)


def test_ela_only_reads_files_that_were_jpegs():
    """A PNG screenshot or HEIC photo has no compression history for an area to differ
    from: error levels say nothing about it."""
    assert analyze(_png(_lettering())).signal("pixel.ela") is None
    assert analyze(_png(decode_rgb(f.spliced()))).signal("pixel.ela") is None


def test_ela_quiet_on_sharp_lettering_and_edges_against_a_blown_out_sky():
    arr = _lettering().copy()
    arr[:60] = 255  # an overexposed sky above the sign
    arr[40:70, 100:540] = (30, 60, 30)  # the sign's pole against it
    report = analyze(camera_photo(pixels=arr, quality=90))
    assert report.signal("pixel.ela") is None


def test_noise_abstains_on_coarse_jpegs():
    """A messenger re-save (quality 75) has lost its sensor noise in every smooth area:
    an out-of-focus background reads as clean as a painted one, so neither is judged."""
    report = analyze(to_jpeg(f.paint_stain(f.iso_noise(BASE)), 75))
    assert report.signal("pixel.noise_inconsistency") is None
    assert "not judged" in report.metadata["noise"]
