"""The engine's vocabulary: signals, the report, and the context an image is judged in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

    from .fingerprints import Fingerprints

FORGERY = "forgery"
AUTHENTIC = "authentic"

# ``edited`` means the pixels were changed; ``reused`` that the picture is a copy of one
# already on file (see `aggregate`).
VERDICTS = ("ai_generated", "edited", "reused", "suspicious", "no_findings")

# What a known image is decides the signal a match with it yields (see `reuse`).
KNOWN_EVIDENCE = "evidence"  # filed in another dispute: reuse.cross_dispute
REFERENCE_LISTING, REFERENCE_PACKING = "listing", "packing"
KNOWN_OWN_LISTING = "own_listing"  # this merchant's listing photo: reuse.listing_match
KNOWN_OTHER_LISTING = "other_listing"  # another merchant's listing photo: reuse.listing_elsewhere


@dataclass(frozen=True)
class Signal:
    """One finding. Regions are {"x", "y", "w", "h"} fractions of the image size. In a
    video, `times` are the seconds of the clip where it applies (empty: the whole file,
    from its metadata); a photo's signals have none. ``message`` is ``detail`` as a
    template key and parameters (see `wording`)."""

    code: str
    score: float
    polarity: str = FORGERY
    detail: str = ""
    region: dict | None = None
    regions: list | None = None
    data: dict = field(default_factory=dict)
    times: tuple[float, ...] | None = None
    message: dict | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "score": round(float(self.score), 3),
            "polarity": self.polarity,
            "detail": self.detail,
        }
        if self.region is not None:
            out["region"] = self.region
        if self.regions:
            out["regions"] = self.regions
        if self.data:
            out["data"] = self.data
        if self.times is not None:
            out["times"] = list(self.times)
        if self.message:
            out["message"] = self.message
        return out


@dataclass(frozen=True)
class Report:
    sha256: str
    width: int
    height: int
    format: str
    forgery_score: float
    verdict: str
    signals: tuple[Signal, ...]
    metadata: dict
    heatmaps: dict[str, bytes] = field(default_factory=dict)
    fingerprints: Fingerprints | None = None  # what the worker stores for later lookups
    duration: float | None = None  # a video's length in seconds; None for a photo
    frames_analysed: int | None = None  # a video's keyframes run through the photo engine

    def codes(self) -> set[str]:
        return {s.code for s in self.signals}

    def signal(self, code: str) -> Signal | None:
        return next((s for s in self.signals if s.code == code), None)

    def to_dict(self, file: str | None = None) -> dict[str, Any]:
        """The design's JSON shape, plus `duration` and `frames_analysed` for a video;
        heatmaps travel separately (they are PNG bytes)."""
        out = {
            "file": file,
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "format": self.format,
            "forgery_score": round(float(self.forgery_score), 3),
            "verdict": self.verdict,
            "signals": [s.to_dict() for s in self.signals],
            "metadata": self.metadata,
        }
        if self.duration is not None:
            out["duration"] = round(self.duration, 3)
            out["frames_analysed"] = self.frames_analysed
        return out


@dataclass(frozen=True)
class Reference:
    """A merchant's photo of the order that a buyer's photo must not copy: a listing photo,
    or a packing photo (``kind``: the unit itself as it was sent)."""

    id: str
    image: bytes
    label: str = ""
    kind: str = REFERENCE_LISTING


@dataclass(frozen=True)
class KnownFingerprint:
    """An image already stored elsewhere: evidence of another dispute or account, or a
    listing photo of another order (`kind`, one of the ``KNOWN_*`` values).

    `fingerprints` need only the stored side (`compute(..., views=False)`). The hashes find
    candidates cropped up to 10 % per side; `image`, the stored bytes, is what `verify`
    confirms a copy against: without it no match is reported."""

    id: str
    fingerprints: Fingerprints
    label: str = ""
    image: bytes | None = None
    kind: str = KNOWN_EVIDENCE


@dataclass(frozen=True)
class Context:
    """What an image is judged against. `lookup`, when given, is called once with the
    image's fingerprints and returns more `known` images (the worker's database search), so
    the caller never decodes or hashes the image itself."""

    listing: list[Reference] = field(default_factory=list)
    known: list[KnownFingerprint] = field(default_factory=list)
    lookup: Callable[[Fingerprints], list[KnownFingerprint]] | None = None
    delivered_at: dt.datetime | dt.date | None = None
    trust_anchors_pem: str | None = None  # C2PA signers' trust list (PEM)
    tsa_anchors_pem: str | None = None  # C2PA time-stamping authorities' list (PEM)
    detector_model_path: str | None = None


class Result(NamedTuple):
    """What one analyzer hands back to `analyze`."""

    signals: list[Signal]
    heatmaps: dict[str, bytes] = {}
    metadata: dict = {}


def region(x0: float, y0: float, x1: float, y1: float, width: float, height: float) -> dict:
    """A pixel box (x0, y0)-(x1, y1) as fractions of width/height, clipped to the image."""
    x0, x1 = max(0.0, min(x0, width)), max(0.0, min(x1, width))
    y0, y1 = max(0.0, min(y0, height)), max(0.0, min(y1, height))
    return {
        "x": round(x0 / width, 4),
        "y": round(y0 / height, 4),
        "w": round((x1 - x0) / width, 4),
        "h": round((y1 - y0) / height, 4),
    }
