"""What a party is told: one row per (recipient, cause), read in the app and sent by e-mail.

Only the kind and the facts (``context``) are stored; the words are rendered when someone
reads them (``messages.py``), so each reader gets their own language and the e-mail the
platform's default.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Party


class Notification(models.Model):
    class Kind(models.TextChoices):
        DISPUTE_OPENED = "dispute_opened", _("dispute opened")
        OFFER_MADE = "offer_made", _("offer made")
        OFFER_COUNTERED = "offer_countered", _("counter-offer made")
        OFFER_ACCEPTED = "offer_accepted", _("offer accepted")
        OFFER_REJECTED = "offer_rejected", _("offer rejected")
        EVIDENCE_REQUESTED = "evidence_requested", _("evidence requested")
        ESCALATED = "escalated", _("sent to an arbitrator")
        DECISION_MADE = "decision_made", _("decision made")
        REFUND_COMPLETED = "refund_completed", _("refund completed")
        WITHDRAWN = "withdrawn", _("dispute withdrawn")
        EXPIRED = "expired", _("dispute expired")
        SHIPMENT = "shipment", _("shipment update")
        APPEAL = "appeal", _("decision appeal update")
        RECOVERY = "recovery", _("refund recovery")
        DEADLINE_APPROACHING = "deadline_approaching", _("deadline approaching")
        CREDIT_TIER_CHANGED = "credit_tier_changed", _("credit tier changed")
        CREDIT_APPEAL_DECIDED = "credit_appeal_decided", _("credit appeal decided")
        CREDIT_PROPOSAL_REVIEWED = "credit_proposal_reviewed", _("credit proposal reviewed")

    recipient = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="notifications")
    dispute = models.ForeignKey(
        "arbitration.Dispute",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    event = models.ForeignKey(
        "arbitration.DisputeEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    context = models.JSONField(_("facts"), default=dict, blank=True)
    dedupe_key = models.CharField(
        _("cause"),
        max_length=120,
        help_text=_("One notification per recipient and cause, however often it is processed."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(
        _("e-mail claimed at"),
        null=True,
        blank=True,
        help_text=_("Set by the worker about to send; never sent again once claimed."),
    )
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_cause"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_claimed_at__isnull=True),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotifiedEvent(models.Model):
    """Marks a dispute event whose notifications exist, so the sweep finds the ones missed."""

    event = models.OneToOneField(
        "arbitration.DisputeEvent",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notified event")
        verbose_name_plural = _("notified events")

    def __str__(self) -> str:
        return f"event {self.event_id}"
