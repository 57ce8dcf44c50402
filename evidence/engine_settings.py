"""The forensic engine's settings as the engine takes them: one reading for the upload form,
the worker and the command line, so all three judge a file by the same limits and anchors."""

from pathlib import Path

from django.conf import settings


def upload_limits() -> dict:
    """`inspect_file` keywords from the EVIDENCE_MAX_* settings."""
    return {
        "max_bytes": settings.EVIDENCE_MAX_IMAGE_BYTES,
        "max_video_bytes": settings.EVIDENCE_MAX_VIDEO_BYTES,
        "max_pixels": settings.EVIDENCE_MAX_PIXELS,
        "max_video_seconds": settings.EVIDENCE_MAX_VIDEO_SECONDS,
        "max_video_side": settings.EVIDENCE_MAX_VIDEO_SIDE,
        "max_video_pixels": settings.EVIDENCE_MAX_VIDEO_PIXELS,
    }


def trust_anchors() -> str | None:
    """The configured C2PA signers' trust list (PEM text), if any."""
    path = settings.C2PA_TRUST_ANCHORS
    return Path(path).read_text() if path else None


def tsa_anchors() -> str | None:
    """The configured C2PA time-stamping authorities' trust list (PEM text), if any."""
    path = settings.C2PA_TSA_TRUST_ANCHORS
    return Path(path).read_text() if path else None


def detector_model_path() -> str | None:
    return settings.FORENSICS_DETECTOR_MODEL or None
