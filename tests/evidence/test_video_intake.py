"""Video intake: MP4 and MOV (H.264, HEVC) pass; every kind of bad clip is refused with a
clear message and nothing is stored."""

from __future__ import annotations

import io

import pytest

from evidence.forensics.intake import MESSAGES, RejectedFile, inspect_file
from tests.fixtures import uploads, videos


def rejected(data: bytes, **limits) -> RejectedFile:
    with pytest.raises(RejectedFile) as caught:
        inspect_file(io.BytesIO(data), **limits)
    return caught.value


@pytest.mark.parametrize(
    ("fmt", "codec", "mime"),
    [
        ("mp4", "libx264", "video/mp4"),
        ("mp4", "libx265", "video/mp4"),
        ("mov", "libx264", "video/quicktime"),
        ("mov", "libx265", "video/quicktime"),
    ],
)
def test_phone_formats_are_accepted(fmt, codec, mime):
    inspected = inspect_file(io.BytesIO(videos.clip(fmt=fmt, codec=codec)))
    assert (inspected.kind, inspected.mime) == ("video", mime)
    assert (inspected.width, inspected.height) == (64, 48)
    assert inspected.duration == pytest.approx(2.0)


def cut_in_half() -> bytes:
    data = videos.clip()
    return data[: len(data) // 2]


def mdat_zeroed() -> bytes:
    """The boxes are intact, but the video samples are zeros: nothing decodes."""
    data = bytearray(videos.clip(audio=False))
    at = data.find(b"mdat") + 4
    end = at - 8 + int.from_bytes(data[at - 8 : at - 4], "big")
    data[at:end] = bytes(end - at)
    return bytes(data)


@pytest.mark.parametrize(
    ("builder", "code"),
    [
        (cut_in_half, "truncated"),
        (uploads.mp4_without_moov, "truncated"),
        (lambda: videos.clip(video=False), "audio_only"),
        (lambda: videos.clip(codec="mpeg4"), "unsupported_codec"),
        (mdat_zeroed, "corrupt"),
        (lambda: b"%PDF-1.4 not a video", "unsupported_type"),
        (lambda: b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom", "unsupported_type"),
    ],
    ids=["truncated", "no_moov", "audio_only", "mpeg4", "undecodable", "pdf", "m4a"],
)
def test_bad_clips_are_refused_with_their_code(builder, code):
    error = rejected(builder())
    assert error.code == code
    assert error.message == MESSAGES[code]


def test_duration_cap_names_the_limit():
    long_clip = videos.clip(frames=12, fps=1, audio=False)  # 12 s
    error = rejected(long_clip, max_video_seconds=10)
    assert error.code == "too_long"
    assert error.message == "This video is too long. The limit is 10 seconds."
    assert inspect_file(io.BytesIO(long_clip), max_video_seconds=12).duration == 12


def test_frame_size_cap_is_4k_by_default_and_configurable():
    clip = videos.clip(size=(128, 96), audio=False)
    error = rejected(clip, max_video_side=100)
    assert error.code == "video_too_large"
    assert "100 pixels" in error.message
    assert rejected(clip, max_video_pixels=128 * 96 - 1).code == "video_too_large"
    assert inspect_file(io.BytesIO(clip)).width == 128
