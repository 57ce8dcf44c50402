"""Appeals of a decision through the API: the platform files one for a party and reads them.

The files are the appeal's new evidence (multipart ``files``); the review happens in the
console, and its outcome reaches the platform as ``dispute.appeal_decided``.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from arbitration.models import DecisionAppeal, DisputeEvent
from arbitration.services.appeals import STATEMENT_MAX, appeal_file

from .common import ERRORS, IDEMPOTENCY, PlatformView, read_input
from .idempotency import idempotent
from .offers import PARTY, _dispute, _party


class AppealInput(serializers.Serializer):
    party = PARTY
    statement = serializers.CharField(max_length=STATEMENT_MAX)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class AppealOutput(serializers.ModelSerializer):
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = DecisionAppeal
        fields = [
            "id",
            "dispute",
            "decision",
            "side",
            "status",
            "statement",
            "evidence",
            "filed_at",
            "review_due_at",
            "reviewed_at",
            "reasons",
            "outcome",
            "amount_fen",
            "adjustment_fen",
        ]

    def get_evidence(self, appeal) -> list[str]:
        return [str(item.uid) for item in appeal.evidence.all()]


class DisputeAppealsView(PlatformView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses={200: AppealOutput(many=True), **ERRORS})
    def get(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        appeals = DecisionAppeal.objects.filter(dispute=dispute).prefetch_related("evidence")
        return Response(AppealOutput(appeals, many=True).data)

    @extend_schema(
        operation_id="disputes_appeals_create",
        request=AppealInput,
        responses={201: AppealOutput, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Appeal the dispute's decision for a party, once per party, within the "
        "platform's window, with a statement and optional new files (multipart `files`).",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = _dispute(self.platform, pk)
        data = read_input(AppealInput, request)
        appeal = appeal_file(
            dispute=dispute,
            party=_party(dispute, data["party"]),
            statement=data["statement"],
            files=data["files"],
            actor=DisputeEvent.Actor.PLATFORM,
        )
        return Response(AppealOutput(appeal).data, status=status.HTTP_201_CREATED)
