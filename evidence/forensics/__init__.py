"""Tianping's forensic engine: pure Python, no Django.

`analyze(image_bytes, context)` decodes once, runs every analyzer on the shared arrays and
aggregates their signals into a `Report`. The image is hashed once too: the report carries
its fingerprints, and a caller that searches stored fingerprints (the worker) passes
`Context.lookup` instead of hashing the image itself. The worker and `manage.py analyze_image` both
call it; bump ANALYZER_VERSION whenever a result could change. `analyze_video` judges an
MP4 or MOV by the same rules (see `video`).
"""

from __future__ import annotations

import time

from . import (
    ai_edit,
    aigc_label,
    c2pa_manifest,
    copy_move,
    detector,
    double_jpeg,
    ela,
    generator,
    iptc_source,
    metadata,
    noise,
    reuse,
    thumbnail,
    timeline,
    video,
    watermark,
)
from .aggregate import conclude
from .decoded import decode
from .fingerprints import Fingerprints
from .types import (
    KNOWN_EVIDENCE,
    KNOWN_OTHER_LISTING,
    KNOWN_OWN_LISTING,
    REFERENCE_LISTING,
    REFERENCE_PACKING,
    VERDICTS,
    Context,
    KnownFingerprint,
    Reference,
    Report,
    Signal,
)

ANALYZER_VERSION = "2026.2"

ANALYZERS = {
    "c2pa": c2pa_manifest.run,
    "aigc_label": aigc_label.run,
    "iptc": iptc_source.run,
    "generator": generator.run,
    "ai_edit": ai_edit.run,
    "watermark": watermark.run,
    "metadata": metadata.run,
    "thumbnail": thumbnail.run,
    "timeline": timeline.run,
    "reuse": reuse.run,
    "noise": noise.run,
    "copy_move": copy_move.run,
    "double_jpeg": double_jpeg.run,
    "ela": ela.run,  # last: its re-compression runs in the background meanwhile
}

__all__ = [
    "ANALYZERS",
    "ANALYZER_VERSION",
    "KNOWN_EVIDENCE",
    "KNOWN_OTHER_LISTING",
    "KNOWN_OWN_LISTING",
    "REFERENCE_LISTING",
    "REFERENCE_PACKING",
    "VERDICTS",
    "Context",
    "Fingerprints",
    "KnownFingerprint",
    "Reference",
    "Report",
    "Signal",
    "analyze",
    "analyze_video",
]


def analyze(image_bytes: bytes, context: Context | None = None) -> Report:
    context = context or Context()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    img = decode(image_bytes)
    ela.start(img)
    timings["decode"] = _ms(t0)
    signals: list[Signal] = []
    heatmaps: dict[str, bytes] = {}
    meta: dict = {"analyzer_version": ANALYZER_VERSION}
    for name, run in ANALYZERS.items():
        t = time.perf_counter()
        result = run(img, context)
        timings[name] = _ms(t)
        signals += result.signals
        heatmaps.update(result.heatmaps)
        meta.update(result.metadata)
    t = time.perf_counter()
    result = detector.run(image_bytes, context)
    timings["detector"] = _ms(t)
    signals += result.signals
    meta.update(result.metadata)
    signals, score, verdict = conclude(signals, meta)
    timings["total"] = _ms(t0)
    meta["timings_ms"] = timings
    return Report(
        sha256=img.sha256,
        width=img.width,
        height=img.height,
        format=img.format,
        forgery_score=score,
        verdict=verdict,
        signals=signals,
        metadata=meta,
        heatmaps=heatmaps,
        fingerprints=img.fingerprints,
    )


def analyze_video(data: bytes, context: Context | None = None, fmt: str = "MP4") -> Report:
    """The report on a clip intake accepted as `fmt` (MP4 or MOV)."""
    return video.analyze(data, context or Context(), fmt, ANALYZER_VERSION)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
