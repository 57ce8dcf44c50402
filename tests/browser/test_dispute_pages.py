"""The dispute pages in Chromium, at 390×844 and 1366×900: who acts next and what silence
costs on each waiting state, the negotiation record surviving an answered offer, and the
claim and the buyer's photos before the merchant's actions."""

import pytest
from playwright.sync_api import expect

from arbitration import services
from arbitration.services import deadlines

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def claim(order, buyer, photo):
    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="杯子收到时杯身有一道裂纹。",
        files=[photo],
        user=buyer.user,
    )


def url(dispute) -> str:
    return f"/disputes/{dispute.pk}/"


def consequence(page):
    return page.get_by_test_id("consequence")


def test_each_waiting_state_says_what_silence_costs(
    open_as, shoot, claim, buyer, merchant, monkeypatch
):
    monkeypatch.setattr(deadlines, "needs_arbitrator", lambda dispute: False)
    page = open_as(buyer.user, url(claim))
    expect(consequence(page)).to_have_text("商家超时未处理，将按您的申请自动退款。")
    expect(page.get_by_test_id("whose-move").get_by_test_id("deadline-zone")).to_have_text(
        "北京时间"
    )
    expect(page.get_by_test_id("what-next")).to_be_visible()
    expect(page.get_by_test_id("escalate")).to_be_hidden()  # not the first thing offered
    expect(page.locator('[data-step="merchant"]')).to_have_attribute("data-status", "current")
    shoot(page, "buyer-awaiting-merchant-phone")
    page = open_as(merchant.user, url(claim))
    expect(consequence(page)).to_have_text("您超时未处理，将按买家的申请自动退款。")

    services.offer_make(dispute=claim, party=merchant, amount_fen=3000, message="退30元可以吗？")
    page = open_as(buyer.user, url(claim))
    expect(consequence(page)).to_have_text("逾期未回应，本次申请将关闭。")
    page = open_as(merchant.user, url(claim))
    expect(consequence(page)).to_have_text("买家逾期未回应，本次申请将关闭。")

    services.offer_make(dispute=claim, party=buyer, amount_fen=6000, message="至少60元。")
    page = open_as(buyer.user, url(claim))
    expect(consequence(page)).to_have_text("商家逾期未回应，将由平台仲裁员裁决。")
    expect(page.locator('[data-step="negotiate"]')).to_have_attribute("data-status", "current")
    shoot(page, "buyer-counter-offered-phone")


def test_the_consequence_reads_in_english_too(open_as, claim, merchant):
    services.offer_make(dispute=claim, party=merchant, amount_fen=3000)
    page = open_as(claim.buyer.user, url(claim), language="en")
    expect(consequence(page)).to_have_text("If you do not answer in time, this claim is closed.")
    expect(page.get_by_test_id("whose-move").get_by_test_id("deadline-zone")).to_have_text(
        "Beijing time"
    )


def test_the_negotiation_record_survives_an_answered_offer(open_as, shoot, claim, buyer, merchant):
    services.offer_make(
        dispute=claim, party=merchant, amount_fen=3000, message="给您退30元，杯子不用寄回。"
    )
    page = open_as(buyer.user, url(claim))
    page.get_by_test_id("reject-form").locator("textarea").fill("裂纹贯穿杯身，30元太少。")
    page.get_by_test_id("offer-reject").click()
    expect(page.get_by_test_id("offer-accept")).to_have_count(0)
    thread = page.get_by_test_id("negotiation-thread")
    expect(thread.get_by_test_id("thread-entry")).to_have_count(2)
    expect(thread).to_contain_text("给您退30元，杯子不用寄回。")
    expect(thread).to_contain_text("裂纹贯穿杯身，30元太少。")
    expect(thread).to_contain_text("¥30.00")
    shoot(page, "buyer-thread-after-reject-phone")

    page = open_as(merchant.user, url(claim), viewport=DESKTOP)
    services.offer_make(dispute=claim, party=merchant, amount_fen=5000, message="那就50元。")
    services.offer_accept(dispute=claim, party=buyer)
    page.reload()
    thread = page.get_by_test_id("negotiation-thread")
    expect(thread.get_by_test_id("thread-entry")).to_have_count(4)
    expect(thread.locator('[data-kind="accepted"]')).to_contain_text("¥50.00")
    expect(thread).to_contain_text("那就50元。")
    shoot(page, "merchant-thread-accepted-desktop")


def test_the_merchant_page_leads_with_the_claim_and_photos(open_as, shoot, claim, merchant):
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = open_as(merchant.user, url(claim), viewport=viewport)
        claim_box = page.locator(".claim").bounding_box()
        photos_box = page.get_by_test_id("evidence").bounding_box()
        offer_box = page.get_by_test_id("offer-form").bounding_box()
        if viewport is PHONE:
            assert claim_box["y"] < photos_box["y"] < offer_box["y"]
        else:  # two columns: the photos beside the claim, the actions under the claim
            assert photos_box["x"] > claim_box["x"] + claim_box["width"] - 1
            assert abs(photos_box["y"] - claim_box["y"]) < 5
            assert offer_box["y"] > claim_box["y"]
        shoot(page, f"merchant-claim-first-{name}")
