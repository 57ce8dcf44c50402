"""The recovery of a fast refund through the API: the platform reads it and reports the end.

Tianping opens a recovery when an arbitrator confirms evidence behind a fast refund
fabricated (``refund.recovery_requested``); the platform moves the money and answers here
with ``recovered`` or ``written_off``.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from arbitration.models import RefundRecovery
from arbitration.services.recoveries import NOTE_MAX, SETTLE_STEPS, recovery_settle

from .common import ERRORS, IDEMPOTENCY, PlatformView, read_input
from .idempotency import idempotent
from .offers import _dispute


class RecoverySettleInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(value, value) for value in SETTLE_STEPS])
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class RecoveryOutput(serializers.ModelSerializer):
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = RefundRecovery
        fields = [
            "id",
            "dispute",
            "amount_fen",
            "currency",
            "funded_by",
            "status",
            "evidence",
            "requested_at",
            "settled_at",
            "note",
        ]

    def get_evidence(self, recovery) -> list[str]:
        return [str(item.uid) for item in recovery.evidence.all()]


class DisputeRecoveryView(PlatformView):
    @extend_schema(responses={200: RecoveryOutput, **ERRORS})
    def get(self, request, pk: int):
        recovery = RefundRecovery.objects.filter(dispute=_dispute(self.platform, pk)).first()
        if recovery is None:
            raise Http404
        return Response(RecoveryOutput(recovery).data)

    @extend_schema(
        operation_id="disputes_recovery_settle",
        request=RecoverySettleInput,
        responses={200: RecoveryOutput, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Report how the recovery of a fast refund ended: `recovered` or "
        "`written_off` (once).",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        data = read_input(RecoverySettleInput, request)
        recovery = recovery_settle(dispute=dispute, status=data["status"], note=data["note"])
        return Response(RecoveryOutput(recovery).data)
