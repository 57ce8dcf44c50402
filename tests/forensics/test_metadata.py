"""Metadata and timeline analyzers."""

import datetime as dt

from evidence.forensics import Context, analyze
from evidence.forensics.regions import iou
from tests.fixtures import forensic as f
from tests.fixtures.photos import TAKEN, camera_photo, scene, to_jpeg


def test_editing_software_in_exif_fires():
    s = analyze(camera_photo(software="Adobe Photoshop 25.1")).signal("metadata.editing_software")
    assert s and s.data["editor"] == "Adobe Photoshop"


def test_meitu_and_xmp_creator_tool_fire():
    assert analyze(camera_photo(software="美图秀秀 9.9")).signal("metadata.editing_software")
    data = camera_photo(software=None, xmp=f.photoshop_xmp())
    assert analyze(data).signal("metadata.editing_software")


def test_modified_long_after_capture_fires():
    later = TAKEN + dt.timedelta(days=2)
    s = analyze(camera_photo(modified=later)).signal("metadata.editing_software")
    assert s and s.data["modified_after_capture_s"] == 2 * 86400


def test_phone_photo_has_no_editing_signal():
    for software in ("iOS 17.4.1", "HDR+ 1.0.540104767zd", "MediaTek Camera Application"):
        assert analyze(camera_photo(software=software)).signal("metadata.editing_software") is None


def test_stale_thumbnail_reports_the_changed_area():
    base = scene(640, 480, 5)
    data = camera_photo(pixels=f.paint_stain(base), thumbnail_from=base)
    report = analyze(data)
    s = report.signal("metadata.thumbnail_mismatch")
    assert s and iou(s.region, f.box_region(f.STAIN_BOX)) >= 0.3
    assert report.verdict == "edited"


def test_thumbnail_of_another_picture_fires():
    data = camera_photo(pixels=scene(640, 480, 5), thumbnail_from=scene(640, 480, 6))
    assert analyze(data).signal("metadata.thumbnail_mismatch").score >= 0.9


def test_matching_thumbnail_does_not_fire():
    assert analyze(camera_photo(seed=4)).signal("metadata.thumbnail_mismatch") is None


def test_no_camera_data_is_weak():
    report = analyze(to_jpeg(scene(320, 240)))
    s = report.signal("metadata.no_camera_data")
    assert s and s.score < 0.3
    assert report.verdict == "no_findings"
    assert analyze(camera_photo()).signal("metadata.no_camera_data") is None


def test_captured_before_delivery():
    photo = camera_photo(width=320, height=240)
    before = analyze(photo, Context(delivered_at=TAKEN.date() + dt.timedelta(days=1)))
    assert before.signal("timeline.captured_before_delivery")
    same_day = analyze(photo, Context(delivered_at=TAKEN.date()))
    assert same_day.signal("timeline.captured_before_delivery") is None
    after = analyze(photo, Context(delivered_at=dt.datetime(2025, 10, 1, 9, 0)))
    assert after.signal("timeline.captured_before_delivery") is None
    assert analyze(photo).signal("timeline.captured_before_delivery") is None
