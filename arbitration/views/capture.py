"""The in-app camera page of a dispute and the upload its script sends each shot to.

The page opens the phone's camera in the browser (``static/js/capture.js``) and carries a
one-time token; every upload answers JSON with the next token, so each shot is stored once.
Without a camera, or when the permission is refused, the page says so and offers the normal
upload on the dispute page.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from evidence.models import Evidence

from .. import lifecycle, selectors
from ..errors import DomainError
from ..models import Dispute, DisputeEvent
from ..services.capture import CAPTURE_MAX_SIDE, capture_token_make, evidence_capture_add
from .common import error_message, error_status, upload_rate


def _own_captures(dispute: Dispute, party):
    """Every shot the party sent from the camera page, live or not."""
    return Evidence.objects.filter(
        dispute=dispute, submitted_by=party, capture_nonce__isnull=False
    ).order_by("created_at")


@login_required
def capture_page(request, pk: int):
    dispute, party, side = selectors.dispute_for_user(request.user, pk)
    open_for_evidence = dispute.state in lifecycle.EVIDENCE_STATES
    context = {
        "dispute": dispute,
        "party": party,
        "is_buyer": side == DisputeEvent.Actor.BUYER,
        "is_draft": dispute.state == Dispute.State.OPEN,
        "open_for_evidence": open_for_evidence,
        "token": capture_token_make(dispute=dispute, party=party) if open_for_evidence else "",
        "max_side": CAPTURE_MAX_SIDE,
        "captures": _own_captures(dispute, party),
    }
    return render(request, "arbitration/capture.html", context)


def _drawn(post) -> tuple[int, int] | None:
    """The canvas size the page reports, or None if it sent none that reads as one."""
    try:
        width, height = int(post.get("width", "")), int(post.get("height", ""))
    except ValueError:
        return None
    return (width, height) if width > 0 and height > 0 else None


@login_required
@require_POST
@ratelimit(key="user", rate=upload_rate, method="POST", block=True)
def capture_upload(request, pk: int):
    """One shot from the camera page: JSON with the stored photo, whether it counts as
    captured live, and the next token."""
    dispute, party, _side = selectors.dispute_for_user(request.user, pk)
    try:
        item = evidence_capture_add(
            dispute=dispute,
            party=party,
            token=request.POST.get("token", ""),
            upload=request.FILES.get("photo"),
            drawn=_drawn(request.POST),
            user=request.user,
        )
    except DomainError as error:
        body = {"error": {"code": error.code, "message": error_message(error)}}
        if dispute.state in lifecycle.EVIDENCE_STATES:
            body["token"] = capture_token_make(dispute=dispute, party=party)
        return JsonResponse(body, status=error_status(error))
    live = item.captured_live_at is not None
    return JsonResponse(
        {
            "evidence": {
                "uid": str(item.uid),
                "url": reverse("evidence_file", args=[item.uid]),
                "captured_live_at": item.captured_live_at.isoformat() if live else None,
                "live": live,
            },
            "token": capture_token_make(dispute=dispute, party=party),
        },
        status=201,
    )
