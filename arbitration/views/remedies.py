"""The steps of a return or a replacement on the dispute page, and the evidence an arbitrator
asked the party for. Each POST goes through ``disputes._move`` like every other move."""

from dataclasses import replace

from django.utils.translation import gettext as _

from .. import lifecycle
from ..forms import ShipmentForm
from ..models import DisputeEvent, RefundLine, Shipment
from ..services import remedies
from ..services.requests import open_request, review_due
from .disputes import _move, _post_view, auto_id

Actor = DisputeEvent.Actor


def remedy_context(dispute, party, side, moves) -> dict:
    """What the remedy panel and the evidence request notice need; ``moves`` gains the upload
    form when an arbitrator asked this party for evidence."""
    request = open_request(dispute, side)
    shipments = list(Shipment.objects.filter(dispute=dispute))
    return {
        "moves": replace(moves, add_evidence=True) if request else moves,
        "evidence_request": request,
        "review_due": review_due(dispute),
        "remedy_under_way": dispute.state in lifecycle.FULFILMENT_STATES,
        "shipments": shipments,
        "return_shipment": next((s for s in shipments if s.kind == Shipment.Kind.RETURN), None),
        "replacement_shipment": next(
            (s for s in shipments if s.kind == Shipment.Kind.REPLACEMENT), None
        ),
        "decision_lines": list(RefundLine.objects.filter(decision__dispute=dispute)),
        "return_code": remedies.return_code(dispute),
        "ship_form": ShipmentForm(auto_id=auto_id("ship_form")),
    }


def _ship(request, pk, *, side, service, done):
    return _move(
        request,
        pk,
        side=side,
        form_class=ShipmentForm,
        form_name="ship_form",
        call=lambda dispute, party, form: service(
            dispute=dispute,
            party=party,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
            user=request.user,
        ),
        done=done,
    )


@_post_view
def return_ship(request, pk: int):
    return _ship(
        request,
        pk,
        side=Actor.BUYER,
        service=remedies.return_ship,
        done=_("The return's tracking number was sent to the merchant."),
    )


@_post_view
def return_acknowledge(request, pk: int):
    return _move(
        request,
        pk,
        side=Actor.MERCHANT,
        call=lambda dispute, party, form: remedies.return_acknowledge(
            dispute=dispute, party=party, user=request.user
        ),
        done=_("You confirmed the return arrived. The buyer is being refunded."),
    )


@_post_view
def replacement_ship(request, pk: int):
    return _ship(
        request,
        pk,
        side=Actor.MERCHANT,
        service=remedies.replacement_ship,
        done=_("The replacement's tracking number was sent to the buyer."),
    )


@_post_view
def replacement_confirm(request, pk: int):
    return _move(
        request,
        pk,
        side=Actor.BUYER,
        call=lambda dispute, party, form: remedies.replacement_confirm(
            dispute=dispute, party=party, user=request.user
        ),
        done=_("You confirmed the replacement arrived. The dispute is closed."),
    )
