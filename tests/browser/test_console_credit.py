"""The arbitrator's credit views in a real browser: from a dispute to the buyer's party page
(chart, ledger, linked accounts), then an appeal reversed and the score restored."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.credit import credit_event_record
from accounts.models import CreditEvent, Party
from accounts.services import credit_appeal_file
from arbitration import services
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory, PartyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # tests/factories.py
TIMEOUT = 20_000


def _console(browser, live_server, username: str, locale: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(f"{live_server.url}/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_load_state("networkidle")
    return page


def _claim(buyer, merchant, color=(120, 80, 40), title="Ceramic mug"):
    order = OrderFactory(buyer=buyer, merchant=merchant, title=title, amount_fen=25990)
    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="杯口有一块咖啡色污渍。",
        files=[jpeg_upload("stain.jpg", color=color)],
    )


def _history(buyer, dispute):
    """Half a year of a buyer's ledger: upheld claims, a refund-only streak, a fabricated
    photo, and a reuse finding that is appealed."""
    now = timezone.now()
    book = [
        (CreditEvent.Kind.CLAIM_UPHELD, "Claim upheld: cracked bowl.", 170, None),
        (CreditEvent.Kind.REFUND_ONLY_VELOCITY, "Five refund-only claims in 30 days.", 95, None),
        (CreditEvent.Kind.CLAIM_DENIED, "Claim denied: no damage visible.", 60, None),
        (
            CreditEvent.Kind.EVIDENCE_FABRICATED,
            "The stain was painted on by an image model.",
            20,
            dispute,
        ),
    ]
    for n, (kind, reason, days, on) in enumerate(book):
        credit_event_record(
            party=buyer,
            kind=kind,
            reason=reason,
            source_key=f"browser:{n}",
            dispute=on,
            at=now - timedelta(days=days),
        )
    reuse, _created = credit_event_record(
        party=buyer,
        kind=CreditEvent.Kind.IMAGE_REUSED,
        reason="The same photo was filed by another account.",
        source_key="browser:reuse",
        dispute=dispute,
        at=now - timedelta(days=3),
    )
    return credit_appeal_file(
        party=buyer, event=reuse, statement="那是我妹妹的账号，我们用的是同一张照片。"
    )


def test_an_arbitrator_reads_a_buyer_s_record_and_reverses_an_appealed_event(
    live_server, browser, shoot, platform, buyer, merchant, arbitrator
):
    dispute = _claim(buyer, merchant)
    ring = [
        PartyFactory(platform=platform, kind=Party.Kind.BUYER, display_name=name)
        for name in ("王小明", "赵丽")
    ]
    for other in ring:
        _claim(other, merchant)
    appeal = _history(buyer, dispute)
    buyer.refresh_from_db()
    score_before = buyer.credit_score

    page = _console(browser, live_server, arbitrator.username, "zh-CN")
    page.goto(f"{live_server.url}/console/arbitration/dispute/{dispute.pk}/change/")
    page.get_by_test_id("buyer-party-link").click()
    expect(page.get_by_test_id("party-score")).to_have_text(str(score_before))
    chart = page.get_by_test_id("score-chart")
    expect(chart.locator("polyline")).to_be_visible()
    assert chart.locator("circle").count() == 6  # after each of the 5 events, and today
    linked = page.get_by_test_id("linked-accounts")
    for other in ring:
        expect(linked).to_contain_text(other.display_name)
    expect(page.get_by_test_id("credit-events").locator("tr")).to_have_count(6)
    shoot(page, "party-page")

    page.locator("#appeals a").first.click()
    expect(page.get_by_test_id("appeal-statement")).to_contain_text("同一张照片")
    page.get_by_test_id("appeal-note").fill("两个账号为同一家庭，照片为本人拍摄。")
    shoot(page, "appeal-review")
    page.get_by_test_id("appeal-reverse").click()
    expect(page.get_by_test_id("appeal-status")).to_have_class(re.compile("appeal-reversed"))
    page.get_by_test_id("appeal-party").click()
    buyer.refresh_from_db()
    assert buyer.credit_score > score_before
    expect(page.get_by_test_id("party-score")).to_have_text(str(buyer.credit_score))
    expect(page.locator("tr.reversed")).to_have_count(1)
    appeal.refresh_from_db()
    assert appeal.status == "reversed"
    shoot(page, "party-page-after-reversal")
