"""Console: the webhook delivery log is read-only and offers a redeliver action."""

import pytest

from tests.factories import UserFactory
from webhooks import services
from webhooks.models import WebhookDelivery

DELIVERIES = "/console/webhooks/webhookdelivery/"


@pytest.fixture
def delivery(platform, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    services.endpoint_create(platform=platform, url="http://127.0.0.1:9/hooks")
    event = services.webhooks_emit(platform=platform, type="dispute.decided", data={"id": 3})
    return event.deliveries.get()


def test_an_arbitrator_sees_the_delivery_log(console_client, delivery):
    response = console_client.get(DELIVERIES)
    assert response.status_code == 200
    assert "dispute.decided" in response.content.decode()
    page = console_client.get(f"{DELIVERIES}{delivery.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_the_redeliver_action_queues_a_new_delivery(console_client, delivery):
    response = console_client.post(
        DELIVERIES, {"action": "redeliver", "_selected_action": [delivery.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 delivery queued again." in response.content.decode()
    assert WebhookDelivery.objects.filter(event=delivery.event).count() == 2


def test_someone_who_cannot_arbitrate_cannot_see_or_redeliver(client, delivery):
    client.force_login(UserFactory(is_staff=True, is_arbitrator=False))
    assert client.get(DELIVERIES).status_code in (302, 403)
    client.post(DELIVERIES, {"action": "redeliver", "_selected_action": [delivery.pk]})
    assert WebhookDelivery.objects.count() == 1
