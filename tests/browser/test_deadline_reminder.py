"""A merchant in New York is reminded of a deadline 20 hours away, reads it on their own clock
and answers the claim, confirming the one-shot move in the dialog."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from arbitration import services
from arbitration.models import Dispute
from notifications import tasks
from notifications.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # tests/factories.py
TIMEOUT = 20_000


@pytest.fixture
def awaiting(order, buyer, merchant, eager_celery, settings):
    """A claim waiting on the merchant, due in 20 hours."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    merchant.user.email = "shop@example.com"
    merchant.user.save(update_fields=["email"])
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="not_received",
        remedy="refund_only",
        description="包裹显示已签收，但我没有收到。",
        user=buyer.user,
    )
    due = timezone.now() + timedelta(hours=20)
    Dispute.objects.filter(pk=dispute.pk).update(deadline_at=due)
    return dispute


def test_a_merchant_sees_the_reminder_and_answers_in_time(
    live_server, browser, shoot, awaiting, merchant
):
    assert tasks.remind_deadlines() == 1
    reminder = Notification.objects.get(kind=Notification.Kind.DEADLINE_APPROACHING)
    assert reminder.recipient == merchant
    assert any(
        awaiting.reference in m.subject and m.to == ["shop@example.com"] for m in mail.outbox
    )

    context = browser.new_context(
        viewport={"width": 430, "height": 932}, locale="en-US", timezone_id="America/New_York"
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    dialogs = []

    def confirm(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", merchant.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state("networkidle")

    # The unread badge in the nav: the new dispute and the reminder.
    badge = page.get_by_test_id("unread-count")
    expect(badge).to_have_text("2")
    shoot(page, "merchant-inbox-badge")

    page.get_by_test_id("nav-notifications").click()
    item = page.get_by_test_id(f"notification-{reminder.pk}")
    expect(item).to_contain_text(f"Deadline approaching on {awaiting.reference}")
    expect(item).to_contain_text("New York time")
    expect(item).to_have_class(re.compile(r"is-unread"))
    shoot(page, "merchant-notifications")

    # Open it: the dispute page, the due time on the merchant's own clock and "in 20 h".
    item.get_by_test_id("notification-open").click()
    expect(page).to_have_url(re.compile(rf"/disputes/{awaiting.pk}/$"))
    deadline = page.get_by_test_id("whose-move").get_by_test_id("deadline")
    due_local = timezone.localtime(
        Dispute.objects.get(pk=awaiting.pk).deadline_at,
        timezone=ZoneInfo("America/New_York"),
    )
    expect(deadline.get_by_test_id("deadline-at")).to_have_text(
        due_local.strftime("%Y-%m-%d %H:%M")
    )
    expect(deadline.get_by_test_id("deadline-zone")).to_have_text("New York time")
    expect(deadline.get_by_test_id("deadline-relative")).to_have_text(re.compile(r"^in (19|20) h$"))
    expect(page.get_by_test_id("evidence-window")).to_be_visible()
    shoot(page, "merchant-dispute-deadline")

    # The merchant answers: accepting the claim asks for confirmation first (the refund then
    # runs at once: Celery is eager here).
    page.get_by_test_id("accept-claim").click()
    expect(page.get_by_test_id("dispute-state")).to_have_class(
        re.compile(r"state-(decided|refunded)")
    )
    assert len(dialogs) == 1
    assert "cannot be undone" in dialogs[0]
    assert "¥100.00" in dialogs[0]
    shoot(page, "merchant-answered")

    # The reminder was read by opening it; the badge counts what is left.
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    context.close()
