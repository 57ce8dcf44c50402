"""Serializers of the API: one per purpose, input or output, no rules (those are services)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Party
from arbitration.limits import (
    CURRENCIES,
    DESCRIPTION_MAX,
    EARLIEST,
    LATEST,
    MAX_FEN,
    MAX_ORDER_LINES,
    MAX_QUANTITY,
)
from arbitration.models import (
    Decision,
    Dispute,
    DisputeEvent,
    EvidenceRequest,
    Offer,
    Order,
    RefundLine,
    Shipment,
)
from evidence.models import Evidence, ForensicReport
from evidence.selectors import findings_summary


# --- orders ---------------------------------------------------------------------------------
class PartyInput(serializers.Serializer):
    external_id = serializers.CharField(max_length=120)
    name = serializers.CharField(max_length=120)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    city = serializers.CharField(max_length=60, required=False, allow_blank=True)


class ItemInput(serializers.Serializer):
    sku = serializers.CharField(max_length=120, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_price_fen = serializers.IntegerField(min_value=0, max_value=MAX_FEN)


def in_range(value):
    if value is not None and not EARLIEST <= value < LATEST:
        raise serializers.ValidationError(
            _("Give a time between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST.year, "latest": LATEST.year}
        )


class OrderInput(serializers.Serializer):
    external_id = serializers.CharField(max_length=120)
    buyer = PartyInput()
    merchant = PartyInput()
    title = serializers.CharField(max_length=200)
    amount_fen = serializers.IntegerField(
        min_value=1, max_value=MAX_FEN, help_text="Amount paid, in fen."
    )
    currency = serializers.ChoiceField(
        choices=sorted(CURRENCIES), default="CNY", help_text="An ISO 4217 code."
    )
    items = ItemInput(many=True, required=False, default=list, max_length=MAX_ORDER_LINES)
    placed_at = serializers.DateTimeField(required=False, validators=[in_range])
    delivered_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, validators=[in_range]
    )


class PartyOutput(serializers.ModelSerializer):
    """Who a party is, without its phone or address (stored encrypted, never echoed)."""

    name = serializers.CharField(source="display_name")

    class Meta:
        model = Party
        fields = ["external_id", "name", "city"]


class OrderOutput(serializers.ModelSerializer):
    buyer = PartyOutput()
    merchant = PartyOutput()
    items = serializers.ListField(child=serializers.DictField())
    disputes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "external_id",
            "title",
            "amount_fen",
            "currency",
            "items",
            "placed_at",
            "delivered_at",
            "buyer",
            "merchant",
            "disputes",
            "created_at",
        ]


# --- disputes -------------------------------------------------------------------------------
class DisputeFilter(serializers.Serializer):
    state = serializers.ChoiceField(choices=Dispute.State.choices, required=False)
    order = serializers.CharField(max_length=120, required=False, help_text="Order external id.")


class DisputeInput(serializers.Serializer):
    order = serializers.CharField(max_length=120, help_text="The order's external id.")
    reason = serializers.ChoiceField(choices=Dispute.Reason.choices)
    remedy = serializers.ChoiceField(choices=Dispute.Remedy.choices)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    claimed_amount_fen = serializers.IntegerField(
        min_value=1, max_value=MAX_FEN, required=False, help_text="Defaults to the order's amount."
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="Photos or videos (multipart); required for damaged, not_as_described, "
        "counterfeit and missing_parts.",
    )


class DisputeSummary(serializers.ModelSerializer):
    order = serializers.CharField(source="order.external_id")

    class Meta:
        model = Dispute
        fields = [
            "id",
            "reference",
            "order",
            "state",
            "reason",
            "remedy",
            "claimed_amount_fen",
            "waiting_on",
            "deadline_at",
            "opened_at",
            "updated_at",
        ]


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = DisputeEvent
        fields = ["action", "actor", "from_state", "to_state", "payload", "created_at"]


class RefundLineInput(serializers.Serializer):
    """One order line to refund: which (0-based index into the order's items), how many units,
    how much and why. At most what was paid for those units and not yet refunded."""

    line = serializers.IntegerField(
        min_value=0, max_value=MAX_ORDER_LINES - 1, help_text="Index into the order's items."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    amount_fen = serializers.IntegerField(min_value=1, max_value=MAX_FEN)
    reason = serializers.ChoiceField(choices=RefundLine.Reason.choices)


class RefundLineOutput(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_index")

    class Meta:
        model = RefundLine
        fields = ["line", "sku", "title", "unit_price_fen", "quantity", "amount_fen", "reason"]


class ShipmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Shipment
        fields = ["kind", "carrier", "tracking_number", "shipped_at", "received_at"]


class EvidenceRequestOutput(serializers.ModelSerializer):
    class Meta:
        model = EvidenceRequest
        fields = ["id", "side", "what", "due_at", "status", "created_at", "fulfilled_at"]


class OfferOutput(serializers.ModelSerializer):
    made_by = serializers.SerializerMethodField()
    lines = RefundLineOutput(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "made_by",
            "remedy",
            "amount_fen",
            "percent",
            "lines",
            "message",
            "status",
            "created_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Party.Kind.choices))
    def get_made_by(self, offer: Offer) -> str:
        buyer = offer.made_by_id == offer.dispute.buyer_id
        return Party.Kind.BUYER if buyer else Party.Kind.MERCHANT


class DecisionOutput(serializers.ModelSerializer):
    lines = RefundLineOutput(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["outcome", "amount_fen", "lines", "reasoning", "source", "created_at"]


def _counts(choices, help_text: str) -> serializers.Serializer:
    """An object with one integer per choice value (the count of that value)."""
    fields = {value: serializers.IntegerField() for value in choices.values}
    return type(f"{choices.__name__}Counts", (serializers.Serializer,), fields)(help_text=help_text)


class FindingsSide(serializers.Serializer):
    evidence = serializers.IntegerField(help_text="Photos and videos this side submitted.")
    analysis = _counts(Evidence.Analysis, "How many files are in each analysis state.")
    verdicts = _counts(ForensicReport.Verdict, "Current reports by verdict.")
    highest_forgery_score = serializers.FloatField(
        allow_null=True, help_text="0-1, the highest of the current reports; null before any."
    )
    signals = serializers.ListField(
        child=serializers.CharField(), help_text="Distinct forgery signal codes found."
    )


class FindingsOutput(serializers.Serializer):
    """``evidence.selectors.findings_summary``: the forensic findings at a glance."""

    buyer = FindingsSide()
    merchant = FindingsSide()


class DisputeDetail(DisputeSummary):
    findings = serializers.SerializerMethodField()
    buyer = PartyOutput()
    merchant = PartyOutput()
    timeline = EventOutput(source="events", many=True)
    offers = OfferOutput(many=True)
    decision = DecisionOutput(allow_null=True)
    shipments = ShipmentOutput(many=True, read_only=True)
    evidence_requests = EvidenceRequestOutput(many=True, read_only=True)

    class Meta(DisputeSummary.Meta):
        fields = [
            *DisputeSummary.Meta.fields,
            "description",
            "merchant_statement",
            "buyer_tier",
            "review_required",
            "review_reason",
            "buyer",
            "merchant",
            "offers",
            "decision",
            "shipments",
            "evidence_requests",
            "review_due_at",
            "findings",
            "timeline",
        ]

    @extend_schema_field(FindingsOutput)
    def get_findings(self, dispute: Dispute) -> dict:
        return findings_summary(dispute.pk)


class HostedLinks(serializers.Serializer):
    buyer = serializers.URLField(help_text="Opens the dispute page as the buyer, no login needed.")
    merchant = serializers.URLField(help_text="Opens it as the merchant.")


class HostedLinksOutput(serializers.Serializer):
    """Signed links for the parties (``accounts.hosted_links.HostedLinks``)."""

    links = HostedLinks(source="*")
    expires_at = serializers.DateTimeField(help_text="Until when both links work.")


class DisputeCreated(DisputeDetail):
    """The new dispute, with links to hand its buyer and merchant (``dispute.hosted``)."""

    links = HostedLinks(source="hosted", read_only=True)
    expires_at = serializers.DateTimeField(
        source="hosted.expires_at", read_only=True, help_text="Until when both links work."
    )

    class Meta(DisputeDetail.Meta):
        fields = [*DisputeDetail.Meta.fields, "links", "expires_at"]


# --- evidence -------------------------------------------------------------------------------
class EvidenceInput(serializers.Serializer):
    party = serializers.ChoiceField(
        choices=Party.Kind.choices, help_text="Whose evidence: the buyer's or the merchant's."
    )
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReportOutput(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=ForensicReport.Verdict.choices,
        help_text="`edited`: pixels were changed; `reused`: a copy of a photo already on file.",
    )
    forgery_score = serializers.FloatField()
    signals = serializers.ListField(child=serializers.CharField(), help_text="Signal codes.")


class EvidenceOutput(serializers.ModelSerializer):
    report = serializers.SerializerMethodField(
        help_text="The current forensic report, once analysed."
    )

    class Meta:
        model = Evidence
        fields = [
            "uid",
            "role",
            "kind",
            "caption",
            "format",
            "mime",
            "size",
            "sha256",
            "width",
            "height",
            "analysis",
            "report",
            "taken_at",
            "created_at",
        ]

    @extend_schema_field(ReportOutput(allow_null=True))
    def get_report(self, item: Evidence) -> dict | None:
        report = self.context.get("reports", {}).get(item.pk)
        if report is None:
            return None
        return {
            "verdict": report.verdict,
            "forgery_score": report.forgery_score,
            "signals": [signal.code for signal in report.signals.all()],
        }


class Error(serializers.Serializer):
    """The body of every error response."""

    class Body(serializers.Serializer):
        code = serializers.CharField()
        message = serializers.CharField()
        details = serializers.DictField()

    error = Body()
