"""A platform opens a dispute through the API and texts the merchant its hosted link: the
merchant's phone opens the dispute page straight away, with no Tianping password."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.test import APIClient

from accounts.models import Party
from accounts.services import api_key_create
from arbitration.models import Dispute
from tests.factories import PlatformFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20_000


def test_the_merchant_link_opens_the_dispute_page_without_a_login(
    live_server, browser, settings, eager_celery
):
    settings.SITE_URL = live_server.url
    platform = PlatformFactory()
    _key, plaintext = api_key_create(platform=platform, name="shop backend")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")
    order = {
        "external_id": "SO-88",
        "title": "Celadon teapot",
        "amount_fen": 26800,
        "buyer": {"external_id": "b-88", "name": "Zhao Lei"},
        "merchant": {"external_id": "m-88", "name": "Longquan Kiln"},
    }
    assert api.post("/api/v1/orders", order, format="json").status_code == 201
    created = api.post(
        "/api/v1/disputes",
        {
            "order": "SO-88",
            "reason": "not_received",
            "remedy": "refund_only",
            "description": "The parcel never came.",
        },
        format="json",
    ).json()

    # The merchant is abroad: the first page a link opens is shown on their own clock (the
    # page that set the time-zone cookie loads itself again, once).
    context = browser.new_context(
        viewport={"width": 430, "height": 932}, locale="en-US", timezone_id="America/New_York"
    )
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(created["links"]["merchant"])

    expect(page).to_have_url(f"{live_server.url}/disputes/{created['id']}/")
    expect(page.get_by_text(created["reference"]).first).to_be_visible()
    expect(page.get_by_test_id("nav-inbox")).to_be_visible()  # signed in, as the merchant
    deadline = page.get_by_test_id("whose-move").get_by_test_id("deadline")
    expect(deadline.get_by_test_id("deadline-zone")).to_have_text("New York time")
    due = Dispute.objects.get(pk=created["id"]).deadline_at
    expect(deadline.get_by_test_id("deadline-at")).to_have_text(
        timezone.localtime(due, ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M")
    )
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(deadline.get_by_test_id("deadline-zone")).to_have_text("New York time")
    assert navigations == [page.url]  # the cookie is set now: no second reload
    assert Party.objects.get(external_id="m-88").user is not None

    tampered = created["links"]["buyer"][:-3] + "xx/"
    page.goto(tampered)
    expect(page.get_by_test_id("hosted-link-invalid")).to_be_visible()
    context.close()
