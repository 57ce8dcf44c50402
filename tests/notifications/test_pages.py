"""The in-app list, the unread badge, and deadlines in the reader's time zone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from arbitration.models import Dispute
from notifications.models import Notification
from notifications.services import notifications_for_event
from tests.pages.conftest import HTMX, client_for


@pytest.fixture
def merchant_client(merchant):
    return client_for(merchant.user)


@pytest.fixture
def buyer_client(buyer):
    return client_for(buyer.user)


@pytest.fixture
def told(dispute):
    """The merchant has been told of the new dispute."""
    notifications_for_event(event_id=dispute.events.get(action="submit").pk)
    return Notification.objects.get()


def test_the_list_shows_the_merchants_notification_unread_with_a_badge(merchant_client, told):
    html = merchant_client.get(reverse("notifications")).content.decode()
    assert f'data-testid="notification-{told.pk}"' in html
    assert "is-unread" in html
    assert f"New dispute {told.dispute.reference}" in html
    assert re.search(r'data-testid="unread-count"[^>]*>1<', html)


def test_the_row_keeps_facts_and_the_words_are_rendered_when_read(told):
    """So each reader gets their own language and time zone."""
    assert set(told.context) >= {"reference", "order_title", "due_at"}
    assert not any(isinstance(v, str) and "dispute" in v.lower() for v in told.context.values())


def test_the_badge_shows_on_other_pages_too(merchant_client, told):
    html = merchant_client.get(reverse("merchant_inbox")).content.decode()
    assert 'data-testid="unread-count"' in html


def test_the_badge_costs_one_query(merchant_client, told):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        merchant_client.get(reverse("merchant_inbox"))
    sql = [q["sql"] for q in captured.captured_queries]
    assert len([q for q in sql if "notifications_notification" in q]) == 1


def test_following_a_notifications_url_goes_there_but_does_not_mark_it_read(merchant_client, told):
    response = merchant_client.get(reverse("notification_open", args=[told.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dispute", args=[told.dispute_id])
    told.refresh_from_db()
    assert told.read_at is None


def test_opening_a_notification_marks_it_read_and_goes_to_the_dispute(merchant_client, told):
    response = merchant_client.post(reverse("notification_open", args=[told.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dispute", args=[told.dispute_id])
    told.refresh_from_db()
    assert told.read_at is not None
    html = merchant_client.get(reverse("notifications")).content.decode()
    assert 'data-testid="unread-count"' not in html


def test_mark_all_read(merchant_client, told):
    response = merchant_client.post(reverse("notifications_mark_all_read"), **HTMX)
    assert response.status_code == 200
    assert "is-unread" not in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_all_read_needs_post(merchant_client, told):
    assert merchant_client.get(reverse("notifications_mark_all_read")).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_nobody_else_sees_or_opens_a_partys_notification(buyer_client, told):
    html = buyer_client.get(reverse("notifications")).content.decode()
    assert f'data-testid="notification-{told.pk}"' not in html
    assert 'data-testid="no-notifications"' in html
    assert buyer_client.get(reverse("notification_open", args=[told.pk])).status_code == 404
    assert buyer_client.post(reverse("notification_open", args=[told.pk])).status_code == 404
    buyer_client.post(reverse("notifications_mark_all_read"))
    told.refresh_from_db()
    assert told.read_at is None


def test_the_list_needs_a_login(client, told):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- deadlines as people read them ------------------------------------------------------------
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def deadline_html(client, dispute):
    html = client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    return html[html.index('<span class="deadline') :][:600]


def test_the_deadline_reads_in_the_default_time_zone(merchant_client, dispute):
    Dispute.objects.filter(pk=dispute.pk).update(deadline_at=T0 + timedelta(hours=20))
    with time_machine.travel(T0, tick=False):
        html = deadline_html(merchant_client, dispute)
    assert "2026-03-03 14:00" in html  # 06:00 UTC is 14:00 in Shanghai
    assert 'title="Asia/Shanghai">Beijing time<' in html
    assert ">in 20 h<" in html
    assert 'data-status="soon"' in html


def test_the_deadline_reads_in_the_viewers_time_zone(merchant_client, dispute):
    Dispute.objects.filter(pk=dispute.pk).update(deadline_at=T0 + timedelta(hours=20))
    merchant_client.cookies["tz"] = "America/New_York"
    with time_machine.travel(T0, tick=False):
        html = deadline_html(merchant_client, dispute)
    assert "2026-03-03 01:00" in html  # 06:00 UTC is 01:00 in New York (EST)
    assert 'title="America/New_York">New York time<' in html
    assert ">in 20 h<" in html


def test_a_page_names_the_zone_it_was_rendered_in_and_only_a_get_may_reload(client, db):
    """static/js/timezone.js reloads a page once if it was rendered on another clock than the
    browser's; it must never repeat a POST, so only pages answered to a GET allow it."""
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-Hans" data-tz="Asia/Shanghai" data-tz-refresh>' in page
    client.cookies["tz"] = "America/New_York"
    refused = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    html = refused.content.decode()
    assert refused.status_code == 200 and 'data-tz="America/New_York"' in html
    assert "data-tz-refresh" not in html


@pytest.mark.parametrize("cookie", ["Mars/Olympus", "../../etc/passwd", "x" * 300, "UTC;drop"])
def test_a_bad_time_zone_cookie_falls_back_to_the_default(merchant_client, dispute, cookie):
    merchant_client.cookies["tz"] = cookie
    Dispute.objects.filter(pk=dispute.pk).update(deadline_at=T0 + timedelta(hours=20))
    with time_machine.travel(T0, tick=False):
        html = deadline_html(merchant_client, dispute)
    assert "2026-03-03 14:00" in html
    assert "Asia/Shanghai" in html


def test_an_overdue_deadline_reads_as_overdue(merchant_client, dispute):
    Dispute.objects.filter(pk=dispute.pk).update(deadline_at=timezone.now() - timedelta(hours=5))
    html = deadline_html(merchant_client, dispute)
    assert "is-overdue" in html
    assert "Overdue" in html
    assert ">5 h overdue<" in html


def test_the_console_reads_the_deadline_in_the_viewers_zone(client, arbitrator, dispute):
    client.cookies["django_language"] = "en"
    client.cookies["tz"] = "America/New_York"
    client.force_login(arbitrator)
    Dispute.objects.filter(pk=dispute.pk).update(deadline_at=T0 + timedelta(hours=20))
    with time_machine.travel(T0, tick=False):
        detail = client.get(reverse("console:arbitration_dispute_change", args=[dispute.pk]))
        listing = client.get(reverse("console:arbitration_dispute_changelist"))
    assert "2026-03-03 01:00" in detail.content.decode()
    assert "in 20 h" in detail.content.decode()
    assert "03-03 01:00" in listing.content.decode()


def test_the_evidence_window_shows_until_when_evidence_can_be_added(buyer_client, dispute):
    html = buyer_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    window = html[html.index('data-testid="evidence-window"') :][:800]
    assert "until an arbitrator starts reviewing" in window
    assert 'data-testid="deadline"' in window


def test_one_shot_moves_ask_for_confirmation_saying_what_cannot_be_undone(
    buyer_client, merchant_client, dispute, order
):
    merchant = merchant_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert re.search(
        r'hx-confirm="Accept the claim and refund ¥100.00\?[^"]*cannot be undone', merchant
    )
    buyer = buyer_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert re.search(r'hx-confirm="Withdraw the dispute\?[^"]*cannot be undone', buyer)


def test_sending_a_claim_asks_for_confirmation(buyer_client, buyer, merchant):
    from tests.factories import OrderFactory

    order = OrderFactory(buyer=buyer, merchant=merchant)
    html = buyer_client.get(reverse("dispute_open", args=[order.pk])).content.decode()
    assert re.search(r'hx-confirm="Send this claim to the merchant\?[^"]*cannot be changed', html)


def test_accepting_an_offer_asks_for_confirmation(buyer_client, dispute, merchant):
    from arbitration import services

    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000)
    html = buyer_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert re.search(r'hx-confirm="Accept ¥30.00\?[^"]*cannot be undone', html)


def test_an_evidence_request_reads_in_the_viewers_zone_and_notifies_that_party(
    buyer_client, dispute, buyer, arbitrator
):
    from arbitration import services
    from arbitration.services import requests

    services.dispute_escalate(dispute=dispute, party=buyer)
    with time_machine.travel(T0, tick=False):
        requests.evidence_request(
            dispute=dispute,
            user=arbitrator,
            side="buyer",
            what="A photo of the label.",
            due_at=T0 + timedelta(hours=20),
        )
        buyer_client.cookies["tz"] = "America/New_York"
        html = buyer_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert "2026-03-03 01:00" in html
    assert re.search(r'data-testid="evidence-request-relative">in 20 h<', html)
    event = dispute.events.get(action="request_evidence")
    notifications_for_event(event_id=event.pk)
    note = Notification.objects.get(kind=Notification.Kind.EVIDENCE_REQUESTED)
    assert note.recipient == buyer
    assert note.context["what"] == "A photo of the label."


def test_the_badge_refreshes_on_its_own(merchant_client, told):
    html = merchant_client.get(reverse("notifications_badge"), **HTMX).content.decode()
    assert re.search(r'data-testid="unread-count"[^>]*>1<', html)
    assert 'hx-trigger="every 60s"' in html
    told.read_at = timezone.now()
    told.save(update_fields=["read_at"])
    html = merchant_client.get(reverse("notifications_badge"), **HTMX).content.decode()
    assert 'data-testid="unread-count"' not in html
