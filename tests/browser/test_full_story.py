"""The whole story in a real browser: buyer claims, merchant offers 30 %, buyer rejects and
escalates, the arbitrator decides a 40 % partial refund, and both parties see it."""

import re

import pytest
from playwright.sync_api import expect

from arbitration.models import Dispute, Refund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # tests/factories.py
TIMEOUT = 20_000


def _log_in(browser, live_server, username: str, path: str = "/accounts/login/"):
    """A fresh browser context (its own cookies) logged in as ``username``."""
    context = browser.new_context(viewport={"width": 430, "height": 932}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # one-shot moves ask to confirm
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if path.startswith("/console/"):
        page.locator("#login-form [type=submit]").click()
    else:
        page.get_by_test_id("login-submit").click()
    page.wait_for_load_state("networkidle")
    return page


def _state(page):
    return page.get_by_test_id("dispute-state")


def test_a_dispute_goes_from_claim_to_partial_refund_in_the_browser(
    live_server, browser, eager_celery, shoot, cracked_mug_jpeg, order, buyer, merchant, arbitrator
):
    # The buyer opens a dispute with a photo.
    buyer_page = _log_in(browser, live_server, buyer.user.username)
    buyer_page.goto(f"{live_server.url}/orders/")
    shoot(buyer_page, "buyer-orders")
    buyer_page.get_by_test_id(f"open-dispute-{order.external_id}").click()
    form = buyer_page.get_by_test_id("dispute-form")
    form.locator("[name=reason]").select_option("damaged")
    form.locator("[name=remedy]").select_option("refund_only")
    form.locator("[name=description]").fill("杯子收到时杯身有一道裂纹，无法使用。")
    form.locator("[name=files]").set_input_files(str(cracked_mug_jpeg))
    shoot(buyer_page, "buyer-claim-form")
    buyer_page.get_by_test_id("dispute-submit").click()
    expect(_state(buyer_page)).to_have_class(re.compile(r"state-awaiting_merchant"))
    dispute = Dispute.objects.get(order=order)
    assert re.search(rf"/disputes/{dispute.pk}/", buyer_page.url)
    assert dispute.evidence.count() == 1
    shoot(buyer_page, "buyer-claim-sent")

    # The merchant finds it in the inbox and offers 30 %.
    merchant_page = _log_in(browser, live_server, merchant.user.username)
    merchant_page.goto(f"{live_server.url}/merchant/")
    row = merchant_page.get_by_test_id(f"inbox-row-{dispute.pk}")
    expect(row).to_be_visible()
    shoot(merchant_page, "merchant-inbox")
    row.locator("a").first.click()
    offer = merchant_page.get_by_test_id("offer-form")
    offer.locator("input[name=mode][value=percent]").check()
    offer.locator("[name=percent]").fill("30")
    offer.locator("[name=message]").fill("给您退30%，杯子不用寄回。")
    merchant_page.get_by_test_id("offer-submit").click()
    expect(merchant_page.get_by_test_id("pending-offer")).to_contain_text("¥30.00")
    expect(_state(merchant_page)).to_have_class(re.compile(r"state-negotiating"))
    shoot(merchant_page, "merchant-offered")

    # The buyer rejects the offer and asks an arbitrator.
    buyer_page.reload()
    expect(buyer_page.get_by_test_id("pending-offer")).to_contain_text("¥30.00")
    shoot(buyer_page, "buyer-sees-offer")
    buyer_page.get_by_test_id("offer-reject").click()
    expect(buyer_page.get_by_test_id("offer-accept")).to_have_count(0)
    buyer_page.get_by_test_id("escalate").click()
    expect(_state(buyer_page)).to_have_class(re.compile(r"state-under_review"))
    shoot(buyer_page, "buyer-escalated")

    # The arbitrator decides a 40 % partial refund in the console.
    judge_page = _log_in(browser, live_server, arbitrator.username, path="/console/")
    judge_page.goto(f"{live_server.url}/console/arbitration/dispute/")
    shoot(judge_page, "console-queue")
    judge_page.get_by_role("link", name=dispute.reference).click()
    decide = judge_page.get_by_test_id("decision-form")
    decide.locator("[name=outcome]").select_option("partial_refund")
    decide.locator("[name=percent]").fill("40")
    decide.locator("[name=reasoning]").fill("裂纹位置与运输挤压一致，商家与物流各担一部分，退40%。")
    shoot(judge_page, "console-deciding")
    judge_page.get_by_test_id("decide-submit").click()
    expect(judge_page.get_by_test_id("console-decision")).to_contain_text("¥40.00")
    shoot(judge_page, "console-decided")

    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.REFUNDED
    assert Refund.objects.get(dispute=dispute).amount_fen == 4000

    # Both parties see the decision: ¥40.00 of the ¥100.00 paid.
    for name, page in (("buyer", buyer_page), ("merchant", merchant_page)):
        page.goto(f"{live_server.url}/disputes/{dispute.pk}/")
        expect(page.get_by_test_id("decision-amount")).to_have_text("¥40.00")
        expect(page.locator("body")).to_contain_text("¥100.00")
        expect(_state(page)).to_have_class(re.compile(r"state-refunded"))
        shoot(page, f"{name}-sees-decision")
