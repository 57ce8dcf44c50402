"""`manage.py analyze_image`: JSON shape, readable table, exit code 2 on bad input."""

import io
import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, scene

ROOT = Path(__file__).resolve().parents[2]
PHOTO_KEYS = {
    "file",
    "sha256",
    "width",
    "height",
    "format",
    "forgery_score",
    "verdict",
    "signals",
    "metadata",
}


def run(*args):
    return subprocess.run(
        [sys.executable, "manage.py", "analyze_image", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_report_with_listing_known_and_delivery(tmp_path):
    base = scene(480, 360, 5)
    listing = tmp_path / "listing.jpg"
    listing.write_bytes(camera_photo(pixels=base))
    evidence = tmp_path / "evidence.jpg"
    evidence.write_bytes(camera_photo(pixels=f.paint_stain(base), quality=85))
    done = run(
        evidence, "--listing", listing, "--known", listing, "--delivered-at", "2025-12-01", "--json"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == PHOTO_KEYS
    assert report["file"] == str(evidence) and report["format"] == "JPEG"
    codes = {s["code"] for s in report["signals"]}
    assert {"reuse.local_edit", "reuse.cross_dispute", "timeline.captured_before_delivery"} <= codes
    assert report["verdict"] == "edited"
    assert report["metadata"]["detector"] == "not configured"


def test_table_output(tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(camera_photo(width=320, height=240, software="Adobe Photoshop 25.1"))
    done = run(photo)
    assert done.returncode == 0, done.stderr
    assert "verdict:" in done.stdout and "metadata.editing_software" in done.stdout


def test_rejected_file_exits_2_with_error_object(tmp_path):
    bogus = tmp_path / "x.jpg"
    bogus.write_bytes(b"%PDF-1.7 not an image at all")
    done = run(bogus, "--json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["code"] and error["message"]


def test_missing_path_and_bad_date_exit_2(tmp_path):
    assert run(tmp_path / "nope.jpg").returncode == 2
    photo = tmp_path / "p.jpg"
    photo.write_bytes(camera_photo(width=160, height=120))
    done = run(photo, "--delivered-at", "yesterday")
    assert done.returncode == 2 and json.loads(done.stdout)["error"]["code"] == "bad_date"


def test_a_bad_listing_file_is_refused_by_name(tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(camera_photo(width=160, height=120))
    listing = tmp_path / "listing.jpg"
    listing.write_text("<html><script>alert(1)</script></html>")
    done = run(photo, "--listing", listing, "--json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "unsupported_type"
    assert str(listing) in error["message"]


def test_an_engine_failure_still_answers_in_the_error_shape(tmp_path, monkeypatch):
    from django.core.management import call_command

    from evidence.forensics import files

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(files, "analyze", broken)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(camera_photo(width=160, height=120))
    out = io.StringIO()
    try:
        call_command("analyze_image", str(photo), "--json", stdout=out)
    except SystemExit as exit_:
        assert exit_.code == 1
    else:
        raise AssertionError("the command should exit non-zero")
    assert json.loads(out.getvalue())["error"]["code"] == "analysis_failed"


def test_known_image_cropped_ten_percent_per_side_is_cross_dispute(tmp_path):
    base = scene(640, 480, 8)
    known = tmp_path / "known.jpg"
    known.write_bytes(camera_photo(pixels=base))
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(camera_photo(pixels=f.resized(f.crop_fraction(base, *[0.1] * 4), 0.8)))
    other = tmp_path / "other.jpg"
    other.write_bytes(camera_photo(seed=77))
    done = run(copy, "--known", known, "--json")
    assert done.returncode == 0, done.stderr
    (signal,) = [
        s for s in json.loads(done.stdout)["signals"] if s["code"] == "reuse.cross_dispute"
    ]
    assert signal["data"]["known_id"] == str(known) and "distances" in signal["data"]
    done = run(other, "--known", known, "--json")
    codes = {s["code"] for s in json.loads(done.stdout)["signals"]}
    assert "reuse.cross_dispute" not in codes


def test_a_video_gets_the_photo_shape_plus_duration_frames_and_times(tmp_path):
    from tests.fixtures import videos

    clip = tmp_path / "clip.mov"
    clip.write_bytes(
        videos.with_boxes(
            videos.clip(fmt="mov", frames=6, fps=3),
            moov=videos.udta((b"\xa9swr", b"CapCut 12.3.0")),
        )
    )
    done = run(clip, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == PHOTO_KEYS | {"duration", "frames_analysed"}
    assert (report["format"], report["duration"], report["frames_analysed"]) == ("MOV", 2.0, 1)
    [signal] = report["signals"]
    assert signal["code"] == "metadata.editing_software" and signal["times"] == []
    assert report["verdict"] == "no_findings"
    truncated = tmp_path / "cut.mp4"
    truncated.write_bytes(videos.clip()[:5000])
    failed = run(truncated, "--json")
    assert failed.returncode == 2
    assert json.loads(failed.stdout)["error"]["code"] == "truncated"
