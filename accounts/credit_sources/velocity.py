"""Refund-only velocity: many refund-only claims by one buyer in a short window."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from ..credit import reason_of
from ..models import CreditProposal, Party
from .common import Kind, propose


def credit_for_dispute_opened(dispute) -> CreditProposal | None:
    """A buyer who opens ``CREDIT_VELOCITY_CLAIMS`` refund-only claims within
    ``CREDIT_VELOCITY_DAYS`` is proposed once for that window: a count is not a verdict (a
    buyer may simply have had bad luck with a seller)."""
    from arbitration.models import Dispute

    if dispute.remedy != Dispute.Remedy.REFUND_ONLY:
        return None
    window = timedelta(days=settings.CREDIT_VELOCITY_DAYS)
    since = timezone.now() - window
    buyer = Party.objects.select_for_update().get(pk=dispute.buyer_id)  # one proposal at a time
    recent = list(
        Dispute.objects.filter(
            buyer=buyer, remedy=Dispute.Remedy.REFUND_ONLY, opened_at__gte=since
        ).values_list("pk", flat=True)
    )
    if len(recent) < settings.CREDIT_VELOCITY_CLAIMS:
        return None
    # A dismissed proposal counts too: an arbitrator who cleared the pattern is not asked
    # again by the next claim of the same window.
    if buyer.credit_proposals.filter(
        kind=Kind.REFUND_ONLY_VELOCITY, created_at__gte=since
    ).exists():
        return None
    return propose(
        buyer,
        Kind.REFUND_ONLY_VELOCITY,
        reason_of(
            gettext_noop(
                "%(count)d refund-only claims within %(days)d days (the latest: %(ref)s)."
            ),
            count=len(recent),
            days=window.days,
            ref=dispute.reference,
        ),
        f"velocity:{dispute.pk}",
        basis={"evidence": [], "disputes": sorted(recent)},
        dispute=dispute,
    )
