"""What the console's dispute page shows after and beside the decision: the appeals and
their review form (``appeal_review``), the merchant's packing photos and photo flags."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.analysis import claim_filed_at
from evidence.models import Evidence

from .console import can_arbitrate
from .errors import DomainError
from .lifecycle import ACTIVE_STATES, IllegalTransition
from .models import DecisionAppeal, PhotoFlag, RefundRecovery
from .services.appeals import appeal_review
from .services.flags import flag_window_open, photo_flag_review
from .settlement_forms import AppealReviewForm, FlagReviewForm


def settlement_panel(dispute, user, evidence) -> dict:
    """Also gives every item its ``merchant_flag`` (or None), drawn beside its findings."""
    flags = {flag.evidence_id: flag for flag in PhotoFlag.objects.filter(dispute=dispute)}
    for item in evidence:
        item.merchant_flag = flags.get(item.pk)
    return {
        **appeal_panel(dispute, user),
        **packing_panel(dispute, evidence),
        "flag_review_open": flag_window_open(dispute) and dispute.state not in ACTIVE_STATES,
        "flag_form": FlagReviewForm(prefix="flag"),
        "recovery": RefundRecovery.objects.filter(dispute=dispute).first(),
    }


def packing_panel(dispute, evidence) -> dict:
    """The order's packing photos, each marked whether it counts (taken before the claim)."""
    filed = claim_filed_at(dispute)
    packing = [item for item in evidence if item.role == Evidence.Role.PACKING]
    for item in packing:
        item.counts = item.taken_at is not None and item.taken_at < filed
    return {"packing": packing}


def appeal_panel(dispute, user) -> dict:
    """Every appeal of the dispute, and whether this arbitrator may review the open one."""
    appeals = list(
        DecisionAppeal.objects.filter(dispute=dispute)
        .select_related("decision", "reviewed_by", "filed_by")
        .prefetch_related("evidence")
    )
    open_appeal = next((a for a in appeals if a.status == DecisionAppeal.Status.FILED), None)
    own_decision = open_appeal is not None and open_appeal.decision.decided_by_id == user.pk
    return {
        "appeals": appeals,
        "open_appeal": open_appeal,
        "appeal_own_decision": own_decision,
        "appeal_form": AppealReviewForm(prefix="appeal"),
    }


@require_POST
def appeal_review_view(request, object_id, appeal_id: int):
    if not can_arbitrate(request):
        raise PermissionDenied
    appeal = get_object_or_404(DecisionAppeal, pk=appeal_id, dispute_id=object_id)
    form = AppealReviewForm(request.POST, prefix="appeal")
    back = redirect("console:arbitration_dispute_change", object_id)
    if not form.is_valid():
        messages.error(request, _("The review was not saved: give a verdict and the reasons."))
        return back
    try:
        appeal = appeal_review(appeal=appeal, user=request.user, **form.service_kwargs())
    except (DomainError, IllegalTransition) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
        return back
    messages.success(
        request,
        _("Appeal reviewed: %(status)s.") % {"status": appeal.get_status_display()},
    )
    return back


@require_POST
def flag_review_view(request, object_id, flag_id: int):
    """A flag raised after a fast refund, reviewed on its own (``photo_flag_review``)."""
    if not can_arbitrate(request):
        raise PermissionDenied
    flag = get_object_or_404(PhotoFlag, pk=flag_id, dispute_id=object_id)
    form = FlagReviewForm(request.POST, prefix="flag")
    back = redirect("console:arbitration_dispute_change", object_id)
    if not form.is_valid():
        messages.error(request, _("The review was not saved: choose uphold or dismiss."))
        return back
    try:
        flag = photo_flag_review(
            flag=flag,
            user=request.user,
            uphold=form.cleaned_data["verdict"] == "uphold",
            note=form.cleaned_data["note"],
        )
    except (DomainError, IllegalTransition) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
        return back
    messages.success(
        request, _("Flag reviewed: %(status)s.") % {"status": flag.get_status_display()}
    )
    return back
