"""Webhook endpoints, the event feed and deliveries through the API, incl. tenancy."""

import pytest

from tests.api.conftest import error_of
from tests.conftest import jpeg_upload
from tests.webhooks.conftest import verify
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

URL = "https://hooks.example.com/tianping"


@pytest.fixture(autouse=True)
def _private_urls_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def endpoint_b(other_platform):
    return services.endpoint_create(platform=other_platform, url=URL)


def _create(client, **body):
    return client.post("/api/v1/webhook-endpoints", {"url": URL, **body}, format="json")


def test_it_creates_an_endpoint_and_shows_the_secret_once(client_a, platform):
    response = _create(client_a, events=["dispute.decided", "offer.created"])
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["dispute.decided", "offer.created"]
    assert WebhookEndpoint.objects.get(pk=body["id"]).platform == platform

    again = client_a.get(f"/api/v1/webhook-endpoints/{body['id']}")
    assert again.status_code == 200
    assert "secret" not in again.json()
    listed = client_a.get("/api/v1/webhook-endpoints").json()
    assert [item["id"] for item in listed] == [body["id"]]
    assert "secret" not in listed[0]


def test_it_rejects_an_unknown_event_type_naming_the_field(client_a):
    response = _create(client_a, events=["dispute.exploded"])
    assert response.status_code == 400
    assert "events" in error_of(response)["details"]


def test_it_rejects_a_url_that_is_not_http(client_a):
    response = _create(client_a, url="ftp://hooks.example.com/x")
    assert response.status_code == 400
    assert error_of(response)["details"].keys() == {"url"}
    assert not WebhookEndpoint.objects.exists()


def test_it_refuses_a_loopback_url_when_private_urls_are_not_allowed(client_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    for url in (
        "http://127.0.0.1/",
        "http://10.0.0.5/hook",
        "http://[::1]:8000/",
        "http://localhost/",
    ):
        response = _create(client_a, url=url)
        assert response.status_code == 400, url
        assert error_of(response)["code"] == "private_url"
    assert not WebhookEndpoint.objects.exists()


def test_it_updates_and_deletes_an_endpoint(client_a):
    pk = _create(client_a).json()["id"]
    response = client_a.patch(
        f"/api/v1/webhook-endpoints/{pk}", {"is_active": False, "events": []}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert client_a.delete(f"/api/v1/webhook-endpoints/{pk}").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=pk).exists()


def test_rotation_returns_a_new_secret_and_keeps_the_old_one_for_the_grace(client_a):
    created = _create(client_a).json()
    response = client_a.post(
        f"/api/v1/webhook-endpoints/{created['id']}/rotate-secret",
        {"grace_hours": 2},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["secret"] != created["secret"]
    assert body["previous_secret_expires_at"] is not None
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert endpoint.previous_secret == created["secret"]


def test_endpoint_creation_is_idempotent(client_a):
    headers = {"HTTP_IDEMPOTENCY_KEY": "hook-1"}
    first = client_a.post("/api/v1/webhook-endpoints", {"url": URL}, format="json", **headers)
    again = client_a.post("/api/v1/webhook-endpoints", {"url": URL}, format="json", **headers)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.count() == 1
    other = client_a.post(
        "/api/v1/webhook-endpoints", {"url": URL + "/2"}, format="json", **headers
    )
    assert other.status_code == 409


def test_another_platforms_endpoint_is_not_found(client_a, endpoint_b):
    path = f"/api/v1/webhook-endpoints/{endpoint_b.pk}"
    assert client_a.get(path).status_code == 404
    assert client_a.patch(path, {"is_active": False}, format="json").status_code == 404
    assert client_a.delete(path).status_code == 404
    assert client_a.post(f"{path}/rotate-secret", {}, format="json").status_code == 404
    assert client_a.get("/api/v1/webhook-endpoints").json() == []
    endpoint_b.refresh_from_db()
    assert endpoint_b.is_active


def test_it_needs_an_api_key(client):
    assert client.get("/api/v1/webhook-endpoints").status_code == 401
    assert client.get("/api/v1/events").status_code == 401


def test_a_dispute_opened_through_the_api_is_in_the_event_feed(client_a, client_b, order):
    body = {
        "order": order.external_id,
        "reason": "damaged",
        "remedy": "refund_only",
        "description": "Cracked.",
        "files": [jpeg_upload()],
    }
    dispute = client_a.post("/api/v1/disputes", body, format="multipart").json()

    feed = client_a.get("/api/v1/events").json()
    types = [item["type"] for item in feed["results"]]
    assert types == ["dispute.updated", "dispute.created"]  # newest first
    created = feed["results"][1]
    assert created["data"]["id"] == dispute["id"]
    assert isinstance(created["created"], int)
    filtered = client_a.get("/api/v1/events", {"type": "dispute.created"}).json()
    assert [item["id"] for item in filtered["results"]] == [created["id"]]
    assert client_b.get("/api/v1/events").json()["results"] == []


def test_the_event_feed_pages_with_a_cursor(client_a, platform):
    for n in range(3):
        services.webhooks_emit(platform=platform, type="dispute.updated", data={"n": n})
    first = client_a.get("/api/v1/events", {"limit": 2}).json()
    assert [item["data"]["n"] for item in first["results"]] == [2, 1]
    second = client_a.get(first["next"]).json()
    assert [item["data"]["n"] for item in second["results"]] == [0]


def test_it_rejects_an_unknown_event_filter(client_a):
    response = client_a.get("/api/v1/events", {"type": "nope"})
    assert response.status_code == 400
    assert "type" in error_of(response)["details"]


def test_deliveries_of_an_event_show_every_attempt_and_can_be_redelivered(
    client_a, platform, receiver
):
    endpoint = services.endpoint_create(platform=platform, url=receiver.url)
    receiver.status = 500
    event = services.webhooks_emit(platform=platform, type="dispute.updated", data={"id": 1})
    delivery = event.deliveries.get()
    services.delivery_attempt(delivery_id=delivery.pk)

    listed = client_a.get(f"/api/v1/events/{event.pk}/deliveries").json()
    assert len(listed) == 1
    assert listed[0]["status"] == "failed"
    assert listed[0]["attempt_log"][0]["status_code"] == 500
    assert listed[0]["attempt_log"][0]["response_excerpt"] == "receiver is broken"

    receiver.status = 200
    response = client_a.post(f"/api/v1/deliveries/{delivery.pk}/redeliver", format="json")
    assert response.status_code == 201
    fresh = response.json()
    assert fresh["status"] == "pending"
    services.delivery_attempt(delivery_id=fresh["id"])
    headers, body = receiver.requests[-1]
    assert headers["Tianping-Delivery"] == str(fresh["id"])
    assert verify(headers["Tianping-Signature"], body, endpoint.secret)
    assert WebhookDelivery.objects.get(pk=fresh["id"]).status == "succeeded"


def test_another_platforms_events_and_deliveries_are_not_found(
    client_a, other_platform, endpoint_b
):
    event = services.webhooks_emit(platform=other_platform, type="dispute.updated", data={})
    delivery = event.deliveries.get()
    assert client_a.get(f"/api/v1/events/{event.pk}/deliveries").status_code == 404
    response = client_a.post(f"/api/v1/deliveries/{delivery.pk}/redeliver", format="json")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert WebhookDelivery.objects.count() == 1
    assert WebhookEvent.objects.filter(platform=other_platform).count() == 1
