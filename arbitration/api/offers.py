"""Negotiation through the API: offers, answers, escalation, and reading the decision.

The platform acts for one side of its own dispute, named by ``party``; the services decide
whether that side may make the move (an illegal move is a 409, a domain rule its own 4xx).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.models import Party
from arbitration import services
from arbitration.limits import MAX_FEN, MESSAGE_MAX, STATEMENT_MAX
from arbitration.models import Decision, Dispute, Offer

from . import serializers as s
from .common import (
    ERRORS,
    IDEMPOTENCY,
    PlatformView,
    platform_disputes,
    read_input,
)
from .idempotency import idempotent
from .render import dispute_detail_data

PARTY = serializers.ChoiceField(
    choices=Party.Kind.choices, help_text="The side of the dispute the platform acts for."
)


class OfferInput(serializers.Serializer):
    party = PARTY
    remedy = serializers.ChoiceField(
        choices=Offer.Remedy.choices,
        default=Offer.Remedy.PARTIAL_REFUND,
        help_text="partial_refund (amount_fen, percent or lines), return_and_refund (the whole "
        "order, or lines) or replacement (no money).",
    )
    amount_fen = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_FEN,
        help_text="The refund offered, in fen.",
    )
    percent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100,
        help_text="Or a whole percent of the amount paid.",
    )
    lines = s.RefundLineInput(
        many=True, required=False, default=list, help_text="Or refunds of single order lines."
    )
    message = serializers.CharField(
        max_length=MESSAGE_MAX, required=False, allow_blank=True, default=""
    )


class AnswerInput(serializers.Serializer):
    party = PARTY
    message = serializers.CharField(
        max_length=MESSAGE_MAX, required=False, allow_blank=True, default=""
    )


class EscalateInput(serializers.Serializer):
    party = PARTY
    statement = serializers.CharField(
        max_length=STATEMENT_MAX, required=False, allow_blank=True, default=""
    )


def _dispute(platform, pk: int) -> Dispute:
    return get_object_or_404(platform_disputes(platform).select_related("buyer", "merchant"), pk=pk)


def _party(dispute: Dispute, kind: str) -> Party:
    return dispute.buyer if kind == Party.Kind.BUYER else dispute.merchant


class DisputeOffersView(PlatformView):
    domain_fields = {"amount": "amount_fen"}

    @extend_schema(responses={200: s.OfferOutput(many=True), **ERRORS})
    def get(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        offers = Offer.objects.filter(dispute=dispute).select_related("dispute")
        return Response(s.OfferOutput(offers.order_by("created_at", "pk"), many=True).data)

    @extend_schema(
        operation_id="disputes_offers_create",
        request=OfferInput,
        responses={201: s.OfferOutput, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Offer a settlement (merchant): a partial refund by amount, percent or "
        "order lines, a return and refund, or a replacement; or counter the pending offer "
        "(buyer).",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        data = read_input(OfferInput, request)
        offer = services.offer_make(
            dispute=dispute,
            party=_party(dispute, data["party"]),
            amount_fen=data.get("amount_fen"),
            percent=data.get("percent"),
            message=data["message"],
            remedy=data["remedy"],
            lines=[dict(line) for line in data["lines"]],
        )
        offer = Offer.objects.select_related("dispute").get(pk=offer.pk)
        return Response(s.OfferOutput(offer).data, status=status.HTTP_201_CREATED)


class OfferAcceptView(PlatformView):
    @extend_schema(
        operation_id="disputes_offers_accept",
        request=AnswerInput,
        responses={200: s.DisputeDetail, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Accept the offer waiting for this side's answer; the dispute settles.",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        data = read_input(AnswerInput, request)
        services.offer_accept(dispute=dispute, party=_party(dispute, data["party"]))
        return Response(dispute_detail_data(self.platform, pk))


class OfferRejectView(PlatformView):
    @extend_schema(
        operation_id="disputes_offers_reject",
        request=AnswerInput,
        responses={200: s.DisputeDetail, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Reject the offer waiting for this side's answer.",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        data = read_input(AnswerInput, request)
        services.offer_reject(
            dispute=dispute, party=_party(dispute, data["party"]), message=data["message"]
        )
        return Response(dispute_detail_data(self.platform, pk))


class DisputeEscalateView(PlatformView):
    @extend_schema(
        operation_id="disputes_escalate",
        request=EscalateInput,
        responses={200: s.DisputeDetail, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Ask an arbitrator to decide; pending offers lapse.",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        data = read_input(EscalateInput, request)
        services.dispute_escalate(
            dispute=dispute, party=_party(dispute, data["party"]), statement=data["statement"]
        )
        return Response(dispute_detail_data(self.platform, pk))


class DisputeDecisionView(PlatformView):
    @extend_schema(responses={200: s.DecisionOutput, **ERRORS})
    def get(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        decision = Decision.objects.filter(dispute=dispute).first()
        if decision is None:
            raise exceptions.NotFound(_("This dispute has no decision yet."))
        return Response(s.DecisionOutput(decision).data)
