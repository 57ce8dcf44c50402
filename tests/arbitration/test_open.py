"""dispute_open: evidence stored, deadline set, one active dispute per order, bad input refused."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from arbitration import services
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import Dispute, DisputeEvent
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def open_claim(order, buyer, **overrides):
    fields = {
        "order": order,
        "buyer": buyer,
        "reason": "damaged",
        "remedy": "refund_only",
        "description": "  The mug arrived cracked.  ",
        "files": [jpeg_upload()],
        "user": buyer.user,
    }
    return services.dispute_open(**{**fields, **overrides})


def stored_files(tmp_path):
    root = tmp_path / "private"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_it_opens_a_dispute_and_hands_it_to_the_merchant(order, buyer):
    with time_machine.travel(NOW, tick=False):
        dispute = open_claim(order, buyer)

    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert dispute.waiting_on == Dispute.Side.MERCHANT
    assert dispute.deadline_at == NOW + timedelta(hours=48)
    assert dispute.submitted_at == NOW
    assert (dispute.platform, dispute.merchant) == (order.platform, order.merchant)
    assert dispute.description == "The mug arrived cracked."
    assert dispute.claimed_amount_fen == order.amount_fen
    assert dispute.reference == f"TP-{dispute.pk:06d}"
    events = list(DisputeEvent.objects.filter(dispute=dispute))
    assert [e.action for e in events] == ["opened", "evidence_added", "submit"]
    submit = events[-1]
    assert (submit.from_state, submit.to_state) == ("open", "awaiting_merchant")
    assert (submit.actor, submit.actor_user) == (DisputeEvent.Actor.BUYER, buyer.user)


def test_the_merchant_deadline_is_the_platform_window(order, buyer, platform):
    platform.merchant_response_hours = 24
    platform.save()

    with time_machine.travel(NOW, tick=False):
        dispute = open_claim(order, buyer)

    assert dispute.deadline_at == NOW + timedelta(hours=24)


def test_it_stores_the_evidence_privately_with_its_sha256(order, buyer, tmp_path):
    upload = jpeg_upload("crack.jpg")
    content = upload.read()
    upload.seek(0)

    dispute = open_claim(order, buyer, files=[upload, jpeg_upload(color=(0, 90, 200))])

    items = list(Evidence.objects.filter(dispute=dispute))
    assert len(items) == 2
    first = items[0]
    assert first.sha256 == hashlib.sha256(content).hexdigest()
    assert (first.role, first.kind, first.submitted_by) == ("buyer", "image", buyer)
    assert (first.order, first.original_name) == (order, "crack.jpg")
    assert (first.width, first.height) == (64, 48)
    assert first.original.read() == content
    assert "crack" not in first.original.name
    assert first.safe_copy.size > 0
    assert len(stored_files(tmp_path)) == 4
    added = DisputeEvent.objects.get(dispute=dispute, action="evidence_added")
    assert added.payload == {"evidence": [item.pk for item in items], "count": 2}


def test_it_allows_a_claim_about_delivery_without_photos(order, buyer):
    dispute = open_claim(order, buyer, reason="not_received", files=[])

    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("reason", ["damaged", "not_as_described", "counterfeit", "missing_parts"])
def test_it_rejects_a_condition_claim_without_photos(order, buyer, reason):
    with pytest.raises(DomainError, match="at least one photo") as caught:
        open_claim(order, buyer, reason=reason, files=[])

    assert caught.value.field == "files"
    assert not Dispute.objects.exists()


def test_it_rejects_a_bad_file_and_creates_nothing(order, buyer, tmp_path):
    text = SimpleUploadedFile("crack.jpg", b"not a picture at all", content_type="image/jpeg")

    with pytest.raises(DomainError) as caught:
        open_claim(order, buyer, files=[jpeg_upload(), text])

    assert caught.value.field == "files"
    assert "crack.jpg" in caught.value.message
    assert not Dispute.objects.exists()
    assert not Evidence.objects.exists()
    assert not DisputeEvent.objects.exists()
    assert stored_files(tmp_path) == []


def test_it_allows_only_one_active_dispute_per_order(order, buyer):
    first = open_claim(order, buyer)

    with pytest.raises(DomainError) as caught:
        open_claim(order, buyer)

    assert caught.value.code == "dispute_exists"
    assert list(Dispute.objects.all()) == [first]
    assert Evidence.objects.count() == 1


def test_it_allows_a_new_dispute_once_the_last_one_has_ended(order, buyer):
    first = open_claim(order, buyer)
    services.dispute_withdraw(dispute=first, party=buyer)

    second = open_claim(order, buyer)

    assert second.state == Dispute.State.AWAITING_MERCHANT
    assert Dispute.objects.count() == 2


def test_it_rejects_a_dispute_on_someone_elses_order(order, outsider):
    with pytest.raises(NotAllowed):
        open_claim(order, outsider)

    assert not Dispute.objects.exists()


def test_the_merchant_cannot_open_a_dispute_on_its_own_sale(order, merchant):
    with pytest.raises(NotAllowed):
        open_claim(order, merchant)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "bored"}, "reason"),
        ({"remedy": "free_stuff"}, "remedy"),
        ({"description": "   "}, "description"),
        ({"claimed_amount_fen": 0}, "claimed_amount"),
        ({"claimed_amount_fen": 10001}, "claimed_amount"),
    ],
)
def test_it_rejects_bad_input_with_the_field_named(order, buyer, overrides, field):
    with pytest.raises(DomainError) as caught:
        open_claim(order, buyer, **overrides)

    assert caught.value.field == field
    assert not Dispute.objects.exists()


def test_a_claim_may_ask_for_part_of_the_price(order, buyer):
    dispute = open_claim(order, buyer, remedy="partial_refund", claimed_amount_fen=2500)

    assert dispute.claimed_amount_fen == 2500


def test_another_buyers_dispute_does_not_block_this_order(buyer, merchant, outsider):
    theirs = OrderFactory(buyer=outsider, merchant=merchant)
    ours = OrderFactory(buyer=buyer, merchant=merchant)
    open_claim(theirs, outsider)

    dispute = open_claim(ours, buyer)

    assert dispute.order == ours


def test_it_refuses_to_reopen_an_order_whose_dispute_was_settled(order, buyer, merchant):
    from arbitration import services
    from arbitration.errors import DomainError
    from arbitration.models import Dispute
    from tests.conftest import jpeg_upload

    first = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="cracked",
        files=[jpeg_upload()],
    )
    services.merchant_accept_claim(dispute=first, party=merchant)
    with pytest.raises(DomainError) as error:
        services.dispute_open(
            order=order,
            buyer=buyer,
            reason="damaged",
            remedy="refund_only",
            description="again",
            files=[jpeg_upload()],
        )
    assert error.value.code == "dispute_settled"
    assert Dispute.objects.filter(order=order).count() == 1


def test_only_the_buyer_can_withdraw(dispute, merchant):
    with pytest.raises(NotAllowed):
        services.dispute_withdraw(dispute=dispute, party=merchant)

    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.AWAITING_MERCHANT


def test_withdrawing_ends_the_dispute_and_lapses_the_offer(dispute, buyer, merchant):
    services.offer_make(dispute=dispute, party=merchant, percent=20)

    services.dispute_withdraw(dispute=dispute, party=buyer)

    dispute.refresh_from_db()
    assert (dispute.state, dispute.waiting_on, dispute.deadline_at) == ("withdrawn", "", None)
    assert dispute.offers.get().status == "lapsed"


def test_both_parties_add_evidence_while_the_window_is_open(dispute, merchant):
    items = services.party_add_evidence(
        dispute=dispute, party=merchant, files=[jpeg_upload()], caption="As shipped"
    )

    assert [(e.role, e.caption) for e in items] == [("merchant", "As shipped")]


def test_evidence_is_refused_once_review_starts(dispute, buyer, tmp_path):
    services.dispute_escalate(dispute=dispute, party=buyer)
    before = len(stored_files(tmp_path))

    with pytest.raises(DomainError) as caught:
        services.party_add_evidence(dispute=dispute, party=buyer, files=[jpeg_upload()])

    assert caught.value.code == "evidence_closed"
    assert Evidence.objects.filter(dispute=dispute).count() == 1
    assert len(stored_files(tmp_path)) == before


def test_an_outsider_cannot_add_evidence(dispute, outsider):
    with pytest.raises(NotAllowed):
        services.party_add_evidence(dispute=dispute, party=outsider, files=[jpeg_upload()])

    assert Evidence.objects.filter(submitted_by=outsider).count() == 0
