"""People and tenants: users, platforms (tenants) and the parties of a dispute."""

from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .crypto import EncryptedTextField
from .masking import mask_phone


class User(AbstractUser):
    """A person who logs in. Buyers and merchants act through their ``Party`` rows."""

    is_arbitrator = models.BooleanField(
        _("arbitrator"), default=False, help_text=_("May enter the arbitration console.")
    )

    @property
    def can_arbitrate(self) -> bool:
        return self.is_active and (self.is_arbitrator or self.is_superuser)


class Platform(models.Model):
    """An e-commerce platform that uses Tianping: the tenant every object belongs to."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    merchant_response_hours = models.PositiveIntegerField(
        _("merchant response window (hours)"), default=48
    )
    buyer_response_hours = models.PositiveIntegerField(_("buyer answer window (hours)"), default=72)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.name

    @property
    def merchant_response_window(self) -> timedelta:
        return timedelta(hours=self.merchant_response_hours)

    @property
    def buyer_response_window(self) -> timedelta:
        return timedelta(hours=self.buyer_response_hours)


class Party(models.Model):
    """A buyer or a merchant store on one platform."""

    class Kind(models.TextChoices):
        BUYER = "buyer", _("buyer")
        MERCHANT = "merchant", _("merchant")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    external_id = models.CharField(_("platform's id"), max_length=120)
    display_name = models.CharField(_("name"), max_length=120)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parties",
    )
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "kind", "external_id"], name="party_unique_per_platform"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_kind_display()})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class MerchantReport(models.Model):
    """A merchant's report of an abusive buyer (商家举报), reviewed by an arbitrator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending review")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected")

    class Category(models.TextChoices):
        FABRICATED_EVIDENCE = "fabricated_evidence", _("fabricated or AI-generated evidence")
        REFUND_ABUSE = "refund_abuse", _("repeated refund-only abuse")
        FAKE_RETURN = "fake_return", _("fake or empty return")
        HARASSMENT = "harassment", _("harassment or threats")
        OTHER = "other", _("other")

    merchant = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="reports_made")
    buyer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="reports_received")
    dispute = models.ForeignKey(
        "arbitration.Dispute", on_delete=models.PROTECT, related_name="merchant_reports"
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    statement = models.TextField(_("statement"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merchant report")
        verbose_name_plural = _("merchant reports")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "dispute"], name="one_report_per_dispute_per_merchant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant} → {self.buyer}: {self.get_category_display()}"


class ApiKey(models.Model):
    """A platform's credential for the REST API: ``tp_<prefix>_<secret>``.

    Only the sha256 of the whole key is stored; the prefix (shown in the console) finds the
    row, the hash proves the rest. The plaintext is shown once, when the key is made.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    hashed_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (tp_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """A platform's ``Idempotency-Key`` and the response it got, replayed for 24 hours.

    A row without a response status is a request still being handled (a concurrent
    duplicate of it gets 409).
    """

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["platform", "key"], name="idempotency_key_per_platform")
        ]

    def __str__(self) -> str:
        return self.key
