"""A decision appealed and overturned in real browsers: the merchant files the appeal on the
dispute page, another arbitrator overturns it in the console, and both parties read the
outcome and the money it moves."""

import pytest
from playwright.sync_api import expect

from arbitration import services
from arbitration.models import DecisionAppeal
from tests.browser.test_console_credit import _console
from tests.browser.test_return_and_refund import signed_in
from tests.factories import UserFactory
from webhooks.models import WebhookEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def decided(dispute, buyer, arbitrator):
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="full_refund", reasoning="The crack shows."
    )
    return dispute


def test_an_appeal_overturned_in_the_console_is_seen_by_both_parties(
    live_server, browser, shoot, decided, buyer, merchant
):
    url = f"{live_server.url}/disputes/{decided.pk}/"
    context, page = signed_in(browser, live_server, merchant.user)
    page.goto(url)
    page.fill("#appeal-statement", "My packing video shows the mug whole when it left.")
    shoot(page, "merchant-appeal-form")
    page.get_by_test_id("appeal-submit").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("awaiting review")
    context.close()

    reviewer = UserFactory(username="second-judge", is_arbitrator=True, is_staff=True)
    console = _console(browser, live_server, reviewer.username, "en-US")
    console.goto(f"{live_server.url}/console/arbitration/dispute/{decided.pk}/change/")
    form = console.get_by_test_id("appeal-review-form")
    form.locator("input[name=appeal-verdict][value=overturn]").check()
    form.locator("select[name=appeal-outcome]").select_option("partial_refund")
    form.locator("input[name=appeal-amount]").fill("40.00")
    form.locator("textarea[name=appeal-reasons]").fill("The video shows the mug whole.")
    console.get_by_test_id("appeal-review-submit").click()
    expect(console.get_by_test_id("console-appeal-status")).to_have_text("decision overturned")
    expect(console.get_by_test_id("console-appeal-adjustment")).to_have_text("−¥60.00")
    shoot(console, "console-appeal-overturned")

    appeal = DecisionAppeal.objects.get()
    assert (appeal.status, appeal.adjustment_fen, appeal.reviewed_by) == (
        "overturned",
        -6000,
        reviewer,
    )
    assert WebhookEvent.objects.get(type="dispute.appeal_decided").payload["adjustment_fen"] == (
        -6000
    )

    for party in (buyer, merchant):
        context, page = signed_in(browser, live_server, party.user)
        page.goto(url)
        expect(page.get_by_test_id("appeal-status")).to_have_text("decision overturned")
        expect(page.get_by_test_id("appeal-adjustment")).to_have_text("The buyer owes ¥60.00 back.")
        expect(page.get_by_test_id("timeline")).to_contain_text("The appeal was granted")
        shoot(page, f"{party.kind}-sees-the-overturn")
        context.close()
