"""Evidence files. Originals are private; the counterparty only ever sees ``safe_copy``."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Party


def _original_path(instance: "Evidence", filename: str) -> str:
    # The client's file name is never used on disk: it may carry anything.
    return f"originals/{instance.uid.hex[:2]}/{instance.uid.hex}"


def _safe_copy_path(instance: "Evidence", filename: str) -> str:
    return f"copies/{instance.uid.hex[:2]}/{instance.uid.hex}"


class Evidence(models.Model):
    class Role(models.TextChoices):
        LISTING = "listing", _("listing photo")
        BUYER = "buyer", _("buyer's evidence")
        MERCHANT = "merchant", _("merchant's evidence")

    class Kind(models.TextChoices):
        IMAGE = "image", _("photo")
        VIDEO = "video", _("video")

    class Analysis(models.TextChoices):
        PENDING = "pending", _("waiting for analysis")
        RUNNING = "running", _("being analysed")
        DONE = "done", _("analysed")
        FAILED = "failed", _("analysis failed")
        NOT_APPLICABLE = "n/a", _("not analysed (video)")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(
        "arbitration.Order", on_delete=models.CASCADE, related_name="evidence"
    )
    dispute = models.ForeignKey(
        "arbitration.Dispute",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        help_text=_("Empty for listing photos, which belong to the order."),
    )
    submitted_by = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="evidence")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    original = models.FileField(upload_to=_original_path)
    safe_copy = models.FileField(upload_to=_safe_copy_path)
    safe_copy_mime = models.CharField(max_length=40)
    format = models.CharField(_("format"), max_length=10)
    mime = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    analysis = models.CharField(
        _("analysis"),
        max_length=10,
        choices=Analysis.choices,
        default=Analysis.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["dispute", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"
