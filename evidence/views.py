"""Evidence files, streamed only to the people allowed to see them (everyone else: 404)."""

from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from arbitration.selectors import evidence_file_for

from . import forensics
from .derivatives import WIDTHS, derivative
from .forensics import videoio
from .models import Evidence, ForensicReport

HEATMAPS = ("ela", "noise")


def _stream(fieldfile, content_type: str) -> FileResponse:
    return _guarded(FileResponse(fieldfile.open("rb"), content_type=content_type))


def _guarded(response):
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def safe_copy(request, uid):
    """The metadata-free copy: both parties of the dispute (or order) and arbitrators.
    ``?w=`` (one of ``derivatives.WIDTHS``) asks for a photo resized for a page's srcset."""
    item = evidence_file_for(request.user, uid)
    width = request.GET.get("w")
    if width is None or item.kind != Evidence.Kind.IMAGE:
        return _stream(item.safe_copy, item.safe_copy_mime)
    if not width.isdigit() or int(width) not in WIDTHS:
        return HttpResponseBadRequest("w must be one of " + ", ".join(map(str, WIDTHS)))
    storage = item.safe_copy.storage
    return _stream(storage.open(derivative(item, int(width))), "image/jpeg")


@require_GET
def original(request, uid):
    """The untouched upload: only the party that submitted it, and arbitrators."""
    item = evidence_file_for(request.user, uid, original=True)
    return _stream(item.original, item.mime)


@require_GET
def heatmap(request, uid, kind):
    """A heatmap of the current report: arbitrators only. Parties get a 404, so a heatmap of
    the other side's original (or its very existence) never reaches them."""
    if kind not in HEATMAPS or not getattr(request.user, "can_arbitrate", False):
        raise Http404
    report = ForensicReport.objects.filter(
        evidence__uid=uid, analyzer_version=forensics.ANALYZER_VERSION
    ).first()
    fieldfile = getattr(report, f"{kind}_heatmap", None)
    if not fieldfile:
        raise Http404
    return _stream(fieldfile, "image/png")


@require_GET
def keyframe(request, uid, index):
    """One keyframe the current report of a video analysed (its strip in the console):
    arbitrators only, as the heatmaps, since it is cut from the original."""
    if not getattr(request.user, "can_arbitrate", False):
        raise Http404
    report = (
        ForensicReport.objects.filter(
            evidence__uid=uid,
            evidence__kind=Evidence.Kind.VIDEO,
            analyzer_version=forensics.ANALYZER_VERSION,
        )
        .select_related("evidence")
        .first()
    )
    times = ((report.metadata or {}).get("video") or {}).get("keyframes") or [] if report else []
    if index >= len(times):
        raise Http404
    with report.evidence.original.open("rb") as handle:
        jpeg = videoio.keyframe_at(handle.read(), float(times[index]))
    if jpeg is None:
        raise Http404
    return _guarded(HttpResponse(jpeg, content_type="image/jpeg"))
