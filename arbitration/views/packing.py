"""The merchant's packing photos: on the orders page (before any claim) and on the dispute
page (during one). Both call ``services.packing.packing_photos_add``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from evidence.models import Evidence

from .. import selectors
from ..errors import DomainError
from ..forms import EvidenceForm
from ..models import DisputeEvent
from ..services.packing import packing_photos_add
from .common import error_message, error_status, upload_rate
from .disputes import _move, auto_id
from .pages import _merchant_orders


def _done(_result=None) -> str:
    return _(
        "Packing photos added: a buyer's photos are compared with those taken before the claim."
    )


def _refused(request, message: str, status: int):
    messages.error(request, message)
    orders = _merchant_orders(request.user)
    return render(request, "arbitration/merchant_orders.html", {"orders": orders}, status=status)


def packing_context(dispute, side) -> dict:
    """The order's packing files, for the merchant's own page only."""
    if side != DisputeEvent.Actor.MERCHANT:
        return {"packing_photos": []}
    return {
        "packing_photos": list(
            Evidence.objects.filter(order=dispute.order, role=Evidence.Role.PACKING)
        ),
        "packing_form": EvidenceForm(auto_id=auto_id("packing_form")),
    }


@login_required
@require_POST
@ratelimit(key="user", rate=upload_rate, method="POST", block=True)
def order_packing_upload(request, order_id: int):
    order = selectors.order_for_merchant(request.user, order_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, _("Choose at least one photo or video."), 400)
    try:
        packing_photos_add(
            order=order,
            party=order.merchant,
            files=form.cleaned_data["files"],
            caption=form.cleaned_data["caption"],
            user=request.user,
        )
    except DomainError as error:
        return _refused(request, error_message(error), error_status(error))
    messages.success(request, _done())
    return redirect("merchant_orders")


@login_required
@require_POST
@ratelimit(key="user", rate=upload_rate, method="POST", block=True)
def dispute_packing_upload(request, pk: int):
    return _move(
        request,
        pk,
        side=DisputeEvent.Actor.MERCHANT,
        form_class=EvidenceForm,
        form_name="packing_form",
        call=lambda dispute, party, form: packing_photos_add(
            order=dispute.order,
            party=party,
            files=form.cleaned_data["files"],
            caption=form.cleaned_data["caption"],
            user=request.user,
        ),
        done=_done,
    )
