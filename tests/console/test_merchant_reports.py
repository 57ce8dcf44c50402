"""Reviewing merchant reports: the service and the console's uphold / reject actions."""

import pytest

from accounts.models import MerchantReport
from accounts.services import merchant_report_review
from arbitration import services
from arbitration.errors import DomainError, NotAllowed

pytestmark = pytest.mark.django_db
REPORTS = "/console/accounts/merchantreport/"


@pytest.fixture
def report(dispute, merchant):
    return services.merchant_report_buyer(
        dispute=dispute,
        party=merchant,
        category="fabricated_evidence",
        statement="The crack is painted on.",
    )


def test_it_upholds_a_report_and_records_who_and_when(report, arbitrator):
    merchant_report_review(report=report, user=arbitrator, upheld=True, note="Same photo twice")
    report.refresh_from_db()
    assert report.status == MerchantReport.Status.UPHELD
    assert report.reviewed_by == arbitrator
    assert report.reviewed_at is not None
    event = report.dispute.events.get(action="report_reviewed")
    assert event.payload == {"report": report.pk, "status": "upheld", "note": "Same photo twice"}
    assert event.actor_user == arbitrator


def test_it_rejects_reviewing_a_report_twice(report, arbitrator):
    merchant_report_review(report=report, user=arbitrator, upheld=False)
    with pytest.raises(DomainError):
        merchant_report_review(report=report, user=arbitrator, upheld=True)
    report.refresh_from_db()
    assert report.status == MerchantReport.Status.REJECTED


def test_it_rejects_a_review_by_a_non_arbitrator(report, merchant):
    with pytest.raises(NotAllowed):
        merchant_report_review(report=report, user=merchant.user, upheld=False)
    report.refresh_from_db()
    assert report.status == MerchantReport.Status.PENDING
    assert report.reviewed_by is None


@pytest.mark.parametrize(("action", "status"), [("uphold", "upheld"), ("reject", "rejected")])
def test_the_console_action_reviews_the_selected_reports(console_client, report, action, status):
    response = console_client.post(REPORTS, {"action": action, "_selected_action": [report.pk]})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == status
    assert report.reviewed_at is not None


def test_the_console_warns_about_a_report_already_reviewed(console_client, report, arbitrator):
    """Reviewing twice is refused with a message, and the first review stands."""
    merchant_report_review(report=report, user=arbitrator, upheld=True)
    response = console_client.post(
        REPORTS, {"action": "reject", "_selected_action": [report.pk]}, follow=True
    )
    assert "already been reviewed" in response.content.decode()
    report.refresh_from_db()
    assert report.status == MerchantReport.Status.UPHELD


def test_the_console_lists_pending_reports_first(console_client, report, arbitrator, outsider):
    from tests.factories import OrderFactory

    older = services.dispute_open(
        order=OrderFactory(buyer=outsider, merchant=report.merchant),
        buyer=outsider,
        reason="other",
        remedy="refund_only",
        description="Late.",
    )
    reviewed = services.merchant_report_buyer(
        dispute=older, party=report.merchant, category="harassment", statement="Threats."
    )
    merchant_report_review(report=reviewed, user=arbitrator, upheld=False)
    listed = list(console_client.get(REPORTS).context["cl"].result_list)
    assert listed == [report, reviewed]


def test_the_console_refuses_a_merchant_reviewing_reports(client, report, merchant):
    client.force_login(merchant.user)
    response = client.post(REPORTS, {"action": "uphold", "_selected_action": [report.pk]})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == MerchantReport.Status.PENDING
