"""Only arbitrators enter the console, and even they cannot delete or rewrite state."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Platform
from arbitration.models import Dispute
from tests.factories import UserFactory

from .conftest import QUEUE, page_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/console/", QUEUE, "/console/accounts/party/"])
def test_it_sends_anonymous_visitors_to_the_console_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


@pytest.mark.parametrize("who", ["buyer", "merchant"])
def test_it_refuses_a_logged_in_buyer_or_merchant(client, request, who):
    party = request.getfixturevalue(who)
    client.force_login(party.user)
    for url in ("/console/", QUEUE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/console/login/")


def test_it_refuses_a_buyer_at_the_console_login_form(client, buyer):
    response = client.post(
        "/console/login/",
        {"username": buyer.user.username, "password": "pw-for-tests-1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "may not enter the arbitration console" not in response.content.decode()


def test_a_buyers_right_password_reads_like_a_wrong_one(client, buyer):
    """The console's refusal must not confirm that a buyer's password is right."""

    def errors(password: str) -> list[str]:
        response = client.post(
            "/console/login/",
            {"username": buyer.user.username, "password": password},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        return [str(e) for e in response.context["form"].non_field_errors()]

    right, wrong = errors("pw-for-tests-1"), errors("not-the-password")
    assert right == wrong
    assert len(right) == 1


def test_it_lets_an_arbitrator_who_is_not_staff_log_in(client):
    judge = UserFactory(username="judge2", is_arbitrator=True, is_staff=False)
    response = client.post("/console/login/", {"username": "judge2", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.get(QUEUE).status_code == 200
    assert int(client.session["_auth_user_id"]) == judge.pk


def test_it_shows_an_arbitrator_the_index_and_the_queue(console_client):
    index = console_client.get("/console/")
    assert index.status_code == 200
    assert QUEUE in index.content.decode()
    assert console_client.get(QUEUE).status_code == 200


def test_it_turns_away_a_deactivated_arbitrator(client):
    judge = UserFactory(username="gone", is_arbitrator=True, is_active=False)
    client.force_login(judge)
    assert client.get(QUEUE).status_code == 302


@pytest.mark.parametrize(
    "model", ["arbitration/dispute", "arbitration/disputeevent", "arbitration/decision"]
)
def test_it_offers_no_add_page(console_client, model):
    assert console_client.get(f"/console/{model}/add/").status_code == 403


def test_it_refuses_to_delete_a_dispute_or_its_events(console_client, under_review):
    event = under_review.events.first()
    for url in (
        reverse("console:arbitration_dispute_delete", args=[under_review.pk]),
        reverse("console:arbitration_disputeevent_delete", args=[event.pk]),
    ):
        assert console_client.post(url, {"post": "yes"}).status_code == 403
    assert Dispute.objects.filter(pk=under_review.pk).exists()
    assert under_review.events.filter(pk=event.pk).exists()


def test_it_offers_no_bulk_delete_in_the_queue(console_client, under_review):
    response = console_client.post(
        QUEUE, {"action": "delete_selected", "_selected_action": [under_review.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert Dispute.objects.filter(pk=under_review.pk).exists()


def test_it_ignores_a_posted_state_on_the_dispute_page(console_client, under_review):
    response = console_client.post(page_url(under_review), {"state": "refunded"})
    assert response.status_code == 400
    under_review.refresh_from_db()
    assert under_review.state == Dispute.State.UNDER_REVIEW


def test_it_lets_an_arbitrator_change_a_platforms_deadline_windows(console_client, platform):
    url = reverse("console:accounts_platform_change", args=[platform.pk])
    response = console_client.post(
        url, {"merchant_response_hours": 24, "buyer_response_hours": 48, "name": "Hijacked"}
    )
    assert response.status_code == 302
    platform.refresh_from_db()
    assert (platform.merchant_response_hours, platform.buyer_response_hours) == (24, 48)
    assert platform.name == "Demo Mall"
    assert not Platform.objects.filter(name="Hijacked").exists()


def test_it_keeps_an_arbitrator_from_granting_the_arbitrator_flag(console_client, buyer):
    url = reverse("console:accounts_user_change", args=[buyer.user.pk])
    response = console_client.post(url, {"is_arbitrator": "on", "is_active": "on"})
    assert response.status_code == 403
    buyer.user.refresh_from_db()
    assert not buyer.user.is_arbitrator


def test_it_lets_a_superuser_grant_the_arbitrator_flag(client, buyer):
    client.force_login(UserFactory(username="root", is_superuser=True))
    url = reverse("console:accounts_user_change", args=[buyer.user.pk])
    response = client.post(url, {"is_arbitrator": "on", "is_active": "on"})
    assert response.status_code == 302
    buyer.user.refresh_from_db()
    assert buyer.user.is_arbitrator


def test_it_masks_buyer_phone_numbers_in_the_party_list(console_client, buyer):
    response = console_client.get("/console/accounts/party/")
    body = response.content.decode()
    assert "138****1234" in body
    assert "13812341234" not in body
    detail = console_client.get(reverse("console:accounts_party_change", args=[buyer.pk]))
    assert "13812341234" not in detail.content.decode()
    assert "世纪大道" not in detail.content.decode()


@pytest.mark.parametrize(
    ("merchant_hours", "buyer_hours"), [(0, 48), (24, 0), (11, 48), (24, 721), (-1, 48)]
)
def test_it_refuses_a_response_window_out_of_bounds(
    console_client, platform, merchant_hours, buyer_hours
):
    url = reverse("console:accounts_platform_change", args=[platform.pk])
    response = console_client.post(
        url, {"merchant_response_hours": merchant_hours, "buyer_response_hours": buyer_hours}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    platform.refresh_from_db()
    assert (platform.merchant_response_hours, platform.buyer_response_hours) == (48, 72)


def test_the_database_refuses_a_zero_hour_window_too(platform):
    platform.merchant_response_hours = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        platform.save()
