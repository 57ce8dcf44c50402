"""The pages speak Simplified Chinese by default and English on request; login is rate-limited."""

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_pages_are_in_chinese_by_default(buyer, dispute):
    client = client_for(buyer.user)
    client.cookies.clear()
    client.force_login(buyer.user)
    html = client.get(reverse("dispute", kwargs={"pk": dispute.pk})).content.decode()
    assert '<html lang="zh-Hans" ' in html
    assert "时间线" in html  # Timeline
    assert "等待商家" in html  # the state: awaiting merchant
    assert "破损" in html  # the reason: damaged


def test_switching_to_english_renders_english(buyer, dispute):
    client = Client()
    client.force_login(buyer.user)
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": reverse("dispute", kwargs={"pk": dispute.pk})},
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en" ' in html
    assert "Timeline" in html
    assert "awaiting merchant" in html


def test_switching_back_to_chinese(buyer_client):
    response = buyer_client.post(
        reverse("set_language"), {"language": "zh-hans", "next": reverse("buyer_orders")}
    )
    html = buyer_client.get(response["Location"]).content.decode()
    assert "我的订单" in html


def test_the_header_offers_each_language_in_its_own_name(client):
    client.cookies.clear()
    html = client.get(reverse("login")).content.decode()
    assert 'data-testid="lang-zh-hans"' in html
    assert 'data-testid="lang-en"' in html
    assert ">English</button>" in html  # not 英语 on a Chinese page
    assert ">简体中文</button>" in html


def test_service_errors_are_translated(buyer, order):
    client = Client()
    client.force_login(buyer.user)
    response = client.post(
        reverse("dispute_open", kwargs={"order_id": order.pk}),
        {"reason": "damaged", "remedy": "refund_only", "description": "破了"},
    )
    assert response.status_code == 400
    assert "请至少添加一张" in response.content.decode()


def test_login_works_and_lands_on_the_home_redirect(buyer):
    client = Client()
    response = client.post(
        reverse("login"), {"username": buyer.user.username, "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("buyer_orders")


def test_login_is_rate_limited_with_a_429_page(settings, buyer):
    settings.LOGIN_RATE_LIMIT = "3/m"
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {"username": buyer.user.username, "password": "wrong"}
    statuses = [client.post(reverse("login"), data).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.post(reverse("login"), data)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_logout_is_a_post(buyer_client):
    response = buyer_client.post(reverse("logout"))
    assert response.status_code == 302
    assert buyer_client.get(reverse("buyer_orders")).status_code == 302
