"""What every page view shares: the upload rate limit and service errors as user messages."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evidence.services import RejectedUpload

from ..lifecycle import IllegalTransition
from ..models import Dispute

# The intake validator is pure Python without Django, so its messages are translated here,
# by their stable codes.
UPLOAD_MESSAGES = {
    "empty": gettext_lazy("The file is empty. Choose a photo or video and try again."),
    "too_large": gettext_lazy("This file is too large. The limit is %(limit)s."),
    "unsupported_type": gettext_lazy(
        "This file is not a supported photo or video. "
        "Upload a JPEG, PNG, WebP, HEIC or GIF photo, or an MP4 or MOV video."
    ),
    "too_many_pixels": gettext_lazy(
        "This image is too large to process safely (more than %(limit)s, "
        "or too many animation frames). Upload a smaller photo."
    ),
    "truncated": gettext_lazy(
        "This file is incomplete; the upload may have been cut off. Please upload it again."
    ),
    "corrupt": gettext_lazy("This file is damaged and cannot be opened as a photo or video."),
    "audio_only": gettext_lazy("This file has sound but no picture. Upload a video or a photo."),
    "unsupported_codec": gettext_lazy(
        "This video is encoded in a format we cannot check. "
        "Upload it as recorded by a phone or camera (H.264 or HEVC)."
    ),
    "too_long": gettext_lazy("This video is too long. The limit is %(limit)s."),
    "video_too_large": gettext_lazy(
        "This video's picture is too large (more than %(limit)s). Upload it at 4K or less."
    ),
    "polyglot": gettext_lazy(
        "This file contains hidden extra data besides the photo or video and was refused. "
        "Upload the original file from your camera or phone."
    ),
    "too_many_files": gettext_lazy("Upload at most %(limit)s files at a time."),
}


def upload_rate(group, request) -> str:
    """Read at request time so a changed setting (or a test's override) takes effect."""
    return settings.UPLOAD_RATE_LIMIT


def error_message(error: Exception) -> str:
    """The message a user sees for a refused action, in the user's language."""
    if isinstance(error, IllegalTransition):
        state = Dispute.State(error.state).label if error.state else ""
        return _("That is no longer possible: the dispute is now %(state)s.") % {"state": state}
    if isinstance(error, RejectedUpload) and error.code in UPLOAD_MESSAGES:
        cause = error.__cause__
        params = dict(getattr(cause, "params", {}) or {})
        params.setdefault("limit", settings.EVIDENCE_MAX_FILES_PER_UPLOAD)
        text = str(UPLOAD_MESSAGES[error.code]) % params
        if cause is not None and error.message.endswith(f": {cause.message}"):
            name = error.message[: -len(cause.message) - 2]
            return f"{name}: {text}"
        return text
    return str(getattr(error, "message", error))


def error_status(error: Exception) -> int:
    """409 for a move the dispute's state no longer allows, else the error's own 4xx."""
    if isinstance(error, IllegalTransition):
        return 409
    return getattr(error, "status", 400)
