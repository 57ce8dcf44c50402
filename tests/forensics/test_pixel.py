"""Pixel-level analyzers: ELA, noise residual, copy-move, double JPEG."""

import numpy as np

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
