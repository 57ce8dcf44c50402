"""Returned item not as sent (退货不符): the merchant reports it with photos compared with the
packing photos, an arbitrator deducts at most the platform's cap, or the report lapses and the
refund is paid in full."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from arbitration import lifecycle, services
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import Refund, ReturnReport, Shipment
from arbitration.services import remedies
from arbitration.services.deadlines import dispute_expire
from arbitration.services.packing import packing_photos_add
from arbitration.services.returns import return_deduction_decide, return_report
from evidence import analysis
from evidence.forensics.regions import iou
from tests.evidence.test_pipeline import upload
from tests.factories import UserFactory
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, scene
from tests.pages.conftest import client_for

BASE = scene(640, 480, 7)


@pytest.fixture
def in_transit(dispute, buyer, arbitrator):
    """Decided as a return and refund of the 100 yuan paid; the buyer shipped it back."""
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="return_and_refund", reasoning="Cracked."
    )
    remedies.return_ship(dispute=dispute, party=buyer, carrier="sf", tracking_number="SF1234567")
    dispute.refresh_from_db()
    assert dispute.state == "return_in_transit"
    return dispute


def report(dispute, merchant, **fields):
    return return_report(
        dispute=dispute,
        party=merchant,
        **{
            "problem": "damaged",
            "statement": "The handle is broken off.",
            "files": [upload(camera_photo(seed=4))],
            "user": merchant.user,
            **fields,
        },
    )


def test_the_report_puts_the_return_before_an_arbitrator_with_its_own_deadline(
    in_transit, merchant
):
    item = report(in_transit, merchant)

    in_transit.refresh_from_db()
    assert (in_transit.state, in_transit.waiting_on) == ("return_contested", "arbitrator")
    expected = timezone.now() + in_transit.platform.return_review_window
    assert abs(in_transit.deadline_at - expected) < timedelta(minutes=1)
    assert (item.problem, item.evidence.get().role) == ("damaged", "return")
    assert Shipment.objects.get(dispute=in_transit).received_at is not None
    assert not Refund.objects.filter(dispute=in_transit).exists()  # held until decided


def test_a_deduction_up_to_the_cap_is_refunded_less(in_transit, merchant):
    report(in_transit, merchant)
    refund = return_deduction_decide(
        dispute=in_transit, user=_arbitrator(), deduction_fen=5000, reasons="Handle broken."
    )

    in_transit.refresh_from_db()
    assert in_transit.state == "refunding"
    assert refund.amount_fen == 5000
    assert ReturnReport.objects.get().deduction_fen == 5000


def _arbitrator():
    return UserFactory(is_arbitrator=True)


def test_more_than_the_cap_is_refused_and_changes_nothing(in_transit, merchant):
    report(in_transit, merchant)

    with pytest.raises(DomainError, match="platform's cap"):
        return_deduction_decide(
            dispute=in_transit, user=_arbitrator(), deduction_fen=5001, reasons="All of it."
        )

    in_transit.refresh_from_db()
    assert in_transit.state == "return_contested"
    assert not Refund.objects.filter(dispute=in_transit).exists()


def test_the_platforms_cap_applies(in_transit, merchant):
    in_transit.platform.return_deduction_cap_percent = 20
    in_transit.platform.save()
    report(in_transit, merchant)

    with pytest.raises(DomainError):
        return_deduction_decide(
            dispute=in_transit, user=_arbitrator(), deduction_fen=2001, reasons="x"
        )
    refund = return_deduction_decide(
        dispute=in_transit, user=_arbitrator(), deduction_fen=2000, reasons="x"
    )
    assert refund.amount_fen == 8000


def test_no_deduction_refunds_in_full(in_transit, merchant):
    report(in_transit, merchant)
    refund = return_deduction_decide(
        dispute=in_transit, user=_arbitrator(), deduction_fen=0, reasons="It is as sent."
    )
    assert refund.amount_fen == 10000


def test_an_undecided_report_lapses_at_its_deadline_and_pays_in_full(in_transit, merchant):
    report(in_transit, merchant)
    in_transit.refresh_from_db()

    assert dispute_expire(in_transit.pk, now=in_transit.deadline_at - timedelta(seconds=1)) is None
    taken = dispute_expire(in_transit.pk, now=in_transit.deadline_at + timedelta(seconds=1))

    in_transit.refresh_from_db()
    assert (taken, in_transit.state) == ("return_condition_lapse", "refunding")
    assert Refund.objects.get(dispute=in_transit).amount_fen == 10000


def test_illegal_moves_are_refused(in_transit, dispute, merchant, buyer):
    with pytest.raises(NotAllowed):
        report(in_transit, buyer)
    with pytest.raises(DomainError):
        report(in_transit, merchant, problem="smells")
    with pytest.raises(DomainError):
        report(in_transit, merchant, files=[])
    with pytest.raises(DomainError, match="No returned-item report"):
        return_deduction_decide(
            dispute=in_transit, user=_arbitrator(), deduction_fen=0, reasons="x"
        )
    report(in_transit, merchant)
    with pytest.raises(lifecycle.IllegalTransition):
        report(in_transit, merchant)  # already contested
    with pytest.raises(NotAllowed):
        return_deduction_decide(dispute=in_transit, user=buyer.user, deduction_fen=0, reasons="x")
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.apply(in_transit, "return_condition_lapse", actor="merchant")


def test_the_report_window_is_the_platforms(in_transit, merchant):
    in_transit.refresh_from_db()
    shipped = Shipment.objects.get(dispute=in_transit).shipped_at
    assert in_transit.deadline_at - shipped == in_transit.platform.return_receive_window
    in_transit.deadline_at = timezone.now() - timedelta(minutes=1)
    in_transit.save()
    dispute_expire(in_transit.pk)  # the window passed: taken as received as sent
    with pytest.raises(lifecycle.IllegalTransition):
        report(in_transit, merchant)


def test_return_photos_are_compared_with_the_packing_photos(in_transit, merchant):
    (packing,) = packing_photos_add(
        order=in_transit.order, party=merchant, files=[upload(camera_photo(pixels=BASE))]
    )
    item = report(
        in_transit,
        merchant,
        files=[upload(camera_photo(pixels=f.resized(f.paint_stain(BASE), 0.8), seed=2))],
    )

    result = analysis.analyze_evidence(item.evidence.get().pk)

    changed = result.signals.get(code="reuse.local_edit")
    assert changed.data["reference_id"] == str(packing.pk)
    assert iou(changed.regions[0], f.box_region(f.STAIN_BOX)) >= 0.5


def test_the_merchant_reports_on_the_page_and_the_console_decides(in_transit, merchant, buyer):
    page = client_for(merchant.user).get(reverse("dispute", args=[in_transit.pk]))
    assert 'data-testid="return-report-form"' in page.content.decode()

    response = client_for(merchant.user).post(
        reverse("return_report", args=[in_transit.pk]),
        {"problem": "missing_parts", "statement": "No lid.", "files": [upload(camera_photo())]},
    )
    assert response.status_code == 302
    console = client_for(_arbitrator())
    url = reverse("console:arbitration_dispute_change", args=[in_transit.pk])
    assert 'data-testid="deduction-form"' in console.get(url).content.decode()
    deduct = reverse("console:arbitration_dispute_return_deduction", args=[in_transit.pk])
    over = console.post(deduct, {"deduction-deduction": "60.00", "deduction-reasons": "Too much."})
    assert over.status_code == 400 and "platform&#x27;s cap" in over.content.decode()
    in_transit.refresh_from_db()
    assert in_transit.state == "return_contested"  # over the cap: refused

    console.post(deduct, {"deduction-deduction": "15.00", "deduction-reasons": "The lid."})

    in_transit.refresh_from_db()
    assert in_transit.state == "refunding"
    buyer_page = client_for(buyer.user).get(reverse("dispute", args=[in_transit.pk]))
    html = buyer_page.content.decode()
    assert "The arbitrator deducted ¥15.00 from the refund." in html
    photo = ReturnReport.objects.get().evidence.get()
    assert f'data-testid="evidence-{photo.uid}"' in html  # the buyer sees the merchant's photos
