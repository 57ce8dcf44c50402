"""What the console's party page shows: the credit ledger, its chart, the linked accounts and
the disputes, read in a bounded number of queries."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from arbitration.models import Dispute
from arbitration.services.common import yuan

from . import credit
from .charts import score_chart
from .models import CreditAppeal, Party
from .proposal_page import proposals_for_party
from .selectors import linked_parties

DISPUTES_SHOWN = 50


def party_url(party_id: int) -> str:
    return reverse("console:accounts_party_change", args=[party_id])


def _events(party: Party, now) -> list:
    events = list(party.credit_events.select_related("dispute", "reversed_by"))
    half_life = party.platform.credit_half_life_days
    for event in events:
        event.weight = (
            0.0
            if event.reversed_at
            else round(credit.decay(event.points, event.created_at, now, half_life), 1)
        )
    return events


def _disputes(party: Party) -> list[Dispute]:
    disputes = list(
        Dispute.objects.filter(Q(buyer=party) | Q(merchant=party))
        .select_related("order", "decision", "buyer", "merchant")
        .order_by("-opened_at")[:DISPUTES_SHOWN]
    )
    for dispute in disputes:
        dispute.console_url = reverse("console:arbitration_dispute_change", args=[dispute.pk])
        dispute.party_role = (
            Party.Kind.BUYER.label if dispute.buyer_id == party.pk else Party.Kind.MERCHANT.label
        )
        dispute.counterparty = dispute.merchant if dispute.buyer_id == party.pk else dispute.buyer
        dispute.claimed_display = yuan(dispute.claimed_amount_fen)
        decision = getattr(dispute, "decision", None)
        dispute.outcome_display = decision.get_outcome_display() if decision else ""
        dispute.refund_display = yuan(decision.amount_fen) if decision else ""
    return disputes


def party_page(party: Party) -> dict:
    now = timezone.now()
    links = linked_parties(party)
    for link in links:
        link.url = party_url(link.party.pk)
    appeals = list(CreditAppeal.objects.filter(party=party).select_related("event", "reviewed_by"))
    for appeal in appeals:
        appeal.url = reverse("console:accounts_creditappeal_change", args=[appeal.pk])
    return {
        "party": party,
        "chart": score_chart(party, at=now),
        "reasons": credit.top_reasons(party, at=now),
        "events": _events(party, now),
        "appeals": appeals,
        "proposals": proposals_for_party(party),
        "links": links,
        "disputes": _disputes(party),
        "recomputed_score": credit.credit_score_at(party, now),
    }
