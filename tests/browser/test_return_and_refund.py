"""A return and refund in the browser: the buyer reads the return label and sends the parcel's
tracking number; the merchant confirms the parcel arrived, and only then is the refund paid."""

import pytest
from playwright.sync_api import expect

from arbitration import services
from arbitration.models import Refund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # tests/factories.py
TIMEOUT = 20_000


@pytest.fixture
def awaiting_return(order, buyer, arbitrator, eager_celery):
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="not_received",
        remedy="return_and_refund",
        description="Wrong colour.",
        user=buyer.user,
    )
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="return_and_refund", reasoning="Send it back."
    )
    return dispute


def signed_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 430, "height": 932}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state("networkidle")
    return context, page


def test_the_buyer_ships_the_return_and_the_merchant_confirms_it(
    live_server, browser, shoot, awaiting_return, buyer, merchant
):
    url = f"{live_server.url}/disputes/{awaiting_return.pk}/"
    context, page = signed_in(browser, live_server, buyer.user)
    page.goto(url)
    expect(page.get_by_test_id("return-code")).to_have_text(f"{awaiting_return.reference}-R")
    page.select_option("select[name=carrier]", "sf")
    page.fill("input[name=tracking_number]", "SF1234567890")
    shoot(page, "buyer-return-label")
    page.get_by_test_id("return-ship").click()
    expect(page.get_by_test_id("dispute-body")).to_have_attribute("data-state", "return_in_transit")
    expect(page.get_by_test_id("shipment-return")).to_contain_text("SF1234567890")
    assert not Refund.objects.exists()
    context.close()

    context, page = signed_in(browser, live_server, merchant.user)
    page.goto(url)
    expect(page.get_by_test_id("shipment-return")).to_contain_text("SF1234567890")
    page.get_by_test_id("return-acknowledge").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("confirmed the return arrived")
    page.reload()
    expect(page.get_by_test_id("dispute-body")).to_have_attribute("data-state", "refunded")
    shoot(page, "merchant-return-received")
    assert Refund.objects.get().status == "succeeded"
    context.close()
