"""What the console's dispute page shows after and beside the decision: the appeals and
their review form (``appeal_review``), the merchant's packing photos and photo flags, the
recovery of a fast refund and the returned-item report with its deduction form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.analysis import claim_filed_at
from evidence.models import Evidence

from .console import can_arbitrate, console
from .errors import DomainError
from .lifecycle import IllegalTransition
from .models import DecisionAppeal, Dispute, PhotoFlag, RefundRecovery, ReturnReport
from .services.appeals import appeal_review
from .services.common import yuan
from .services.flags import flag_reviewable, photo_flag_review
from .services.returns import deduction_cap, return_deduction_decide
from .settlement_forms import AppealReviewForm, DeductionForm, FlagReviewForm


def settlement_panel(dispute, user, evidence) -> dict:
    """Also gives every item its ``merchant_flag`` (or None), drawn beside its findings."""
    flags = {flag.evidence_id: flag for flag in PhotoFlag.objects.filter(dispute=dispute)}
    for item in evidence:
        item.merchant_flag = flags.get(item.pk)
    return {
        **appeal_panel(dispute, user),
        **packing_panel(dispute, evidence),
        "flag_review_open": bool(flags) and flag_reviewable(dispute),
        "flag_form": FlagReviewForm(prefix="flag"),
        "recovery": RefundRecovery.objects.filter(dispute=dispute).first(),
        **return_panel(dispute, evidence),
    }


def return_panel(dispute, evidence) -> dict:
    """The merchant's returned-item report, its photos and the deduction form; read only
    when the dispute has photos of a returned item."""
    photos = [item for item in evidence if item.role == Evidence.Role.RETURN]
    report = ReturnReport.objects.filter(dispute=dispute).first() if photos else None
    contested = report is not None and dispute.state == Dispute.State.RETURN_CONTESTED
    return {
        "return_report": report,
        "return_photos": photos,
        "deduction_cap": yuan(deduction_cap(dispute)) if contested else "",
        "deduction_form": DeductionForm(prefix="deduction") if contested else None,
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


def _console_post(request, object_id, form, invalid: str, call):
    """Run one console form: ``call(data)`` performs the service and returns the message of
    success (then back to the dispute page); bad input or a refused move re-renders the page
    with the message and a 4xx, changing nothing."""
    if not can_arbitrate(request):
        raise PermissionDenied
    if not form.is_valid():
        return _refused(request, object_id, invalid, 400)
    try:
        done = call(form.cleaned_data)
    except IllegalTransition as exc:
        return _refused(request, object_id, str(exc), 409)
    except DomainError as exc:
        return _refused(request, object_id, exc.message, exc.status)
    messages.success(request, done)
    return redirect("console:arbitration_dispute_change", object_id)


def _refused(request, object_id, message: str, status: int):
    messages.error(request, message)
    request.method = "GET"  # the page as read, not a decision
    response = console.get_model_admin(Dispute).change_view(request, str(object_id))
    response.status_code = status
    return response


@require_POST
def appeal_review_view(request, object_id, appeal_id: int):
    appeal = get_object_or_404(DecisionAppeal, pk=appeal_id, dispute_id=object_id)
    form = AppealReviewForm(request.POST, prefix="appeal")

    def call(data):
        reviewed = appeal_review(appeal=appeal, user=request.user, **form.service_kwargs())
        return _("Appeal reviewed: %(status)s.") % {"status": reviewed.get_status_display()}

    invalid = _("The review was not saved: give a verdict and the reasons.")
    return _console_post(request, object_id, form, invalid, call)


@require_POST
def flag_review_view(request, object_id, flag_id: int):
    """A flag raised after a fast refund, reviewed on its own (``photo_flag_review``)."""
    flag = get_object_or_404(PhotoFlag, pk=flag_id, dispute_id=object_id)
    form = FlagReviewForm(request.POST, prefix="flag")

    def call(data):
        reviewed = photo_flag_review(
            flag=flag, user=request.user, uphold=data["verdict"] == "uphold", note=data["note"]
        )
        return _("Flag reviewed: %(status)s.") % {"status": reviewed.get_status_display()}

    invalid = _("The review was not saved: choose uphold or dismiss.")
    return _console_post(request, object_id, form, invalid, call)


@require_POST
def deduction_view(request, object_id):
    """The arbitrator's decision on a returned-item report (``return_deduction_decide``)."""
    dispute = get_object_or_404(Dispute, pk=object_id)
    form = DeductionForm(request.POST, prefix="deduction")

    def call(data):
        refund = return_deduction_decide(
            dispute=dispute,
            user=request.user,
            deduction_fen=int(data["deduction"] * 100),
            reasons=data["reasons"],
        )
        return _("Decided: %(amount)s is refunded.") % {"amount": yuan(refund.amount_fen)}

    invalid = _("The decision was not saved: give a deduction and reasons.")
    return _console_post(request, object_id, form, invalid, call)
