"""Video evidence (MP4, MOV) judged by the photo engine's rules and its one aggregation.

Two sources of signals, each with the codes photos use:

- **The container's metadata** (`movmeta`; `times` empty, it is about the whole file): the
  creation time against the delivery (``timeline.captured_before_delivery``; Apple's
  creationdate, which carries its zone, else the movie header's UTC time), editing apps
  named in encoder, software, handler or compressor tags (``metadata.editing_software``),
  generators named there (``provenance.generator_metadata``), the GB 45438 label under the
  key ``AIGC`` (``provenance.aigc_label``) and C2PA in the ISO-BMFF `uuid` box, with the
  images' rules (only a hash or signature failure means changed).
- **Keyframes** (`videoio.keyframes`: the first, then scene changes, at most
  `videoio.MAX_FRAMES`), each run as a JPEG through `reuse` against the order's listing
  photos and the stored evidence: a clip of the listing photo on a screen, or a clip filed
  before, is a copy. The signal's `times` are the keyframes where it held.

Not run on video: the pixel analyzers (ELA, noise, copy-move, double JPEG, the EXIF
thumbnail) and `reuse.local_edit`, whose local difference against the listing photo reads a
codec's blocks and a screen's moiré as paint. Their thresholds were set on camera JPEGs; on
an honest re-encoded clip they would accuse. Nor ``metadata.no_camera_data``: Android's
camera writes no make or model into its clips. The visible AIGC mark is read on the opening
seconds by the worker's second stage, as for photos.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import replace

from . import (
    aigc_label,
    c2pa_manifest,
    fingerprints,
    generator,
    metadata,
    movmeta,
    reuse,
    timeline,
    videoio,
)
from .aggregate import conclude
from .decoded import decode
from .types import KNOWN_OWN_LISTING, Context, KnownFingerprint, Report, Signal
from .wording import said

MIME = {"MP4": "video/mp4", "MOV": "video/quicktime"}
NOT_ON_FRAMES = {"reuse.local_edit"}
MAKE = ("com.apple.quicktime.make", "com.android.manufacturer", "©mak")
MODEL = ("com.apple.quicktime.model", "com.android.model", "©mod")
SOFTWARE = ("com.apple.quicktime.software", "com.android.version", "©swr")
CREATED = ("com.apple.quicktime.creationdate", "©day")
# Tags where software names itself (not titles, comments or descriptions: free text).
TOOL_TAGS = (*MAKE, *MODEL, *SOFTWARE, "©too", "©enc", "encoder")


def analyze(data: bytes, context: Context, fmt: str, version: str) -> Report:
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    boxes = movmeta.read(data)
    info = videoio.describe(data)
    created = _created(boxes)
    signals = _container_signals(boxes, created, context)
    meta: dict = {"analyzer_version": version}
    meta["c2pa"] = "absent"
    if boxes.has_c2pa:
        result = c2pa_manifest.read_manifest(data, MIME.get(fmt, "video/mp4"), context)
        signals += [_whole_file(s) for s in result.signals]
        meta.update(result.metadata)
    timings["metadata"] = _ms(t0)
    t = time.perf_counter()
    frames = videoio.keyframes(data)
    timings["keyframes"] = _ms(t)
    t = time.perf_counter()
    frame_signals, poster = _frame_signals(frames, context)
    timings["reuse"] = _ms(t)
    signals, score, verdict = conclude(signals + frame_signals, meta)
    meta["video"] = {
        "codec": info.codec,
        "duration": round(info.duration, 3),
        "created_at": created.isoformat() if created else None,
        "device": {
            "make": boxes.tag(*MAKE) or None,
            "model": boxes.tag(*MODEL) or None,
            "software": boxes.tag(*SOFTWARE) or None,
        },
        "has_location": any("location" in k.lower() or k == "©xyz" for k in boxes.tags),
        "metadata_tracks": boxes.metadata_tracks,
        "keyframes": [f.time for f in frames],
    }
    if poster is not None:
        meta["fingerprints"] = poster.to_dict()
    timings["total"] = _ms(t0)
    meta["timings_ms"] = timings
    return Report(
        sha256=hashlib.sha256(data).hexdigest(),
        width=info.width,
        height=info.height,
        format=fmt,
        forgery_score=score,
        verdict=verdict,
        signals=signals,
        metadata=meta,
        fingerprints=poster,
        duration=info.duration,
        frames_analysed=len(frames),
    )


def _created(boxes: movmeta.MovieMeta) -> dt.datetime | None:
    """Apple's creationdate (local time with its zone), else the movie header (UTC)."""
    raw = boxes.tag(*CREATED)
    try:
        parsed = dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        parsed = None
    if parsed is not None and parsed.year >= movmeta.EARLIEST.year:
        return parsed
    return boxes.created


def _container_signals(
    boxes: movmeta.MovieMeta, created: dt.datetime | None, context: Context
) -> list[Signal]:
    found = [
        timeline.before_delivery(created, context.delivered_at, "timeline.video_before_delivery")
    ]
    tools = [
        (f"the clip's {key} tag", value) for key in TOOL_TAGS for value in boxes.tags.get(key, ())
    ]
    tools += [("a track's handler name", name) for name in boxes.handlers]
    tools += [("the video's compressor name", name) for name in boxes.compressors]
    if editor := metadata.editor_in(value for _, value in tools):
        where = next(w for w, v in tools if metadata.editor_in([v]) == editor)
        found.append(
            Signal(
                "metadata.editing_software",
                metadata.EDITOR_SCORE,
                **said("video.saved_by", editor=editor, where=where),
                data={"editor": editor, "modified_after_capture_s": None},
            )
        )
    if named := generator.named_in(tools):
        found.append(generator.signal(named))
    labels = [
        (f"MP4 metadata key {key}", value, True)
        for key, values in boxes.tags.items()
        if key.upper() == "AIGC" or key.upper().endswith(".AIGC")
        for value in values
    ]
    found += aigc_label.judge(labels).signals
    return [_whole_file(s) for s in found if s is not None]


def _whole_file(signal: Signal) -> Signal:
    return Signal(**{**signal.__dict__, "times": ()})


def _frame_signals(frames: list[videoio.Frame], context: Context):
    """Each keyframe through `reuse`; one signal per code, the strongest, with every time
    it held at. Returns the signals and the first keyframe's fingerprints.

    The listing photos are also handed over as known images of the merchant's own listing:
    `reuse`'s alignment assumes a crop of the photo, which a screen's bezel around it is
    not, while the verification (features and a similarity, then the cells) finds the photo
    inside the frame."""
    listing = [
        KnownFingerprint(
            ref.id,
            fingerprints.of_bytes(ref.image, views=False),
            ref.label,
            ref.image,
            KNOWN_OWN_LISTING,
        )
        for ref in context.listing
    ]
    context = replace(context, known=[*listing, *context.known])
    best: dict[str, Signal] = {}
    times: dict[str, list[float]] = {}
    first = None
    for frame in frames:
        img = decode(videoio.frame_jpeg(frame.image))
        if first is None:
            first = img.fingerprints
        for signal in reuse.run(img, context).signals:
            if signal.code in NOT_ON_FRAMES:
                continue
            times.setdefault(signal.code, []).append(frame.time)
            if signal.code not in best or signal.score > best[signal.code].score:
                best[signal.code] = signal
    out = []
    for code, signal in best.items():
        at = ", ".join(f"{t:g} s" for t in times[code])
        words = said("video.keyframes", at=at, finding=signal.message)
        out.append(Signal(**{**signal.__dict__, **words, "times": tuple(times[code])}))
    return out, first


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
