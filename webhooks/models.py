"""Endpoints a platform registers, the events Tianping emits, and every attempt to deliver."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Platform


class EventType(models.TextChoices):
    DISPUTE_CREATED = "dispute.created", "dispute.created"
    DISPUTE_UPDATED = "dispute.updated", "dispute.updated"
    DISPUTE_DECIDED = "dispute.decided", "dispute.decided"
    OFFER_CREATED = "offer.created", "offer.created"
    OFFER_ACCEPTED = "offer.accepted", "offer.accepted"
    EVIDENCE_ANALYZED = "evidence.analyzed", "evidence.analyzed"
    EVIDENCE_REQUESTED = "dispute.evidence_requested", "dispute.evidence_requested"
    DEADLINE_APPROACHING = "dispute.deadline_approaching", "dispute.deadline_approaching"
    CREDIT_TIER_CHANGED = "credit.tier_changed", "credit.tier_changed"
    APPEAL_DECIDED = "dispute.appeal_decided", "dispute.appeal_decided"
    RECOVERY_REQUESTED = "refund.recovery_requested", "refund.recovery_requested"
    RECOVERY_SETTLED = "refund.recovery_settled", "refund.recovery_settled"


class WebhookEndpoint(models.Model):
    """A platform's receiver. ``events`` empty means every event type."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(max_length=80)
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookEvent(models.Model):
    """Something that happened, in the shape platforms receive it; also the polling feed."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices, db_index=True)
    payload = models.JSONField(_("data"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint, retried until it succeeds or gives up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed, will retry")
        GAVE_UP = "gave_up", _("gave up")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, db_index=True)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(_("last latency (ms)"), null=True, blank=True)
    last_response_excerpt = models.CharField(_("last response"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class DeliveryAttempt(models.Model):
    """One POST: what came back (or the error), and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(_("started at"))
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery} @ {self.started_at:%Y-%m-%d %H:%M:%S}"
