"""Reading and re-muxing video with PyAV (FFmpeg's libraries, shipped in its wheel).

Intake probes a clip here (streams, codec, duration, frame size, a full demux and the first
frame decoded), the analysis samples its keyframes, the visible-mark stage reads its opening
seconds, and the counterparty's copy is re-muxed here: the video and audio packets as they
are, in a new container that carries no metadata.

No frame is parsed by hand. `VideoProblem.code` uses the intake's refusal codes.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image

CODECS = {"h264", "hevc"}
# Keyframes looked at to find scene changes, spread evenly over the clip (one a second up
# to this many): a seek each, so a ten-minute 4K clip costs as much as a half-minute one.
CANDIDATES = 32
MAX_FRAMES = 8  # keyframes analysed per clip (the first, then scene changes)
MIN_SPREAD = 3  # analysed even without a scene change, spread over the clip
SCENE_DIFF = 18.0  # mean grey-level difference of 32 px thumbnails: another shot
FRAME_SIDE = 1280  # frames handed to the photo engine are at most this long
OPENING_SECONDS = 2.0  # GB 45438: the visible mark must show within the first 2 s
OPENING_FRAMES = 3
# No "Lavf" encoder tag either: the copy's boxes then hold nothing but the media's layout.
BITEXACT = {"fflags": "+bitexact"}


class VideoProblem(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Probe:
    codec: str
    width: int
    height: int
    duration: float
    packets: int


@dataclass(frozen=True)
class Frame:
    time: float
    image: Image.Image


def probe(fileobj, *, max_seconds: float, max_side: int, max_pixels: int) -> Probe:
    """Open the clip, check its video stream against the caps and read every packet."""
    try:
        with av.open(fileobj, "r") as container:
            streams = container.streams
            if not streams.video:
                raise VideoProblem("audio_only" if streams.audio else "unsupported_type")
            stream = streams.video[0]
            codec = stream.codec_context.name
            if codec not in CODECS:
                raise VideoProblem("unsupported_codec")
            width, height = stream.codec_context.width, stream.codec_context.height
            if width <= 0 or height <= 0:
                raise VideoProblem("corrupt")
            if max(width, height) > max_side or width * height > max_pixels:
                raise VideoProblem("video_too_large")
            duration = _duration(container, stream)
            if duration > max_seconds:
                raise VideoProblem("too_long")
            packets = _demux(container, stream)
    except VideoProblem:
        raise
    except av.error.InvalidDataError as exc:
        raise VideoProblem("corrupt") from exc
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise VideoProblem("corrupt") from exc
    return Probe(codec, width, height, duration, packets)


def describe(data: bytes) -> Probe:
    """Codec, frame size and duration of a clip intake accepted (no demux)."""
    with av.open(io.BytesIO(data), "r") as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        return Probe(ctx.name, ctx.width, ctx.height, _duration(container, stream), 0)


def _duration(container, stream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return (container.duration or 0) / av.time_base


def _demux(container, stream) -> int:
    """Every packet of every stream, and the first video frame decoded: a clip whose index
    points past its data, or whose video does not decode, is refused here."""
    count = 0
    decoded = False
    for packet in container.demux():
        if packet.stream.index != stream.index or packet.size == 0:
            continue
        count += 1
        if not decoded:
            decoded = bool(stream.codec_context.decode(packet))
    if count == 0:
        raise VideoProblem("truncated")
    if not decoded:
        decoded = bool(stream.codec_context.decode(None))
    if not decoded:
        raise VideoProblem("corrupt")
    return count


def keyframes(data: bytes) -> list[Frame]:
    """The keyframes the analysis looks at: the first, then each scene change among
    CANDIDATES keyframes spread over the clip, at most MAX_FRAMES; at least MIN_SPREAD when
    the clip has that many keyframes."""
    candidates = _spread_keyframes(data, None)
    if not candidates:
        return []
    chosen = [0]
    last = _thumb(candidates[0].image)
    for i, frame in enumerate(candidates[1:], start=1):
        thumb = _thumb(frame.image)
        if float(np.abs(thumb - last).mean()) >= SCENE_DIFF:
            chosen.append(i)
            last = thumb
    if len(chosen) > MAX_FRAMES:
        chosen = [chosen[round(k)] for k in np.linspace(0, len(chosen) - 1, MAX_FRAMES)]
    elif len(chosen) < MIN_SPREAD:
        spread = {round(k) for k in np.linspace(0, len(candidates) - 1, MIN_SPREAD)}
        chosen = sorted(set(chosen) | spread)
    return [candidates[i] for i in chosen]


def poster(data: bytes) -> bytes | None:
    """The clip's first keyframe as the JPEG the analysis fingerprints: what a later file
    is verified against when its hashes point at this clip."""
    frames = _spread_keyframes(data, 1)
    return frame_jpeg(frames[0].image) if frames else None


def keyframe_at(data: bytes, seconds: float) -> bytes | None:
    """The keyframe at `seconds` (one the analysis listed) as a JPEG, for the console."""
    with av.open(io.BytesIO(data), "r") as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        container.seek(int(seconds / stream.time_base) if stream.time_base else 0, stream=stream)
        frame = next(container.decode(stream), None)
        return frame_jpeg(_upright(frame)) if frame is not None else None


def frame_jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def opening_frames(data: bytes) -> list[Frame]:
    """Frames from the first OPENING_SECONDS, where the law puts the visible AIGC mark."""
    with av.open(io.BytesIO(data), "r") as container:
        stream = container.streams.video[0]
        duration = min(OPENING_SECONDS, _duration(container, stream) or OPENING_SECONDS)
        wanted = list(np.linspace(0.0, duration * 0.8, OPENING_FRAMES))
        frames: list[Frame] = []
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            if t >= OPENING_SECONDS:
                break
            if wanted and t >= wanted[0] - 1e-6:
                frames.append(Frame(round(t, 3), _upright(frame)))
                while wanted and wanted[0] <= t + 1e-6:
                    wanted.pop(0)
            if not wanted:
                break
        return frames


def candidate_count(duration: float) -> int:
    """Seeks spread over a clip: one a second (phones write a keyframe a second), at most
    CANDIDATES."""
    return min(CANDIDATES, max(MIN_SPREAD, math.ceil(duration) + 1))


def _spread_keyframes(data: bytes, count: int | None) -> list[Frame]:
    """Up to `count` (default `candidate_count`) distinct keyframes, found by seeking to
    evenly spaced times."""
    with av.open(io.BytesIO(data), "r") as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        duration = _duration(container, stream)
        count = candidate_count(duration) if count is None else count
        seen: set[int] = set()
        frames: list[Frame] = []
        for at in np.linspace(0.0, max(duration, 0.0), count) if count > 1 else [0.0]:
            container.seek(int(at / stream.time_base) if stream.time_base else 0, stream=stream)
            frame = next(container.decode(stream), None)
            if frame is None or frame.pts in seen:
                continue
            seen.add(frame.pts)
            frames.append(Frame(round(float(frame.time or 0.0), 3), _upright(frame)))
        return sorted(frames, key=lambda f: f.time)


def _upright(frame) -> Image.Image:
    """The frame as shown (phones record turned and store the turn), long side capped:
    FFmpeg scales it while converting to RGB, which costs less than converting in full."""
    scale = min(1.0, FRAME_SIDE / max(frame.width, frame.height))
    image = frame.to_image(
        width=max(1, round(frame.width * scale)), height=max(1, round(frame.height * scale))
    )
    turn = getattr(frame, "rotation", 0) or 0
    return image.rotate(turn, expand=True) if turn % 360 else image


def _thumb(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L").resize((32, 32), Image.Resampling.BILINEAR), np.float32)


def remux(data: bytes, container_format: str) -> bytes:
    """The first video stream and the audio streams, packets copied, in a new container
    with no metadata: no user data, keys, timed metadata tracks or unknown boxes survive,
    and the movie header's creation time is left at zero. Audio the container cannot hold
    (a MOV's PCM in an MP4) is left out rather than refusing the copy."""
    try:
        return _remux(data, container_format, audio=True)
    except av.error.FFmpegError:
        return _remux(data, container_format, audio=False)


def _remux(data: bytes, container_format: str, *, audio: bool) -> bytes:
    out = io.BytesIO()
    with av.open(io.BytesIO(data), "r") as source:
        video = source.streams.video[0]
        keep = [video, *(source.streams.audio if audio else ())]
        with av.open(out, "w", format=container_format, options=BITEXACT) as target:
            mapping = {}
            for stream in keep:
                copy = target.add_stream_from_template(stream)
                copy.metadata.clear()
                mapping[stream.index] = copy
            target.metadata.clear()
            for packet in source.demux(keep):
                if packet.dts is None:
                    continue
                packet.stream = mapping[packet.stream.index]
                target.mux(packet)
    return out.getvalue()
