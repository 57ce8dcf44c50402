"""The arbitrator's console in Chromium at 1366×900: keyboard shortcuts, one percentage base
(of the claim), a confirmation before money, "decide and open the next dispute", and the
zoom viewer (zoom, pan, heatmap overlay with opacity and legend, listing vs claim zoomed
together with the painted area boxed)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from arbitration import services
from arbitration.models import Decision
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory
from tests.fixtures.findings import flagged_dispute

from .conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def console_url(dispute) -> str:
    return reverse("console:arbitration_dispute_change", args=[dispute.pk])


@pytest.fixture
def two_reviews(order, buyer, merchant):
    """A ¥120 claim on a ¥259 order, and the flagged stain claim, both under review."""
    cheap = OrderFactory(buyer=buyer, merchant=merchant, amount_fen=25900, title="青瓷碗")
    first = services.dispute_open(
        order=cheap,
        buyer=buyer,
        reason="damaged",
        remedy="partial_refund",
        description="碗沿有缺口。",
        claimed_amount_fen=12000,
        files=[
            jpeg_upload("a.jpg", color=(200, 30, 30)),
            jpeg_upload("b.jpg", color=(30, 30, 200)),
        ],
        user=buyer.user,
    )
    services.dispute_escalate(dispute=first, party=buyer, statement="商家不回应。")
    flagged = flagged_dispute(order, buyer, merchant)
    services.dispute_escalate(dispute=flagged, party=buyer, statement="污渍。")
    return first, flagged


def test_decide_with_the_keyboard_and_open_the_next(open_as, shoot, arbitrator, two_reviews):
    first, flagged = two_reviews
    page = open_as(arbitrator, console_url(first), viewport=DESKTOP, language="en")
    page.keyboard.press("?")
    expect(page.get_by_test_id("shortcut-help")).to_be_visible()
    shoot(page, "shortcut-help")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("shortcut-help")).to_be_hidden()

    items = page.locator(".dispute-main figure.evidence-item")
    page.keyboard.press("j")
    expect(items.nth(0)).to_have_class(lambda_class("is-current"))
    page.keyboard.press("j")
    expect(items.nth(1)).to_have_class(lambda_class("is-current"))
    page.keyboard.press("k")
    expect(items.nth(0)).to_have_class(lambda_class("is-current"))

    page.keyboard.press("d")
    outcome = page.get_by_test_id("outcome")
    expect(outcome).to_be_focused()
    outcome.select_option("partial_refund")
    page.get_by_test_id("amount").fill("")
    page.get_by_test_id("percent").fill("40")
    expect(page.get_by_test_id("percent-preview")).to_contain_text("¥48.00")
    expect(page.get_by_test_id("percent-base")).to_contain_text("¥120.00")
    expect(page.get_by_test_id("percent-base")).to_contain_text("¥259.00")
    page.locator("textarea[name=reasoning]").fill("缺口照片清楚，部分退款。")
    shoot(page, "decision-form")
    page.get_by_test_id("decide-next").click()
    page.wait_for_url(f"**{console_url(flagged)}")
    assert any("¥48.00" in message for message in page.dialogs)  # asked before money
    decision = Decision.objects.get(dispute=first)
    assert (decision.outcome, decision.amount_fen) == ("partial_refund", 4800)
    expect(page.get_by_test_id("decision-form")).to_be_visible()


def lambda_class(name):
    import re

    return re.compile(rf"(^|\s){name}(\s|$)")


def test_the_zoom_viewer(open_as, shoot, arbitrator, two_reviews):
    _first, flagged = two_reviews
    page = open_as(arbitrator, console_url(flagged), viewport=DESKTOP, language="en")
    buyer_item = page.locator(
        f'.dispute-main figure.evidence-item[data-evidence="{flagged.buyer_item.uid}"]'
    )
    buyer_item.get_by_test_id(f"zoom-{flagged.buyer_item.uid}").click()
    viewer = page.get_by_test_id("viewer")
    expect(viewer).to_be_visible()
    zoom = viewer.get_by_test_id("viewer-zoom")
    expect(zoom).to_have_text("100%")
    viewer.locator("[data-viewer=in]").click()
    expect(zoom).to_have_text("150%")
    page.keyboard.press("+")
    expect(zoom).to_have_text("225%")
    page.keyboard.press("ArrowLeft")
    transform = viewer.locator(".viewer-canvas").evaluate("el => el.style.transform")
    assert "scale(2.25)" in transform and "translate(60px" in transform
    img = viewer.locator(".viewer-canvas img").first
    assert img.get_attribute("src").endswith("/original")  # full resolution
    expect(viewer.locator(".region").first).to_be_attached()

    choice = viewer.get_by_test_id("viewer-heatmap-choice")
    choice.select_option(index=1)
    overlay = viewer.get_by_test_id("viewer-heatmap")
    expect(overlay).to_be_visible()
    expect(viewer.get_by_test_id("viewer-legend")).to_contain_text("clean photo")
    viewer.get_by_test_id("viewer-opacity").fill("30")
    assert overlay.evaluate("el => el.style.opacity") == "0.3"
    shoot(page, "viewer-heatmap")
    page.keyboard.press("Escape")
    expect(viewer).to_have_count(0)

    page.get_by_test_id("compare").first.click()
    viewer = page.get_by_test_id("viewer")
    expect(viewer.locator(".viewer-stage")).to_have_count(2)
    viewer.locator("[data-viewer=in]").click()
    transforms = viewer.locator(".viewer-canvas").evaluate_all(
        "els => els.map(e => e.style.transform)"
    )
    assert len(set(transforms)) == 1 and "scale(1.5)" in transforms[0]  # zoomed together
    expect(viewer.locator(".viewer-stage").nth(1).locator(".region").first).to_be_attached()
    shoot(page, "viewer-compare")
