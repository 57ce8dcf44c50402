"""The steps of a return or a replacement through the API, for the side the platform acts for.

The platform names the side (``party``); the state machine decides whether that side may take
the step now (409 otherwise), as on the parties' pages.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Party
from arbitration.models import Dispute, Shipment
from arbitration.services import remedies

from . import serializers as s
from .common import ERRORS, IDEMPOTENCY, PlatformView, platform_disputes, read_input
from .idempotency import idempotent
from .render import dispute_detail_data

PARTY = serializers.ChoiceField(
    choices=Party.Kind.choices, help_text="The side of the dispute the platform acts for."
)


class StepInput(serializers.Serializer):
    party = PARTY


class ShipmentInput(serializers.Serializer):
    party = PARTY
    carrier = serializers.ChoiceField(choices=Shipment.Carrier.choices)
    tracking_number = serializers.CharField(
        max_length=60, help_text="6 to 40 letters, digits or dashes."
    )


def _dispute_and_party(platform, pk: int, kind: str) -> tuple[Dispute, Party]:
    dispute = get_object_or_404(
        platform_disputes(platform).select_related("buyer", "merchant"), pk=pk
    )
    return dispute, dispute.buyer if kind == Party.Kind.BUYER else dispute.merchant


class _Step(PlatformView):
    input_class = StepInput

    def step(self, dispute, party, data):
        raise NotImplementedError

    @idempotent
    def post(self, request, pk: int):
        data = read_input(self.input_class, request)
        dispute, party = _dispute_and_party(self.platform, pk, data["party"])
        self.step(dispute, party, data)
        return Response(dispute_detail_data(self.platform, pk))


def _ship_schema(operation_id: str, description: str):
    return extend_schema(
        operation_id=operation_id,
        request=ShipmentInput,
        responses={200: s.DisputeDetail, **ERRORS},
        parameters=[IDEMPOTENCY],
        description=description,
    )


def _step_schema(operation_id: str, description: str):
    return extend_schema(
        operation_id=operation_id,
        request=StepInput,
        responses={200: s.DisputeDetail, **ERRORS},
        parameters=[IDEMPOTENCY],
        description=description,
    )


class ReturnShipView(_Step):
    input_class = ShipmentInput

    def step(self, dispute, party, data):
        remedies.return_ship(
            dispute=dispute,
            party=party,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )

    @_ship_schema("disputes_return_ship", "The buyer sent the item back: its tracking number.")
    def post(self, request, pk: int):
        return super().post(request, pk)


class ReturnAcknowledgeView(_Step):
    def step(self, dispute, party, data):
        remedies.return_acknowledge(dispute=dispute, party=party)

    @_step_schema(
        "disputes_return_acknowledge",
        "The merchant confirms the return arrived; the refund is then paid.",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class ReplacementShipView(_Step):
    input_class = ShipmentInput

    def step(self, dispute, party, data):
        remedies.replacement_ship(
            dispute=dispute,
            party=party,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )

    @_ship_schema(
        "disputes_replacement_ship", "The merchant sent the replacement: its tracking number."
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class ReplacementConfirmView(_Step):
    def step(self, dispute, party, data):
        remedies.replacement_confirm(dispute=dispute, party=party)

    @_step_schema(
        "disputes_replacement_confirm",
        "The buyer confirms the replacement arrived; the dispute closes.",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)
