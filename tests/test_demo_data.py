"""The demo data `make run` loads: created once through the services, every state present."""

import stat
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Party, User
from arbitration.models import Dispute, DisputeEvent, Order, Refund
from evidence import analysis
from evidence.models import Evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(tmp_path, settings):
    """Run ``seed_demo`` with its logins file in the test's folder."""
    logins = tmp_path / "demo-logins.txt"

    def run() -> str:
        out = StringIO()
        call_command("seed_demo", logins_file=str(logins), stdout=out)
        return out.getvalue()

    run.logins = logins
    return run


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Party, Order, Dispute, DisputeEvent, Evidence, Refund)
    }


def test_it_creates_the_data_once_when_run_twice(seed):
    seed()
    first, logins = _counts(), seed.logins.read_text()
    output = seed()
    assert _counts() == first
    assert seed.logins.read_text() == logins
    assert "nothing changed" in output


def test_it_puts_disputes_in_every_demo_state_through_the_services(seed):
    seed()
    states = set(Dispute.objects.values_list("state", flat=True))
    assert states == {
        "awaiting_merchant",
        "negotiating",
        "under_review",
        "refunded",
        "closed",
        "withdrawn",
    }
    assert Order.objects.filter(disputes__isnull=True).count() >= 1

    refunded = Dispute.objects.get(state="refunded")
    assert refunded.decision.outcome == "partial_refund"
    assert refunded.refund.status == Refund.Status.SUCCEEDED
    assert 0 < refunded.refund.amount_fen < refunded.order.amount_fen

    offer = Dispute.objects.get(state="negotiating").offers.get(status="pending")
    assert (offer.percent, offer.made_by.kind) == (30, Party.Kind.MERCHANT)

    closed = Dispute.objects.get(state="closed")
    assert closed.decision.outcome == "no_refund"
    actions = list(closed.events.values_list("action", flat=True))
    assert actions[0] == "opened" and "close" in actions  # then the credit story (report)
    assert {"escalate", "decide"} <= set(actions)


def test_it_gives_orders_listing_photos_and_the_stained_claim_reuses_one(seed):
    seed()
    for order in Order.objects.all():
        listing = Evidence.objects.filter(order=order, role=Evidence.Role.LISTING)
        assert 1 <= listing.count() <= 2
        with listing.first().original.open("rb") as handle:
            assert b"Canon" in handle.read()
    stained = Dispute.objects.get(state="awaiting_merchant")
    claim = Evidence.objects.get(dispute=stained, role=Evidence.Role.BUYER)
    listing = Evidence.objects.filter(order=stained.order, role=Evidence.Role.LISTING).first()
    assert (claim.width, claim.height) == (listing.width, listing.height)
    assert claim.sha256 != listing.sha256


def test_it_creates_the_accounts_with_the_passwords_it_prints(seed):
    output = seed()
    logins = dict(line.split(" ") for line in seed.logins.read_text().splitlines())
    assert set(logins) == {"buyer", "buyer2", "merchant", "arbitrator"}
    assert stat.S_IMODE(seed.logins.stat().st_mode) == 0o600
    assert "http://127.0.0.1:8000/" in output
    for name, password in logins.items():
        assert password in output
        assert User.objects.get(username=name).check_password(password)
    judge = User.objects.get(username="arbitrator")
    assert judge.is_arbitrator and judge.is_staff and judge.can_arbitrate
    assert not User.objects.get(username="buyer").can_arbitrate


def test_it_fills_the_buyer_contact_details_so_masking_shows(seed):
    seed()
    buyer = Party.objects.get(user__username="buyer")
    assert buyer.masked_phone == "138****5678"
    assert buyer.city == "上海" and buyer.address


def test_two_orders_of_the_same_mug_share_listing_photos_that_are_not_reuse(seed):
    seed()
    first, second = (
        list(Evidence.objects.filter(order__external_id=number, role=Evidence.Role.LISTING))
        for number in ("DM-240501", "DM-240509")
    )
    assert len(first) == len(second) == 2
    for item in [*first, *second]:
        analysis.analyze_evidence(item.pk)
    for item in second:
        codes = set(item.reports.get().signals.values_list("code", flat=True))
        assert not {code for code in codes if code.startswith("reuse.")}, codes
