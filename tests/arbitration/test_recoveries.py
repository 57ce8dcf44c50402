"""Recovering a fast refund: the merchant flags a photo behind it, an arbitrator upholds the
flag, a recovery of the platform's money is requested, and the platform reports its end."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import CreditEvent
from accounts.services import api_key_create
from arbitration import lifecycle
from arbitration.errors import DomainError
from arbitration.models import DisputeEvent, RefundRecovery
from arbitration.services.flags import photo_flag, photo_flag_review
from arbitration.services.recoveries import recovery_settle
from evidence.models import Evidence
from tests.arbitration.test_credit_rules import claim, put_in_tier
from tests.factories import PlatformFactory
from tests.pages.conftest import client_for
from webhooks.models import WebhookEvent


@pytest.fixture
def fast_refunded(order, buyer):
    put_in_tier(buyer, "trusted")
    order.platform.fast_refund_cap_fen = 10000
    order.platform.save()
    dispute = claim(order, buyer)
    dispute.refresh_from_db()
    assert dispute.decision.source == "fast_refund"
    return dispute


@pytest.fixture
def flagged(fast_refunded, merchant):
    photo = Evidence.objects.get(dispute=fast_refunded, role="buyer")
    return photo_flag(
        dispute=fast_refunded, party=merchant, evidence_id=photo.pk, reason="ai_generated"
    )


def test_upholding_a_flag_after_a_fast_refund_requests_the_recovery(
    fast_refunded, flagged, buyer, arbitrator
):
    photo_flag_review(flag=flagged, user=arbitrator, uphold=True, note="Generated image.")

    recovery = RefundRecovery.objects.get(dispute=fast_refunded)
    assert (recovery.status, recovery.amount_fen, recovery.funded_by) == (
        "requested",
        10000,
        "platform",
    )
    assert list(recovery.evidence.all()) == [flagged.evidence]
    hook = WebhookEvent.objects.get(type="refund.recovery_requested")
    assert (hook.payload["amount_fen"], hook.payload["funded_by"]) == (10000, "platform")
    assert CreditEvent.objects.filter(party=buyer, kind="evidence_fabricated").count() == 1
    event = DisputeEvent.objects.get(dispute=fast_refunded, action="recovery_requested")
    assert event.actor == "arbitrator"


def test_dismissing_the_flag_recovers_nothing_and_costs_nothing(
    fast_refunded, flagged, buyer, arbitrator
):
    photo_flag_review(flag=flagged, user=arbitrator, uphold=False)

    assert not RefundRecovery.objects.exists()
    assert not CreditEvent.objects.filter(party=buyer, kind="evidence_fabricated").exists()


def test_the_recovery_ends_recovered_or_written_off_once(fast_refunded, flagged, arbitrator):
    photo_flag_review(flag=flagged, user=arbitrator, uphold=True)

    recovery = recovery_settle(dispute=fast_refunded, status="recovered", note="Paid back.")

    assert (recovery.status, recovery.note) == ("recovered", "Paid back.")
    assert recovery.settled_at is not None
    assert WebhookEvent.objects.get(type="refund.recovery_settled").payload["status"] == (
        "recovered"
    )
    with pytest.raises(lifecycle.IllegalTransition):
        recovery_settle(dispute=fast_refunded, status="written_off")
    with pytest.raises(DomainError):
        recovery_settle(dispute=fast_refunded, status="lost")


def test_a_dispute_without_a_recovery_has_nothing_to_settle(dispute):
    with pytest.raises(DomainError, match="Nothing is being recovered"):
        recovery_settle(dispute=dispute, status="recovered")


def test_only_an_arbitrator_requests_a_recovery(fast_refunded):
    recovery = RefundRecovery(dispute=fast_refunded, amount_fen=1, funded_by="platform")
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.advance(
            fast_refunded,
            recovery,
            lifecycle.RECOVERY_STEPS,
            "recovery_requested",
            actor="platform",
        )
    assert not RefundRecovery.objects.exists()


def test_both_parties_see_the_recovery_on_their_page(fast_refunded, flagged, arbitrator):
    photo_flag_review(flag=flagged, user=arbitrator, uphold=True)
    url = reverse("dispute", args=[fast_refunded.pk])

    merchant_page = client_for(fast_refunded.merchant.user).get(url).content.decode()
    buyer_page = client_for(fast_refunded.buyer.user).get(url).content.decode()

    assert "paid by the platform, is being recovered from the buyer" in merchant_page
    assert "The platform is recovering the ¥100.00 it refunded to you." in buyer_page


def test_the_console_reviews_the_flag_after_a_fast_refund(fast_refunded, flagged, arbitrator):
    console = client_for(arbitrator)
    url = reverse("console:arbitration_dispute_flag_review", args=[fast_refunded.pk, flagged.pk])
    page = console.get(
        reverse("console:arbitration_dispute_change", args=[fast_refunded.pk])
    ).content.decode()
    assert f'data-testid="flag-review-{flagged.evidence_id}"' in page

    console.post(url, {"flag-verdict": "maybe"})
    assert not RefundRecovery.objects.exists()
    console.post(url, {"flag-verdict": "uphold", "flag-note": "AI."})

    assert RefundRecovery.objects.get().status == "requested"
    page = console.get(
        reverse("console:arbitration_dispute_change", args=[fast_refunded.pk])
    ).content.decode()
    assert 'data-testid="console-recovery"' in page


def test_the_platform_reads_and_settles_the_recovery_by_api(fast_refunded, flagged, arbitrator):
    photo_flag_review(flag=flagged, user=arbitrator, uphold=True)
    _key, plaintext = api_key_create(platform=fast_refunded.platform, name="t")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")
    url = f"/api/v1/disputes/{fast_refunded.pk}/recovery"

    assert api.get(url).json()["status"] == "requested"
    assert api.post(url, {"status": "gone"}, format="json").status_code == 400
    done = api.post(url, {"status": "written_off", "note": "Buyer unreachable."}, format="json")
    again = api.post(url, {"status": "recovered"}, format="json")

    assert done.status_code == 200 and done.json()["status"] == "written_off"
    assert again.status_code == 409
    _other, other_key = api_key_create(platform=PlatformFactory(slug="other"), name="t")
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert stranger.get(url).status_code == 404
