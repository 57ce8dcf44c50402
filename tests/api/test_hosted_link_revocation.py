"""A hosted link opens its own dispute's pages only, and dies early: a newer link for the
same party, a changed password, or a revocation (API or console) ends it and the browser
sessions it opened."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.hosted_links import hosted_links_make
from arbitration import services
from tests.api.conftest import error_of
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return urlsplit(url).path


def opened(url: str) -> Client:
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = page.get(path_of(url))
    assert response.status_code == 302, response.content[:300]
    return page


@pytest.fixture
def second_dispute(buyer, merchant):
    return services.dispute_open(
        order=OrderFactory(buyer=buyer, merchant=merchant, amount_fen=5000),
        buyer=buyer,
        reason="not_received",
        remedy="refund_only",
        description="The other order never came.",
        user=buyer.user,
    )


def test_a_link_session_reaches_its_dispute_only(dispute, second_dispute):
    page = opened(hosted_links_make(dispute=dispute).buyer)
    assert page.get(f"/disputes/{dispute.pk}/").status_code == 200
    elsewhere = page.get(f"/disputes/{second_dispute.pk}/")
    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == f"/disputes/{dispute.pk}/"
    assert page.get("/accounts/credit/")["Location"] == f"/disputes/{dispute.pk}/"
    assert page.get("/orders/")["Location"] == f"/disputes/{dispute.pk}/"
    moved = page.post(f"/disputes/{second_dispute.pk}/withdraw/")
    assert moved.status_code == 404
    second_dispute.refresh_from_db()
    assert second_dispute.state == "awaiting_merchant"


def test_a_password_login_is_not_scoped(client, buyer, dispute, second_dispute):
    client.force_login(buyer.user)
    assert client.get(f"/disputes/{second_dispute.pk}/").status_code == 200


def test_a_new_link_ends_the_old_one_and_its_session(dispute):
    old = hosted_links_make(dispute=dispute).buyer
    page = opened(old)
    new = hosted_links_make(dispute=dispute).buyer
    assert Client().get(path_of(old)).status_code == 410
    ended = page.get(f"/disputes/{dispute.pk}/")
    assert ended.status_code == 410
    assert "_auth_user_id" not in page.session
    assert opened(new).get(f"/disputes/{dispute.pk}/").status_code == 200


def test_a_new_link_for_another_dispute_leaves_this_one(dispute, second_dispute):
    link = hosted_links_make(dispute=dispute).buyer
    hosted_links_make(dispute=second_dispute)
    assert opened(link).get(f"/disputes/{dispute.pk}/").status_code == 200


def test_a_password_change_ends_links_not_yet_opened_and_opened(dispute, buyer):
    buyer_link = hosted_links_make(dispute=dispute).buyer
    page = opened(buyer_link)
    buyer.user.set_password("a-new-password-9")
    buyer.user.save()
    assert Client().get(path_of(buyer_link)).status_code == 410
    assert page.get(f"/disputes/{dispute.pk}/").status_code in (302, 410)
    assert "_auth_user_id" not in page.session


def test_the_api_revokes_one_partys_links(client_a, dispute):
    links = hosted_links_make(dispute=dispute)
    page = opened(links.buyer)
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/links/revoke", {"party": "buyer"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"revoked": 1}
    assert Client().get(path_of(links.buyer)).status_code == 410
    assert page.get(f"/disputes/{dispute.pk}/").status_code == 410
    assert opened(links.merchant).get(f"/disputes/{dispute.pk}/").status_code == 200


def test_revoking_needs_a_party_and_the_platforms_dispute(client_a, client_b, dispute):
    url = f"/api/v1/disputes/{dispute.pk}/links/revoke"
    assert error_of(client_a.post(url, {}, format="json"))["code"] == "validation_error"
    assert client_b.post(url, {"party": "buyer"}, format="json").status_code == 404


def test_an_arbitrator_revokes_a_partys_links_from_the_console(
    client, arbitrator, dispute, second_dispute, merchant
):
    first, second = hosted_links_make(dispute=dispute), hosted_links_make(dispute=second_dispute)
    client.force_login(arbitrator)
    url = f"/console/accounts/party/{merchant.pk}/revoke-links/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    for link in (first.merchant, second.merchant):
        assert Client().get(path_of(link)).status_code == 410
    assert opened(first.buyer).get(f"/disputes/{dispute.pk}/").status_code == 200


def test_a_party_cannot_revoke_from_the_console(client, buyer, merchant, dispute):
    link = hosted_links_make(dispute=dispute).merchant
    client.force_login(buyer.user)
    client.post(f"/console/accounts/party/{merchant.pk}/revoke-links/")
    assert opened(link).get(f"/disputes/{dispute.pk}/").status_code == 200
