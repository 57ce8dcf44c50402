"""The video engine: container metadata and keyframes judged with the photo engine's codes
and its one aggregation. Clips are made here with PyAV; metadata is written box by box."""

from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image

from evidence.forensics import analyze_video, fingerprints, videoio
from evidence.forensics.types import KNOWN_EVIDENCE, Context, KnownFingerprint, Reference
from tests.fixtures import videos
from tests.fixtures.photos import camera_photo, scene

DELIVERED = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def codes(report) -> set[str]:
    return {s.code for s in report.signals}


@pytest.mark.parametrize(
    ("fmt", "codec"), [("mp4", "libx264"), ("mov", "libx265"), ("mp4", "libx265")]
)
def test_a_plain_phone_like_clip_is_clean(fmt, codec):
    report = analyze_video(
        videos.clip(fmt=fmt, codec=codec, size=(96, 64)),
        Context(delivered_at=DELIVERED),
        fmt.upper(),
    )
    assert report.verdict == "no_findings"
    assert report.signals == ()
    assert report.duration == pytest.approx(2.0)
    assert report.frames_analysed >= 1
    as_json = report.to_dict(file="clip")
    assert as_json["duration"] == 2.0 and as_json["frames_analysed"] == report.frames_analysed
    assert as_json["metadata"]["video"]["keyframes"][0] == 0.0


def test_an_honest_clip_stays_clean_after_remux_and_transcode():
    """A messenger re-muxes or re-encodes; neither is an edit or a generator."""
    original = videos.with_boxes(
        videos.clip(size=(96, 64)),
        moov=videos.mdta_meta(
            {
                "com.apple.quicktime.make": "Apple",
                "com.apple.quicktime.model": "iPhone 15",
                "com.apple.quicktime.software": "17.4",
                "com.apple.quicktime.creationdate": "2026-03-11T09:00:00+0800",
            }
        ),
    )
    report = analyze_video(original, Context(delivered_at=DELIVERED))
    assert report.verdict == "no_findings" and report.signals == ()
    assert report.metadata["video"]["device"] == {
        "make": "Apple",
        "model": "iPhone 15",
        "software": "17.4",
    }
    remuxed = videoio.remux(original, "mp4")
    transcoded = videos.clip(
        size=(80, 54), picture=lambda i, n: videos.phone_scene(i, n, (96, 64)).resize((80, 54))
    )
    for copy in (remuxed, transcoded):
        again = analyze_video(copy, Context(delivered_at=DELIVERED))
        assert again.verdict == "no_findings", again.signals


def test_a_clip_recorded_before_delivery_is_flagged_from_the_movie_header():
    clip = videos.mvhd_time(videos.clip(), dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC))
    report = analyze_video(clip, Context(delivered_at=DELIVERED))
    signal = report.signal("timeline.captured_before_delivery")
    assert signal is not None and signal.times == ()
    assert signal.data["captured_at"].startswith("2026-03-01T08:00")
    assert report.verdict == "suspicious"
    after = videos.mvhd_time(videos.clip(), dt.datetime(2026, 3, 11, tzinfo=dt.UTC))
    assert analyze_video(after, Context(delivered_at=DELIVERED)).signals == ()


def test_apples_creation_date_with_its_zone_wins_over_the_header():
    clip = videos.with_boxes(
        videos.mvhd_time(videos.clip(), dt.datetime(2026, 3, 12, tzinfo=dt.UTC)),
        moov=videos.mdta_meta({"com.apple.quicktime.creationdate": "2026-03-10T18:00:00+0800"}),
    )
    report = analyze_video(clip, Context(delivered_at=DELIVERED))  # 10:00 UTC, before 12:00
    assert "timeline.captured_before_delivery" in codes(report)


@pytest.mark.parametrize(
    ("boxes", "editor"),
    [
        ({"moov": videos.udta((b"\xa9swr", b"CapCut 12.3.0"))}, "CapCut / 剪映"),
        ({"moov": videos.mdta_meta({"com.apple.quicktime.software": "剪映 9.1"})}, "CapCut / 剪映"),
        ({"moov": videos.udta((b"\xa9too", b"InShot 2.0"))}, "InShot"),
        ({"moov": videos.udta((b"\xa9swr", b"Adobe Premiere Pro 2025"))}, "Adobe Premiere"),
    ],
)
def test_editing_apps_in_the_tags_are_named_but_do_not_accuse_alone(boxes, editor):
    report = analyze_video(videos.with_boxes(videos.clip(), **boxes))
    signal = report.signal("metadata.editing_software")
    assert signal is not None and signal.data["editor"] == editor
    assert report.verdict == "no_findings"  # an editor's save alone is not suspicious


@pytest.mark.parametrize(
    ("tag", "generator"),
    [
        ((b"\xa9too", b"Kling AI video v2.1"), "Kling"),
        ((b"\xa9swr", b"Sora"), "OpenAI Sora"),
        ((b"\xa9too", b"Jimeng"), "Jimeng"),
        ((b"\xa9swr", b"Google Veo 3"), "Google Veo"),
        ((b"\xa9too", b"Hailuo AI"), "Hailuo"),
    ],
)
def test_generator_markers_in_the_tags_are_ai(tag, generator):
    report = analyze_video(videos.with_boxes(videos.clip(), moov=videos.udta(tag)))
    signal = report.signal("provenance.generator_metadata")
    assert signal is not None and signal.data["generator"] == generator
    assert report.verdict == "ai_generated"


def test_the_gb45438_label_under_the_aigc_key_is_read():
    clip = videos.with_boxes(videos.clip(), moov=videos.mdta_meta({"AIGC": videos.aigc("1")}))
    report = analyze_video(clip)
    signal = report.signal("provenance.aigc_label")
    assert signal is not None and signal.data["label"] == 1
    assert signal.data["producer"]["company"] == "ByteDance (Doubao)"
    assert report.verdict == "ai_generated"
    possibly = analyze_video(
        videos.with_boxes(videos.clip(), moov=videos.mdta_meta({"AIGC": videos.aigc("2")}))
    )
    assert possibly.verdict == "suspicious"


def test_c2pa_in_the_uuid_box_declares_ai_and_a_change_after_signing_is_caught():
    signed = videos.c2pa_signed(videos.clip(audio=False), "trainedAlgorithmicMedia")
    report = analyze_video(signed)
    assert report.signal("provenance.c2pa_ai") is not None
    assert report.verdict == "ai_generated"
    # The same clip with one sample byte changed: the BMFF hash no longer matches.
    at = signed.rfind(b"mdat") + 40
    changed = signed[:at] + bytes([signed[at] ^ 0xFF]) + signed[at + 1 :]
    broken = analyze_video(changed)
    assert codes(broken) == {"provenance.c2pa_invalid"}
    assert broken.metadata["c2pa"]["integrity"] == "changed"


def test_an_intact_c2pa_capture_is_not_a_finding():
    signed = videos.c2pa_signed(videos.clip(audio=False), "digitalCapture")
    report = analyze_video(signed)
    assert report.verdict == "no_findings"
    capture = report.signal("provenance.c2pa_capture")
    assert capture is not None and capture.polarity == "authentic"


def listing_photo() -> bytes:
    return camera_photo(pixels=scene(320, 240, 11))


def test_a_clip_of_the_listing_photo_on_a_screen_is_found_with_its_times():
    photo = Image.open(__import__("io").BytesIO(listing_photo())).convert("RGB")
    screen = Image.new("RGB", (360, 270), (12, 12, 12))  # the photo shown inside a bezel
    screen.paste(photo.resize((320, 240)), (20, 15))
    clip = videos.clip(size=(360, 270), frames=6, picture=videos.still(screen), audio=False)
    context = Context(listing=[Reference("7", listing_photo(), "listing #7")])
    report = analyze_video(clip, context)
    signal = report.signal("reuse.listing_match")
    assert signal is not None, report.signals
    assert signal.times and signal.times[0] == 0.0
    assert "Keyframe(s) at 0 s" in signal.detail
    assert report.verdict == "reused"
    assert "reuse.local_edit" not in codes(report)
    other = analyze_video(videos.clip(size=(360, 270), audio=False), context)
    assert other.verdict == "no_findings"


def test_a_reused_clip_is_found_by_its_first_keyframe():
    first = videos.clip(
        size=(320, 240), picture=lambda i, n: Image.fromarray(scene(320, 240, 3)), audio=False
    )
    poster = videoio.poster(first)
    known = KnownFingerprint(
        "41", fingerprints.of_bytes(poster, views=False), "dispute #9", poster, KNOWN_EVIDENCE
    )
    again = videos.clip(  # the same footage, re-encoded smaller by a messenger
        size=(288, 216),
        picture=lambda i, n: Image.fromarray(scene(320, 240, 3)).resize((288, 216)),
        audio=False,
    )
    report = analyze_video(again, Context(known=[known]))
    signal = report.signal("reuse.cross_dispute")
    assert signal is not None and signal.times == (0.0,)
    assert report.verdict == "reused"


def test_keyframes_follow_scene_changes_with_a_cap():
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]
    clip = videos.clip(frames=9, fps=3, gop=1, picture=videos.scenes(*colours), audio=False)
    frames = videoio.keyframes(clip)
    assert [round(f.time) for f in frames] == [0, 1, 2]
    many = [(i * 23 % 256, i * 71 % 256, i * 131 % 256) for i in range(20)]
    long = videos.clip(frames=40, fps=4, gop=2, picture=videos.scenes(*many), audio=False)
    assert len(videoio.keyframes(long)) == videoio.MAX_FRAMES


def test_the_opening_frames_cover_the_first_two_seconds():
    clip = videos.clip(frames=12, fps=3, audio=False)
    times = [f.time for f in videoio.opening_frames(clip)]
    assert times[0] == 0.0 and len(times) == videoio.OPENING_FRAMES
    assert max(times) < videoio.OPENING_SECONDS


def test_c2pa_in_a_mov_is_read_as_quicktime():
    signed = videos.c2pa_signed(
        videos.clip(fmt="mov", audio=False), "trainedAlgorithmicMedia", "video/quicktime"
    )
    report = analyze_video(signed, Context(), "MOV")
    assert report.signal("provenance.c2pa_ai") is not None
    assert report.verdict == "ai_generated"
