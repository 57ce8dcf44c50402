"""Webhook endpoints, the event feed and deliveries: thin adapters over ``webhooks.services``.

Everything is read through the calling platform's own rows, so another platform's endpoint,
event or delivery is a 404.
"""

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from webhooks import services
from webhooks.models import (
    DeliveryAttempt,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

from .common import ERRORS, IDEMPOTENCY, PlatformView, read_input
from .idempotency import idempotent


# --- serializers ------------------------------------------------------------------------------
class EndpointInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
        default=list,
        help_text="Event types to receive; empty means all.",
    )
    is_active = serializers.BooleanField(required=False, default=True)


class EndpointPatch(EndpointInput):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), required=False
    )
    is_active = serializers.BooleanField(required=False)


class EndpointOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "is_active", "previous_secret_expires_at", "created_at"]


class EndpointWithSecret(EndpointOutput):
    """Only at creation and rotation: the secret is never shown again."""

    class Meta(EndpointOutput.Meta):
        fields = [*EndpointOutput.Meta.fields, "secret"]


class RotateInput(serializers.Serializer):
    grace_hours = serializers.IntegerField(
        min_value=0,
        max_value=168,
        default=24,
        help_text="How long the old secret keeps signing alongside the new one.",
    )


class WebhookEventOutput(serializers.ModelSerializer):
    created = serializers.SerializerMethodField()
    data = serializers.JSONField(source="payload")

    class Meta:
        model = WebhookEvent
        fields = ["id", "type", "created", "data"]

    def get_created(self, event: WebhookEvent) -> int:
        return int(event.created_at.timestamp())


class EventFilter(serializers.Serializer):
    type = serializers.ChoiceField(choices=EventType.choices, required=False)


class AttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["started_at", "status_code", "latency_ms", "response_excerpt", "error"]


class DeliveryOutput(serializers.ModelSerializer):
    attempt_log = AttemptOutput(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "endpoint",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_latency_ms",
            "last_response_excerpt",
            "attempt_log",
            "created_at",
        ]


# --- views ------------------------------------------------------------------------------------
def _endpoints(platform) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(platform=platform)


def _deliveries(platform) -> QuerySet[WebhookDelivery]:
    attempts = Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("pk"))
    return (
        WebhookDelivery.objects.filter(endpoint__platform=platform, event__platform=platform)
        .prefetch_related(attempts)
        .order_by("pk")
    )


class EndpointsView(generics.ListAPIView, PlatformView):
    serializer_class = EndpointOutput
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return _endpoints(self.platform).order_by("pk")

    @extend_schema(responses={200: EndpointOutput(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="webhook_endpoints_create",
        request=EndpointInput,
        responses={201: EndpointWithSecret, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Register a receiver. The response carries its signing secret, once.",
    )
    @idempotent
    def post(self, request):
        data = read_input(EndpointInput, request)
        endpoint = services.endpoint_create(platform=self.platform, **data)
        return Response(EndpointWithSecret(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointView(PlatformView):
    def _get(self, pk: int) -> WebhookEndpoint:
        return get_object_or_404(_endpoints(self.platform), pk=pk)

    @extend_schema(responses={200: EndpointOutput, **ERRORS})
    def get(self, request, pk: int):
        return Response(EndpointOutput(self._get(pk)).data)

    @extend_schema(request=EndpointPatch, responses={200: EndpointOutput, **ERRORS})
    def patch(self, request, pk: int):
        endpoint = self._get(pk)
        data = read_input(EndpointPatch, request, partial=True)
        endpoint = services.endpoint_update(endpoint=endpoint, **data)
        return Response(EndpointOutput(endpoint).data)

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, pk: int):
        services.endpoint_delete(endpoint=self._get(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateView(PlatformView):
    @extend_schema(
        operation_id="webhook_endpoints_rotate_secret",
        request=RotateInput,
        responses={200: EndpointWithSecret, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="A new secret; deliveries carry both signatures until the grace ends.",
    )
    @idempotent
    def post(self, request, pk: int):
        endpoint = get_object_or_404(_endpoints(self.platform), pk=pk)
        data = read_input(RotateInput, request)
        endpoint = services.endpoint_rotate_secret(
            endpoint=endpoint, grace=timedelta(hours=data["grace_hours"])
        )
        return Response(EndpointWithSecret(endpoint).data)


class EventsView(generics.ListAPIView, PlatformView):
    serializer_class = WebhookEventOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookEvent.objects.none()
        filters = EventFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = WebhookEvent.objects.filter(platform=self.platform)
        if event_type := filters.validated_data.get("type"):
            queryset = queryset.filter(type=event_type)
        return queryset

    @extend_schema(
        parameters=[EventFilter], responses={200: WebhookEventOutput(many=True), **ERRORS}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EventDeliveriesView(PlatformView):
    @extend_schema(responses={200: DeliveryOutput(many=True), **ERRORS})
    def get(self, request, pk: int):
        event = get_object_or_404(WebhookEvent.objects.filter(platform=self.platform), pk=pk)
        deliveries = _deliveries(self.platform).filter(event=event)
        return Response(DeliveryOutput(deliveries, many=True).data)


class RedeliverView(PlatformView):
    @extend_schema(
        operation_id="deliveries_redeliver",
        request=None,
        responses={201: DeliveryOutput, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Send the delivery's event to its endpoint again, as a new delivery.",
    )
    @idempotent
    def post(self, request, pk: int):
        delivery = get_object_or_404(_deliveries(self.platform), pk=pk)
        fresh = services.delivery_redeliver(delivery=delivery)
        fresh = _deliveries(self.platform).get(pk=fresh.pk)
        return Response(DeliveryOutput(fresh).data, status=status.HTTP_201_CREATED)
