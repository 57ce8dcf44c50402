"""The credit page in a phone-sized browser: from the nav to an appeal (htmx) and back to
standard once an arbitrator reverses the entry."""

import pytest
from playwright.sync_api import expect

from accounts.credit import credit_event_record
from accounts.models import CreditAppeal, CreditEvent
from accounts.services import credit_appeal_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # tests/factories.py
TIMEOUT = 20_000


def test_a_watch_tier_buyer_appeals_an_entry_and_is_restored(
    browser, live_server, buyer, dispute, arbitrator, shoot
):
    event, _ = credit_event_record(
        party=buyer,
        kind=CreditEvent.Kind.EVIDENCE_FABRICATED,
        reason="The stain was painted on the listing photo.",
        source_key="test:fabricated",
        dispute=dispute,
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", buyer.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state("networkidle")

    page.get_by_test_id("nav-credit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("credit-score").inner_text() == "60"
    expect(page.get_by_test_id("tier-meaning")).to_contain_text("3")
    shoot(page, "watch")

    entry = page.get_by_test_id(f"credit-event-{event.pk}")
    entry.locator("summary").click()
    entry.locator("textarea").fill("我有手机拍摄的原图，可以提供。")
    page.get_by_test_id(f"appeal-submit-{event.pk}").click()
    expect(
        page.get_by_test_id(f"credit-event-{event.pk}").get_by_test_id("event-status")
    ).to_be_visible()
    assert page.url.endswith("/accounts/credit/")  # swapped in place by htmx, no reload
    appeal = CreditAppeal.objects.get()
    assert appeal.statement == "我有手机拍摄的原图，可以提供。"
    shoot(page, "appealed")

    credit_appeal_review(appeal=appeal, user=arbitrator, reverse=True, note="原图可信")
    page.reload()
    assert page.get_by_test_id("credit-score").inner_text() == "100"
    expect(page.get_by_test_id(f"appeal-form-{event.pk}")).to_have_count(0)
    shoot(page, "restored")
    context.close()
