"""Evidence files, streamed only to the people allowed to see them (everyone else: 404)."""

from django.http import FileResponse
from django.views.decorators.http import require_GET

from arbitration.selectors import evidence_file_for


def _stream(fieldfile, content_type: str) -> FileResponse:
    response = FileResponse(fieldfile.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def safe_copy(request, uid):
    """The metadata-free copy: both parties of the dispute (or order) and arbitrators."""
    item = evidence_file_for(request.user, uid)
    return _stream(item.safe_copy, item.safe_copy_mime)


@require_GET
def original(request, uid):
    """The untouched upload: only the party that submitted it, and arbitrators."""
    item = evidence_file_for(request.user, uid, original=True)
    return _stream(item.original, item.mime)
