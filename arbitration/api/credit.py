"""A party's credit standing, for the platform's own screens and rules.

The score and tier are the stored ones (``Party.credit_score`` as of ``scored_at``, refreshed
on every event and hourly for decay) and the reasons are weighed at that same moment, so the
numbers always add up. Another platform's party is not found (404).
"""

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts import credit
from accounts.models import CreditEvent, CreditTier, Party

from .common import ERRORS, PlatformView


class CreditReason(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CreditEvent.Kind.choices)
    label = serializers.CharField(help_text="The kind in the caller's language.")
    reason = serializers.CharField(help_text="What happened, as recorded with the event.")
    points = serializers.IntegerField(help_text="What the event was worth when booked.")
    weight = serializers.FloatField(help_text="What it weighs in the score after decay.")
    created_at = serializers.DateTimeField()


class PartyCredit(serializers.Serializer):
    score = serializers.IntegerField()
    tier = serializers.ChoiceField(choices=CreditTier.choices)
    reasons = CreditReason(many=True, help_text="The events that move the score most.")
    scored_at = serializers.DateTimeField(
        allow_null=True, help_text="When the score was computed; null: never, the base score."
    )


class PartyCreditView(PlatformView):
    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=Party.Kind.values),
            OpenApiParameter("external_id", str, OpenApiParameter.PATH),
        ],
        responses={200: PartyCredit, **ERRORS},
    )
    def get(self, request, kind: str, external_id: str):
        party = get_object_or_404(
            Party.objects.select_related("platform"),
            platform=self.platform,
            kind=kind,
            external_id=external_id,
        )
        reasons = credit.top_reasons(party, at=party.credit_scored_at)
        return Response(
            PartyCredit(
                {
                    "score": party.credit_score,
                    "tier": party.credit_tier,
                    "reasons": [asdict(r) for r in reasons],
                    "scored_at": party.credit_scored_at,
                }
            ).data
        )
