"""Schemathesis fuzzes every operation of the published schema in-process: whatever it sends,
the API answers without a 5xx and as the schema says (status, content type, body shape)."""

from types import SimpleNamespace

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks as openapi_checks

from accounts.services import api_key_create
from arbitration import services
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory
from webhooks import services as webhooks
from webhooks.models import EventType

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


# Loaded from the app itself at collection (the schema view needs no database); the calls go
# to the same WSGI app, in this thread.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _same_connection(db, settings):
    """Like Django's test client, keep the connection open between requests: closing it would
    end the test's transaction."""
    # Fuzzed endpoint URLs must not send the SSRF guard to a real DNS server.
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def known(order, buyer):
    """Real objects, so generated ids can be pointed at rows that exist (not only 404s), and
    a valid key (the generated cases that drop or garble it test the 401s)."""
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="The mug arrived cracked.",
        files=[jpeg_upload()],
        user=buyer.user,
    )
    endpoint = webhooks.endpoint_create(platform=order.platform, url="http://127.0.0.1:9/hooks")
    event = webhooks.webhooks_emit(
        platform=order.platform, type=EventType.DISPUTE_UPDATED, data={"id": dispute.pk}
    )
    fresh = OrderFactory(buyer=buyer, merchant=order.merchant, external_id="fresh-order")
    _key, plaintext = api_key_create(platform=order.platform, name="schemathesis")
    return SimpleNamespace(
        ids={
            "/api/v1/disputes/": dispute.pk,
            "/api/v1/webhook-endpoints/": endpoint.pk,
            "/api/v1/events/": event.pk,
            "/api/v1/deliveries/": event.deliveries.get().pk,
            "/api/v1/orders/": order.external_id,
        },
        order_without_dispute=fresh.external_id,
        headers={"Authorization": f"Bearer {plaintext}", "Accept-Language": "en"},
    )


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_keeps_to_its_schema(case, known):
    cache.clear()  # every example gets the whole per-key rate budget
    for prefix, value in known.ids.items():
        if case.path.startswith(prefix) and case.path_parameters:
            name = next(iter(case.path_parameters))
            if isinstance(case.path_parameters[name], type(value)):
                case.path_parameters[name] = value
    body = case.body if isinstance(case.body, dict) else {}
    if case.path == "/api/v1/disputes" and isinstance(body.get("order"), str):
        body["order"] = known.order_without_dispute
    case.call_and_validate(headers=known.headers, checks=CHECKS)
