"""Hosted links: a dispute opened through the API hands its parties signed, expiring links that
log them in to the dispute page, each only as their own side."""

import threading
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.hosted_links import hosted_links_make
from accounts.models import Party, User
from arbitration import services
from arbitration.models import Dispute
from tests.api.conftest import error_of
from tests.api.test_disputes import open_body
from tests.factories import OrderFactory, PartyFactory


@pytest.fixture
def api_order(client_a):
    """An order pushed through the API: its buyer and merchant have no Tianping login."""
    body = {
        "external_id": "SO-7",
        "title": "Blue mug",
        "amount_fen": 9000,
        "buyer": {"external_id": "b-7", "name": "Wang Fang"},
        "merchant": {"external_id": "m-7", "name": "Mug House"},
    }
    assert client_a.post("/api/v1/orders", body, format="json").status_code == 201
    return client_a


@pytest.fixture
def created(api_order):
    order = SimpleNamespace(external_id="SO-7")
    response = api_order.post("/api/v1/disputes", open_body(order), format="multipart")
    assert response.status_code == 201
    return response.json()


def path_of(url: str) -> str:
    return urlsplit(url).path


def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_creating_a_dispute_returns_links_for_both_parties(created, settings):
    assert set(created["links"]) == {"buyer", "merchant"}
    for url in created["links"].values():
        assert url.startswith(settings.SITE_URL + f"/disputes/{created['id']}/enter/")
    expires = parse_datetime(created["expires_at"])
    lifetime = timedelta(seconds=settings.HOSTED_LINK_MAX_AGE)
    assert timezone.now() + lifetime - timedelta(minutes=1) < expires <= timezone.now() + lifetime


def test_the_buyer_link_logs_in_a_new_passwordless_user_and_opens_the_buyer_page(created):
    buyer = Party.objects.get(external_id="b-7")
    assert buyer.user is None
    page = browser()
    response = page.get(path_of(created["links"]["buyer"]))
    assert response.status_code == 302
    assert response["Location"] == f"/disputes/{created['id']}/"
    buyer.refresh_from_db()
    assert buyer.user is not None
    assert not buyer.user.has_usable_password()
    detail = page.get(response["Location"])
    assert detail.status_code == 200
    assert detail.context["is_buyer"] and not detail.context["is_merchant"]


def test_opening_it_again_reuses_the_same_user(created):
    browser().get(path_of(created["links"]["buyer"]))
    browser().get(path_of(created["links"]["buyer"]))
    assert User.objects.filter(parties__external_id="b-7").count() == 1


def test_the_merchant_link_opens_the_merchant_page(created):
    page = browser()
    response = page.get(path_of(created["links"]["merchant"]), follow=True)
    assert response.status_code == 200
    assert response.context["is_merchant"] and not response.context["is_buyer"]


def test_a_buyer_link_never_grants_the_merchant_side(created):
    page = browser()
    page.get(path_of(created["links"]["buyer"]))
    response = page.post(f"/disputes/{created['id']}/respond/", {"statement": "Not our fault."})
    assert response.status_code == 404
    assert Dispute.objects.get(pk=created["id"]).merchant_statement == ""


def test_a_party_with_an_account_is_logged_in_as_that_account(dispute, buyer):
    links = hosted_links_make(dispute=dispute)
    page = browser()
    page.get(path_of(links.buyer))
    assert int(page.session["_auth_user_id"]) == buyer.user.pk


def test_a_tampered_link_is_refused_and_logs_no_one_in(created):
    url = path_of(created["links"]["buyer"])
    tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    page = browser()
    response = page.get(tampered)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert "_auth_user_id" not in page.session
    assert Party.objects.get(external_id="b-7").user is None


def test_a_link_for_another_dispute_is_refused(created, dispute):
    token = path_of(created["links"]["buyer"]).rstrip("/").rsplit("/", 1)[1]
    response = browser().get(f"/disputes/{dispute.pk}/enter/{token}/")
    assert response.status_code == 400
    assert Party.objects.get(external_id="b-7").user is None


def test_an_expired_link_says_so_and_changes_nothing(created, settings):
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.HOSTED_LINK_MAX_AGE + 5)):
        page = browser()
        response = page.get(path_of(created["links"]["merchant"]))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert "_auth_user_id" not in page.session
    assert Party.objects.get(external_id="m-7").user is None


def test_the_refusal_page_is_translated(created):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(
        f"/disputes/{created['id']}/enter/nonsense/"
    )
    assert response.status_code == 400
    assert 'lang="zh-Hans"' in response.content.decode()


def test_a_link_never_opens_a_staff_or_arbitrator_account(platform, arbitrator):
    buyer = PartyFactory(platform=platform, kind=Party.Kind.BUYER, user=arbitrator)
    merchant = PartyFactory(platform=platform, kind=Party.Kind.MERCHANT)
    dispute = services.dispute_open(
        order=OrderFactory(buyer=buyer, merchant=merchant),
        buyer=buyer,
        reason="not_received",
        remedy="refund_only",
        description="Never came.",
        files=[],
    )
    page = browser()
    response = page.get(path_of(hosted_links_make(dispute=dispute).buyer))
    assert response.status_code == 403
    assert "_auth_user_id" not in page.session


def test_a_link_never_opens_an_account_that_spans_another_platform(dispute, buyer, other_platform):
    PartyFactory(platform=other_platform, kind=Party.Kind.BUYER, user=buyer.user)
    page = browser()
    response = page.get(path_of(hosted_links_make(dispute=dispute).buyer))
    assert response.status_code == 403
    assert "_auth_user_id" not in page.session


def test_opening_links_is_rate_limited(created, settings):
    settings.HOSTED_LINK_RATE_LIMIT = "2/m"
    page = browser()
    url = path_of(created["links"]["buyer"])
    assert [page.get(url).status_code for _ in range(3)] == [302, 302, 429]


# --- POST /disputes/{id}/links ----------------------------------------------------------------
def test_fresh_links_can_be_minted_for_an_existing_dispute(client_a, dispute):
    response = client_a.post(f"/api/v1/disputes/{dispute.pk}/links")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"links", "expires_at"}
    page = browser()
    assert page.get(path_of(body["links"]["merchant"]), follow=True).context["is_merchant"]


def test_links_of_another_platforms_dispute_are_a_404(client_b, dispute):
    response = client_b.post(f"/api/v1/disputes/{dispute.pk}/links")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_minting_links_needs_a_key(dispute):
    from rest_framework.test import APIClient

    response = APIClient().post(f"/api/v1/disputes/{dispute.pk}/links")
    assert response.status_code == 401


def test_minting_links_is_idempotent(client_a, dispute):
    first = client_a.post(f"/api/v1/disputes/{dispute.pk}/links", HTTP_IDEMPOTENCY_KEY="l1")
    again = client_a.post(f"/api/v1/disputes/{dispute.pk}/links", HTTP_IDEMPOTENCY_KEY="l1")
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_the_schema_documents_the_links(client_a):
    schema = client_a.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    created = schema["components"]["schemas"]["DisputeCreated"]
    assert {"links", "expires_at"} <= set(created["properties"])
    assert "/api/v1/disputes/{id}/links" in schema["paths"]


def test_a_user_made_for_a_link_has_no_password(created):
    browser().get(path_of(created["links"]["merchant"]))
    user = Party.objects.get(external_id="m-7").user
    assert not Client().login(username=user.username, password="")


@pytest.mark.django_db(transaction=True)
def test_two_first_clicks_at_once_make_one_user(platform):
    """The party row is locked while its user is made, so racing clicks share one account."""
    buyer = PartyFactory(platform=platform, kind=Party.Kind.BUYER, user=None)
    merchant = PartyFactory(platform=platform, kind=Party.Kind.MERCHANT, user=None)
    dispute = services.dispute_open(
        order=OrderFactory(buyer=buyer, merchant=merchant),
        buyer=buyer,
        reason="not_received",
        remedy="refund_only",
        description="Never came.",
        files=[],
    )
    url = path_of(hosted_links_make(dispute=dispute).buyer)
    barrier, statuses = threading.Barrier(2), []

    def click():
        try:
            barrier.wait(timeout=10)
            statuses.append(browser().get(url).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [302, 302]
    assert User.objects.filter(parties=buyer).count() == 1
    buyer.refresh_from_db()
    assert buyer.user is not None
