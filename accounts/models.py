"""People and tenants: users, platforms (tenants) and the parties of a dispute."""

from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
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


def default_reminder_hours() -> list[int]:
    return [24, 2]


class CreditTier(models.TextChoices):
    """A party's standing and what it costs or earns them (DESIGN.md §Credit)."""

    TRUSTED = "trusted", _("trusted")
    STANDARD = "standard", _("standard")
    WATCH = "watch", _("watch")
    RESTRICTED = "restricted", _("restricted")


# A party's response window: under half a day nobody can answer (0 h would default every
# claim at once), over 30 days a dispute stalls.
RESPONSE_HOURS_MIN = 12
RESPONSE_HOURS_MAX = 30 * 24
RESPONSE_HOURS = [MinValueValidator(RESPONSE_HOURS_MIN), MaxValueValidator(RESPONSE_HOURS_MAX)]


class Platform(models.Model):
    """An e-commerce platform that uses Tianping: the tenant every object belongs to."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    merchant_response_hours = models.PositiveIntegerField(
        _("merchant response window (hours)"), default=48, validators=RESPONSE_HOURS
    )
    buyer_response_hours = models.PositiveIntegerField(
        _("buyer answer window (hours)"), default=72, validators=RESPONSE_HOURS
    )
    deadline_reminder_hours = models.JSONField(
        _("deadline reminders (hours before)"),
        default=default_reminder_hours,
        help_text=_("Remind the party this many hours before a deadline, e.g. [24, 2]."),
    )
    credit_base = models.IntegerField(_("credit base score"), default=100)
    credit_half_life_days = models.PositiveIntegerField(
        _("credit half-life (days)"),
        default=180,
        validators=[MinValueValidator(1)],
        help_text=_("An event counts half as much after this many days."),
    )
    credit_trusted_from = models.IntegerField(_("trusted from score"), default=110)
    credit_watch_below = models.IntegerField(_("watch below score"), default=80)
    credit_restricted_below = models.IntegerField(_("restricted below score"), default=50)
    fast_refund_cap_fen = models.PositiveBigIntegerField(
        _("fast refund cap (fen)"),
        default=5000,
        help_text=_("Trusted buyers' claims up to this amount are refunded without waiting."),
    )
    appeal_window_days = models.PositiveIntegerField(
        _("decision appeal window (days)"),
        default=15,
        help_text=_("A party may appeal a decision this many days after it, once."),
    )
    cross_platform_matches = models.BooleanField(
        _("compare evidence with other platforms"),
        default=False,
        help_text=_(
            "Off: this platform's evidence is compared only with its own. On: also with the "
            "evidence of other platforms that opted in too; a copy found there can lead to a "
            "credit proposal."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    merchant_response_hours__gte=RESPONSE_HOURS_MIN,
                    merchant_response_hours__lte=RESPONSE_HOURS_MAX,
                    buyer_response_hours__gte=RESPONSE_HOURS_MIN,
                    buyer_response_hours__lte=RESPONSE_HOURS_MAX,
                ),
                name="platform_response_windows_sane",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_restricted_below__lte=models.F("credit_watch_below"))
                & models.Q(credit_watch_below__lte=models.F("credit_trusted_from")),
                name="platform_credit_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def merchant_response_window(self) -> timedelta:
        return timedelta(hours=self.merchant_response_hours)

    @property
    def buyer_response_window(self) -> timedelta:
        return timedelta(hours=self.buyer_response_hours)

    @property
    def appeal_window(self) -> timedelta:
        return timedelta(days=self.appeal_window_days)


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
    identity_hash = models.CharField(
        _("linked identity"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_(
            "Keyed hash of an identifier the platforms share, linking a person across them."
        ),
    )
    credit_score = models.IntegerField(_("credit score"), default=100)
    credit_tier = models.CharField(
        _("credit tier"),
        max_length=10,
        choices=CreditTier.choices,
        default=CreditTier.STANDARD,
        db_index=True,
    )
    credit_scored_at = models.DateTimeField(_("credit scored at"), null=True, blank=True)
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

    merchant = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="reports_made", verbose_name=_("merchant")
    )
    buyer = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="reports_received", verbose_name=_("buyer")
    )
    dispute = models.ForeignKey(
        "arbitration.Dispute",
        on_delete=models.PROTECT,
        related_name="merchant_reports",
        verbose_name=_("dispute"),
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    statement = models.TextField(_("statement"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

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


class HostedLink(models.Model):
    """One signed link minted for one party of one dispute (``accounts.hosted_links``).

    The row lets a link die before it expires: minting a new one for the same party and
    dispute, revoking the party's links, or a change of the account's password (the
    ``password_marker`` no longer matches) ends it, and every session it opened.
    """

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="hosted_links")
    dispute = models.ForeignKey(
        "arbitration.Dispute", on_delete=models.CASCADE, related_name="hosted_links"
    )
    nonce = models.CharField(max_length=32)
    password_marker = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hosted link")
        verbose_name_plural = _("hosted links")
        indexes = [
            models.Index(
                fields=["party", "dispute"],
                condition=models.Q(revoked_at__isnull=True),
                name="hosted_link_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} · {self.dispute_id}"


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


class CreditLine(models.Model):
    """What ledger events and proposals share: their reason, kept so that each reader sees
    it in their own language."""

    reason = models.TextField(_("reason"))
    reason_template = models.TextField(
        blank=True,
        help_text=_("The untranslated message behind the reason, shown in the reader's language."),
    )
    reason_params = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language: the message behind it translated now (values
        named ``*_label`` are translated too), or the stored text when it had none."""
        if not self.reason_template:
            return self.reason
        params = {
            key: gettext(value) if key.endswith("_label") else value
            for key, value in self.reason_params.items()
        }
        try:
            return gettext(self.reason_template) % params
        except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
            return self.reason


class CreditEvent(CreditLine):
    """One line of a party's credit ledger. The score is derived from these rows, never edited.
    What the abuse detection finds gets here only through a confirmed ``CreditProposal``.

    ``source_key`` names what caused the event (``decision:42``, ``reuse:evidence:7``) so the
    same cause never books twice; a reversal keeps the row and stamps ``reversed_at``.
    """

    class Kind(models.TextChoices):
        CLAIM_UPHELD = "claim_upheld", _("claim upheld")
        CLAIM_DENIED = "claim_denied", _("claim denied")
        EVIDENCE_FABRICATED = "evidence_fabricated", _("evidence found fabricated")
        REPORT_UPHELD = "report_upheld", _("merchant report upheld")
        IMAGE_REUSED = "image_reused", _("same image used by several accounts")
        LISTING_DAMAGED_REPEATEDLY = (
            "listing_damaged",
            _("listing photo 'damaged' in several claims"),
        )
        REFUND_ONLY_VELOCITY = "refund_velocity", _("many refund-only claims in a short time")
        LISTING_AI = "listing_ai", _("AI-generated or AI-beautified listing photo")
        NOT_AS_DESCRIBED_LOST = "not_as_described", _("dispute lost: not as described")
        ADJUSTMENT = "adjustment", _("adjustment by an arbitrator")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="credit_events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    source_key = models.CharField(max_length=120)
    dispute = models.ForeignKey(
        "arbitration.Dispute",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_events",
    )
    evidence = models.ForeignKey(
        "evidence.Evidence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_events",
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reversal_note = models.TextField(_("reversal note"), blank=True)

    class Meta:
        verbose_name = _("credit event")
        verbose_name_plural = _("credit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["party", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind", "source_key"], name="credit_event_once_per_cause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.get_kind_display()} {self.points:+d}"


class CreditProposal(CreditLine):
    """A credit event the abuse detection found (an image filed again by another account, a
    listing photo painted on in several claims, an AI listing photo, refund-only velocity),
    waiting for an arbitrator. It weighs nothing until confirmed.

    Confirming books the event on the ledger (``event``); dismissing books nothing. Either
    way the row stays, so the same cause (``source_key``, as on ``CreditEvent``) is never
    proposed twice. ``basis`` names the evidence and disputes the proposal rests on
    (``{"evidence": [ids], "disputes": [ids]}``), shown to the arbitrator beside it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an arbitrator")
        CONFIRMED = "confirmed", _("confirmed and booked")
        DISMISSED = "dismissed", _("dismissed")

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="credit_proposals", verbose_name=_("party")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CreditEvent.Kind.choices)
    points = models.IntegerField(_("points"))
    source_key = models.CharField(max_length=120)
    basis = models.JSONField(_("evidence behind it"), default=dict, blank=True)
    dispute = models.ForeignKey(
        "arbitration.Dispute",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_proposals",
    )
    evidence = models.ForeignKey(
        "evidence.Evidence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_proposals",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    event = models.OneToOneField(
        CreditEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal",
        help_text=_("The ledger line a confirmation booked."),
    )

    class Meta:
        verbose_name = _("credit proposal")
        verbose_name_plural = _("credit proposals")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="credit_proposal_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind", "source_key"], name="credit_proposal_once_per_cause"
            ),
            models.CheckConstraint(
                condition=models.Q(status="confirmed", event__isnull=False)
                | (~models.Q(status="confirmed") & models.Q(event__isnull=True)),
                name="credit_proposal_booked_iff_confirmed",
            ),
        ]

    def __str__(self) -> str:
        status = self.get_status_display()
        return f"{self.party}: {self.get_kind_display()} {self.points:+d} ({status})"


class CreditAppeal(models.Model):
    """A party contests one credit event; an arbitrator reverses or confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending review")
        REVERSED = "reversed", _("event reversed")
        CONFIRMED = "confirmed", _("event confirmed")

    event = models.ForeignKey(
        CreditEvent, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("event")
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="credit_appeals", verbose_name=_("party")
    )
    statement = models.TextField(_("statement"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit appeal")
        verbose_name_plural = _("credit appeals")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=models.Q(status="pending"),
                name="one_pending_appeal_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} appeals {self.event}"
