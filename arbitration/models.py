"""The dispute domain: orders, disputes, offers, decisions, refunds and the audit trail.

Rows here are data; the rules that change them live in ``lifecycle.py`` (which state may
follow which) and ``services/`` (the use cases). Money is always integer fen.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import CreditTier, Party, Platform


class Order(models.Model):
    """An order pushed by the platform; the thing a dispute is about."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(_("order number"), max_length=120)
    buyer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="orders_bought")
    merchant = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="orders_sold")
    title = models.CharField(_("title"), max_length=200)
    items = models.JSONField(
        _("items"),
        default=list,
        help_text=_("Lines as {sku, title, quantity, unit_price_fen}."),
    )
    amount_fen = models.PositiveBigIntegerField(_("amount paid (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    placed_at = models.DateTimeField(_("placed at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="order_unique_per_platform"
            )
        ]

    def __str__(self) -> str:
        return f"{self.external_id} · {self.title}"


class Dispute(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("open")
        AWAITING_MERCHANT = "awaiting_merchant", _("awaiting merchant")
        NEGOTIATING = "negotiating", _("negotiating")
        UNDER_REVIEW = "under_review", _("under review")
        DECIDED = "decided", _("decided")
        AWAITING_RETURN = "awaiting_return", _("awaiting the return")
        RETURN_IN_TRANSIT = "return_in_transit", _("return in transit")
        REFUNDING = "refunding", _("refund under way")
        AWAITING_REPLACEMENT = "awaiting_replacement", _("awaiting the replacement")
        REPLACEMENT_SHIPPED = "replacement_shipped", _("replacement shipped")
        REFUNDED = "refunded", _("refunded")
        CLOSED = "closed", _("closed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        EXPIRED = "expired", _("expired")

    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("not received")
        DAMAGED = "damaged", _("damaged")
        NOT_AS_DESCRIBED = "not_as_described", _("not as described")
        COUNTERFEIT = "counterfeit", _("counterfeit")
        MISSING_PARTS = "missing_parts", _("missing parts")
        OTHER = "other", _("other")

    class Remedy(models.TextChoices):
        REFUND_ONLY = "refund_only", _("refund only")
        RETURN_AND_REFUND = "return_and_refund", _("return and refund")
        PARTIAL_REFUND = "partial_refund", _("partial refund")
        REPLACEMENT = "replacement", _("replacement")

    class Side(models.TextChoices):
        """Whose move it is: the party a deadline runs against."""

        BUYER = "buyer", _("buyer")
        MERCHANT = "merchant", _("merchant")
        ARBITRATOR = "arbitrator", _("arbitrator")
        NOBODY = "", _("nobody")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="disputes")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    buyer = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="disputes_as_buyer")
    merchant = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="disputes_as_merchant"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    remedy = models.CharField(_("requested remedy"), max_length=20, choices=Remedy.choices)
    description = models.TextField(_("description"))
    claimed_amount_fen = models.PositiveBigIntegerField(_("amount claimed (fen)"))
    merchant_statement = models.TextField(_("merchant's response"), blank=True)
    waiting_on = models.CharField(
        _("waiting on"), max_length=10, choices=Side.choices, default=Side.NOBODY, blank=True
    )
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    risk_score = models.FloatField(_("risk"), default=0.0, db_index=True)
    buyer_tier = models.CharField(
        _("buyer's credit tier at opening"), max_length=10, choices=CreditTier.choices, blank=True
    )
    review_required = models.BooleanField(
        _("arbitrator must review"),
        default=False,
        help_text=_("Set by the buyer's tier or the findings: no automatic outcome."),
    )
    review_reason = models.CharField(_("why review is required"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    evidence_closed_at = models.DateTimeField(_("evidence closed at"), null=True, blank=True)
    review_due_at = models.DateTimeField(
        _("review due"),
        null=True,
        blank=True,
        help_text=_("When an arbitrator should have decided; moved on by paused time."),
    )
    review_paused_at = models.DateTimeField(
        _("review clock paused since"),
        null=True,
        blank=True,
        help_text=_("Set while an arbitrator waits for evidence a party was asked for."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at"]
        permissions = [
            (
                "export_full_dossier",
                _("Can export case files with the buyer's personal data unmasked"),
            )
        ]
        indexes = [
            models.Index(fields=["platform", "state", "opened_at"]),
            # The API's list: a platform's disputes newest first (by id), with or without a
            # state filter, walked in index order instead of other platforms' rows.
            models.Index(fields=["platform", "id"], name="dispute_platform_id"),
            models.Index(fields=["platform", "state", "id"], name="dispute_platform_state_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(
                    state__in=["open", "awaiting_merchant", "negotiating", "under_review"]
                ),
                name="one_active_dispute_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.order.external_id}"

    @staticmethod
    def reference_of(pk: int) -> str:
        """The reference parties and platforms quote, e.g. ``TP-000042``."""
        return f"TP-{pk:06d}"

    @property
    def reference(self) -> str:
        return self.reference_of(self.pk)


class Offer(models.Model):
    """A proposed settlement; the other side accepts, rejects or counters it.

    A partial refund (by amount, percent or order lines), a return and refund (of the whole
    order or of some lines) or a replacement. ``amount_fen`` is what would be paid: 0 for a
    replacement.
    """

    class Remedy(models.TextChoices):
        PARTIAL_REFUND = "partial_refund", _("partial refund")
        RETURN_AND_REFUND = "return_and_refund", _("return and refund")
        REPLACEMENT = "replacement", _("replacement")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting answer")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        COUNTERED = "countered", _("countered")
        LAPSED = "lapsed", _("lapsed")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="offers")
    made_by = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="offers_made")
    remedy = models.CharField(
        _("remedy"), max_length=20, choices=Remedy.choices, default=Remedy.PARTIAL_REFUND
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    percent = models.PositiveSmallIntegerField(
        _("percent of the order"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Set when the offer was made as a percentage."),
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    counter_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="counter"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=models.Q(status="pending"),
                name="one_pending_offer_per_dispute",
            )
        ]

    def __str__(self) -> str:
        return f"{self.made_by} offers {self.amount_fen} fen"


class Decision(models.Model):
    """How a dispute ended: by an arbitrator, by agreement, or by a lapsed deadline."""

    class Outcome(models.TextChoices):
        FULL_REFUND = "full_refund", _("full refund")
        PARTIAL_REFUND = "partial_refund", _("partial refund")
        RETURN_AND_REFUND = "return_and_refund", _("return and refund")
        REPLACEMENT = "replacement", _("replacement")
        NO_REFUND = "no_refund", _("no refund")

    class Source(models.TextChoices):
        ARBITRATOR = "arbitrator", _("arbitrator")
        AGREEMENT = "agreement", _("agreement between the parties")
        MERCHANT_ACCEPTED = "merchant_accepted", _("merchant accepted the claim")
        DEADLINE = "deadline", _("deadline lapsed")
        FAST_REFUND = "fast_refund", _("fast refund for a trusted buyer")

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    amount_fen = models.PositiveBigIntegerField(_("refund (fen)"))
    reasoning = models.TextField(_("reasoning"))
    source = models.CharField(_("decided by"), max_length=20, choices=Source.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    evidence_relied_on = models.ManyToManyField(
        "evidence.Evidence", blank=True, related_name="decisions"
    )
    suggested_outcome = models.CharField(
        _("suggested outcome"), max_length=20, choices=Outcome.choices, blank=True
    )
    suggested_amount_fen = models.PositiveBigIntegerField(
        _("suggested refund (fen)"), null=True, blank=True
    )
    suggestion = models.JSONField(
        _("suggestion and its reasons"),
        default=dict,
        blank=True,
        help_text=_("What the console suggested, why, and how the decision differs from it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {self.amount_fen} fen"


class Refund(models.Model):
    """Money owed to the buyer after a decision; the platform's payment rail settles it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="refund")
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reference = models.CharField(_("payment reference"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.amount_fen} fen ({self.get_status_display()})"


class RefundLine(models.Model):
    """One order line refunded (or offered to be): how many units, how much and why.

    Belongs to exactly one decision or one offer. ``sku``, ``title`` and ``unit_price_fen``
    are copied from ``Order.items[line_index]`` so a later change of the order's lines does
    not rewrite what was refunded.
    """

    class Reason(models.TextChoices):
        DAMAGED = "damaged", _("damaged")
        MISSING = "missing", _("missing")
        WRONG_ITEM = "wrong_item", _("wrong item")
        NOT_AS_DESCRIBED = "not_as_described", _("not as described")
        OTHER = "other", _("other")

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, null=True, blank=True, related_name="lines"
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="lines"
    )
    line_index = models.PositiveSmallIntegerField(_("order line"))
    sku = models.CharField(_("SKU"), max_length=120, blank=True)
    title = models.CharField(_("item"), max_length=200)
    unit_price_fen = models.PositiveBigIntegerField(_("unit price (fen)"))
    quantity = models.PositiveIntegerField(_("quantity"))
    amount_fen = models.PositiveBigIntegerField(_("refund (fen)"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)

    class Meta:
        verbose_name = _("refund line")
        verbose_name_plural = _("refund lines")
        ordering = ["line_index"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__isnull=True, offer__isnull=False)
                | models.Q(decision__isnull=False, offer__isnull=True),
                name="refund_line_of_decision_or_offer",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1) & models.Q(amount_fen__gte=1),
                name="refund_line_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    amount_fen__lte=models.F("quantity") * models.F("unit_price_fen")
                ),
                name="refund_line_at_most_paid",
            ),
            models.UniqueConstraint(
                fields=["decision", "line_index"], name="refund_line_once_per_decision"
            ),
            models.UniqueConstraint(
                fields=["offer", "line_index"], name="refund_line_once_per_offer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} × {self.quantity}: {self.amount_fen} fen"


class Shipment(models.Model):
    """A parcel sent to carry out a decision: the buyer's return or the merchant's replacement."""

    class Kind(models.TextChoices):
        RETURN = "return", _("return")
        REPLACEMENT = "replacement", _("replacement")

    class Carrier(models.TextChoices):
        SF = "sf", _("SF Express")
        JD = "jd", _("JD Logistics")
        ZTO = "zto", _("ZTO Express")
        YTO = "yto", _("YTO Express")
        STO = "sto", _("STO Express")
        YUNDA = "yunda", _("Yunda Express")
        EMS = "ems", _("China Post EMS")
        OTHER = "other", _("other carrier")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="shipments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    carrier = models.CharField(_("carrier"), max_length=10, choices=Carrier.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=40)
    shipped_by = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="shipments")
    shipped_at = models.DateTimeField(_("shipped at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who confirmed receipt; empty when the deadline confirmed it."),
    )

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["shipped_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "kind"], name="one_shipment_per_kind"),
            models.CheckConstraint(
                condition=~models.Q(tracking_number=""), name="shipment_has_tracking_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_carrier_display()} {self.tracking_number}"


class EvidenceRequest(models.Model):
    """An arbitrator asks one party for more evidence by a due time; the review clock waits."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        FULFILLED = "fulfilled", _("fulfilled")
        LAPSED = "lapsed", _("lapsed")
        CLOSED = "closed", _("closed by the decision")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence_requests")
    side = models.CharField(_("asked of"), max_length=10, choices=Dispute.Side.choices)
    what = models.TextField(_("what is asked for"))
    due_at = models.DateTimeField(_("due by"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    evidence = models.ManyToManyField(
        "evidence.Evidence", blank=True, related_name="evidence_requests"
    )

    class Meta:
        verbose_name = _("evidence request")
        verbose_name_plural = _("evidence requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(side__in=["buyer", "merchant"]),
                name="evidence_request_of_a_party",
            ),
            models.UniqueConstraint(
                fields=["dispute", "side"],
                condition=models.Q(status="open"),
                name="one_open_evidence_request_per_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.what[:40]}"


class DisputeEvent(models.Model):
    """One line of a dispute's audit trail: who did what, when, and the state it moved."""

    class Actor(models.TextChoices):
        BUYER = "buyer", _("buyer")
        MERCHANT = "merchant", _("merchant")
        ARBITRATOR = "arbitrator", _("arbitrator")
        PLATFORM = "platform", _("platform")
        SYSTEM = "system", _("system")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    actor = models.CharField(_("actor"), max_length=12, choices=Actor.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    from_state = models.CharField(max_length=20, choices=Dispute.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=Dispute.State.choices, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dispute event")
        verbose_name_plural = _("dispute events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["dispute", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"


class DecisionAppeal(models.Model):
    """A party's appeal of a decision, reviewed by an arbitrator who did not make it.

    ``status`` moves only through ``lifecycle.APPEAL_STEPS`` (``services/appeals.py``). On an
    overturn ``outcome``/``amount_fen`` say what the decision should have been and
    ``adjustment_fen`` what is owed because of it: positive, the buyer is owed more; negative,
    the buyer owes that much back. The original ``Decision`` row is never rewritten.
    """

    class Status(models.TextChoices):
        FILED = "filed", _("awaiting review")
        UPHELD = "upheld", _("decision upheld")
        OVERTURNED = "overturned", _("decision overturned")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="appeals")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="appeals")
    side = models.CharField(_("appealed by"), max_length=10, choices=Dispute.Side.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    statement = models.TextField(_("statement"))
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="appeals")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.FILED, db_index=True
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    review_due_at = models.DateTimeField(_("review due"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    outcome = models.CharField(
        _("outcome on appeal"), max_length=20, choices=Decision.Outcome.choices, blank=True
    )
    amount_fen = models.PositiveBigIntegerField(_("refund on appeal (fen)"), null=True, blank=True)
    adjustment_fen = models.BigIntegerField(_("adjustment (fen)"), default=0)

    class Meta:
        verbose_name = _("decision appeal")
        verbose_name_plural = _("decision appeals")
        ordering = ["filed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(side__in=["buyer", "merchant"]), name="appeal_by_a_party"
            ),
            models.UniqueConstraint(fields=["decision", "side"], name="one_appeal_per_side"),
            models.UniqueConstraint(
                fields=["dispute"],
                condition=models.Q(status="filed"),
                name="one_open_appeal_per_dispute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.get_status_display()}"

    @property
    def owed_fen(self) -> int:
        """How much changes hands because of the overturn, whichever way."""
        return abs(self.adjustment_fen)


class PhotoFlag(models.Model):
    """The merchant says one of the buyer's photos is fake, and why (``services/flags.py``).

    A flag weighs nothing by itself: an arbitrator upholds it (confirming the photo
    fabricated, which alone books a credit event) or dismisses it.
    """

    class Reason(models.TextChoices):
        AI_GENERATED = "ai_generated", _("made with AI")
        EDITED = "edited", _("edited: the defect was painted or pasted on")
        NOT_THIS_ITEM = "not_this_item", _("not the item I sent")
        COPIED = "copied", _("copied from elsewhere")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        FLAGGED = "flagged", _("awaiting the arbitrator")
        UPHELD = "upheld", _("upheld: the photo is fabricated")
        DISMISSED = "dismissed", _("dismissed")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="photo_flags")
    evidence = models.OneToOneField(
        "evidence.Evidence", on_delete=models.CASCADE, related_name="photo_flag"
    )
    reason = models.CharField(_("why"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FLAGGED, db_index=True
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("photo flag")
        verbose_name_plural = _("photo flags")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.get_status_display()}"


class RefundRecovery(models.Model):
    """Money paid out that is to be won back: a fast refund whose evidence an arbitrator found
    fabricated (``services/recoveries.py``). The platform moves the money and tells Tianping
    how it ended; this row is the ledger of it."""

    class Funder(models.TextChoices):
        PLATFORM = "platform", _("the platform")
        MERCHANT = "merchant", _("the merchant")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("being recovered")
        RECOVERED = "recovered", _("recovered")
        WRITTEN_OFF = "written_off", _("written off")

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="recovery")
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="recoveries"
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    funded_by = models.CharField(_("funded by"), max_length=10, choices=Funder.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    evidence = models.ManyToManyField(
        "evidence.Evidence", blank=True, related_name="recoveries", verbose_name=_("fabricated")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("refund recovery")
        verbose_name_plural = _("refund recoveries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gte=1), name="recovery_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount_fen} fen ({self.get_status_display()})"
