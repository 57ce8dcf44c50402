"""Analyse evidence files (photos and videos) from disk under the upload rules: what
`manage.py analyze_image` and `bench/accuracy.py` share, so the calibration figures are the
command's own results."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from . import analyze, analyze_video, fingerprints, videoio
from .intake import Inspected, RejectedFile, inspect_file
from .types import Context, KnownFingerprint, Reference, Report


def read_evidence(path: str | Path, limits: dict | None = None) -> tuple[bytes, Inspected]:
    """The file's bytes and description if an upload of it would be accepted; else
    RejectedFile."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RejectedFile("unreadable", f"Cannot read {path}: {exc.strerror}.") from exc
    try:
        return data, inspect_file(io.BytesIO(data), **(limits or {}))
    except RejectedFile as exc:
        raise RejectedFile(exc.code, f"{path}: {exc.message}", exc.params) from exc


def read_image(path: str | Path, limits: dict | None = None) -> bytes:
    """A listing photo's bytes: it must be accepted as an image."""
    data, inspected = read_evidence(path, limits)
    if inspected.kind != "image":
        raise RejectedFile("not_an_image", f"{path}: a listing photo must be a photo.")
    return data


def context_for(
    *,
    listing: Sequence[str | Path] = (),
    known: Sequence[str | Path] = (),
    delivered_at: dt.date | None = None,
    limits: dict | None = None,
    trust_anchors_pem: str | None = None,
    tsa_anchors_pem: str | None = None,
    detector_model_path: str | None = None,
) -> Context:
    """A Context whose listing photos and known evidence are read from files."""
    return Context(
        listing=[Reference(str(p), read_image(p, limits), Path(p).name) for p in listing],
        known=[_known(p, limits) for p in known],
        delivered_at=delivered_at,
        trust_anchors_pem=trust_anchors_pem,
        tsa_anchors_pem=tsa_anchors_pem,
        detector_model_path=detector_model_path,
    )


def _known(path: str | Path, limits: dict | None) -> KnownFingerprint:
    """Evidence on file; a video is known by its first keyframe, as the worker stores it."""
    data, inspected = read_evidence(path, limits)
    if inspected.kind == "video":
        data = videoio.poster(data)
    stored = fingerprints.of_bytes(data, views=False)
    return KnownFingerprint(str(path), stored, Path(path).name, image=data)


def analyze_path(path: str | Path, context: Context, limits: dict | None = None) -> Report:
    """Refuse the file as an upload would be refused, else analyse it as a photo or video."""
    data, inspected = read_evidence(path, limits)
    if inspected.kind == "video":
        return analyze_video(data, context, inspected.format)
    return analyze(data, context)
