"""A whole dispute through the platform API alone, with a real Celery worker delivering the
webhooks to a real HTTP receiver on 127.0.0.1.

order + listing photo → dispute → buyer photo (the listing photo with a painted stain) →
the worker analyses it and POSTs ``evidence.analyzed`` → the merchant offers, the buyer
accepts → ``offer.created``, ``offer.accepted``, ``dispute.decided`` arrive → the worker pays
the refund. Every delivery's ``Tianping-Signature`` is checked here with ``hmac`` alone, as
a platform would check it. Nothing runs eagerly: each task goes through the broker (the
file broker, or Redis with ``REDIS_URL``) to the worker, which reads and writes the test
database.
"""

import hashlib
import hmac
import json
import time
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import api_key_create
from tests.factories import PlatformFactory
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, scene
from tests.fixtures.receiver import Receiver
from tests.worker import Worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SETTLE_TIMEOUT = 60
SIGNATURE_TOLERANCE = 300  # seconds; what a receiver allows against replays

LISTING = scene(640, 480, 5)
ORDER = {
    "external_id": "SO-E2E-1",
    "buyer": {"external_id": "u-77", "name": "Wang Fang", "phone": "13900001111"},
    "merchant": {"external_id": "shop-3", "name": "Good Mugs Store"},
    "title": "Glazed mug",
    "amount_fen": 10000,
    # before the photos' EXIF capture time (tests.fixtures.photos.TAKEN)
    "delivered_at": "2025-09-30T10:00:00+08:00",
}


def jpeg(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def signature_ok(header: str, body: bytes, secret: str) -> bool:
    """The receiver's check: ``t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``, fresh."""
    fields = [part.split("=", 1) for part in header.split(",")]
    stamps = [value for key, value in fields if key == "t"]
    if len(stamps) != 1 or abs(time.time() - int(stamps[0])) > SIGNATURE_TOLERANCE:
        return False
    signed = stamps[0].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, value in fields)


class Hooks:
    """What the receiver got, read as a platform reads it."""

    def __init__(self, receiver: Receiver, worker: Worker):
        self.receiver = receiver
        self.worker = worker

    def received(self) -> list[SimpleNamespace]:
        return [
            SimpleNamespace(headers=headers, body=body, event=json.loads(body))
            for headers, body in list(self.receiver.requests)
        ]

    def summary(self) -> str:
        lines = [
            f"  {item.event['type']} {json.dumps(item.event['data'], sort_keys=True)}"
            for item in self.received()
        ]
        return "\n".join(lines) or "  (nothing)"

    def wait_for(self, type: str, **data) -> SimpleNamespace:
        """The first delivery of ``type`` whose data has ``data``; fails after the timeout
        with everything the receiver got and the worker's log."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while time.monotonic() < deadline:
            for item in self.received():
                event = item.event
                if event["type"] == type and data.items() <= event["data"].items():
                    return item
            time.sleep(0.2)
        pytest.fail(
            f"No {type} webhook with {data} within {SETTLE_TIMEOUT}s. The receiver got:\n"
            f"{self.summary()}\n--- worker log ---\n{self.worker.output()}"
        )


def wait_until(check, what: str, hooks: Hooks):
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    pytest.fail(
        f"Timed out after {SETTLE_TIMEOUT}s waiting for {what}. The receiver got:\n"
        f"{hooks.summary()}\n--- worker log ---\n{hooks.worker.output()}"
    )


@pytest.fixture
def api(db) -> APIClient:
    """A platform's client: its key in the Authorization header, answers in English."""
    platform = PlatformFactory(name="E2E Mall", slug="e2e-mall")
    _key, plaintext = api_key_create(platform=platform, name="e2e")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def hooks(start_worker, receiver, settings, monkeypatch) -> Hooks:
    """The worker, allowed (like this process) to POST to a loopback receiver."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_URLS", "true")  # the worker's environment
    return Hooks(receiver, start_worker())


def test_a_dispute_runs_through_the_api_and_the_worker_delivers_every_webhook(api, hooks, receiver):
    # The platform registers its receiver and keeps the secret it is shown once.
    endpoint = api.post("/api/v1/webhook-endpoints", {"url": receiver.url}, format="json")
    assert endpoint.status_code == 201, endpoint.content
    secret = endpoint.json()["secret"]

    # The order, then the merchant's listing photo of it.
    order = api.post("/api/v1/orders", ORDER, format="json")
    assert order.status_code == 201, order.content
    listing = api.post(
        f"/api/v1/orders/{ORDER['external_id']}/listing-photos",
        {"files": [jpeg("mug-front.jpg", camera_photo(pixels=LISTING, quality=92))]},
        format="multipart",
    )
    assert listing.status_code == 201, listing.content

    # The buyer's claim, with a photo of the parcel; then the "stain": the listing photo,
    # scaled down, with a stain painted on, re-saved as a phone would.
    opened = api.post(
        "/api/v1/disputes",
        {
            "order": ORDER["external_id"],
            "reason": "damaged",
            "remedy": "partial_refund",
            "description": "The mug arrived with a brown stain in the glaze.",
            "files": [jpeg("parcel.jpg", camera_photo(seed=3))],
        },
        format="multipart",
    )
    assert opened.status_code == 201, opened.content
    pk = opened.json()["id"]
    stained = camera_photo(pixels=f.resized(f.paint_stain(LISTING), 0.8), quality=85, seed=1)
    uploaded = api.post(
        f"/api/v1/disputes/{pk}/evidence",
        {"party": "buyer", "files": [jpeg("stain.jpg", stained)], "caption": "The stain"},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    [photo] = uploaded.json()
    assert (photo["role"], photo["analysis"], photo["report"]) == ("buyer", "pending", None)

    # The worker analyses the photo and delivers the finding.
    analyzed = hooks.wait_for("evidence.analyzed", uid=photo["uid"])
    assert signature_ok(analyzed.headers["Tianping-Signature"], analyzed.body, secret)
    assert not signature_ok(analyzed.headers["Tianping-Signature"], analyzed.body, "whsec_x")
    assert analyzed.headers["Tianping-Event"] == "evidence.analyzed"
    data = analyzed.event["data"]
    assert (data["dispute"], data["role"], data["verdict"]) == (pk, "buyer", "edited")
    assert data["forgery_score"] > 0.5
    evidence = {item["uid"]: item for item in api.get(f"/api/v1/disputes/{pk}/evidence").json()}
    report = evidence[photo["uid"]]["report"]
    assert evidence[photo["uid"]]["analysis"] == "done"
    assert (report["verdict"], report["forgery_score"]) == ("edited", data["forgery_score"])
    assert {"reuse.listing_match", "reuse.local_edit"} <= set(report["signals"])
    findings = api.get(f"/api/v1/disputes/{pk}").json()["findings"]["buyer"]
    assert findings["evidence"] == 2 and findings["verdicts"]["edited"] >= 1
    assert findings["highest_forgery_score"] >= round(data["forgery_score"], 3)
    assert {"reuse.listing_match", "reuse.local_edit"} <= set(findings["signals"])

    # The merchant offers 40 %; the buyer takes it.
    offer = api.post(
        f"/api/v1/disputes/{pk}/offers",
        {"party": "merchant", "percent": 40, "message": "Sorry about the glaze."},
        format="json",
    )
    assert offer.status_code == 201, offer.content
    offer_id = offer.json()["id"]
    accepted = api.post(f"/api/v1/disputes/{pk}/offers/accept", {"party": "buyer"}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "decided"

    created = hooks.wait_for("offer.created", id=offer_id)
    taken = hooks.wait_for("offer.accepted", id=offer_id)
    decided = hooks.wait_for("dispute.decided", dispute=pk)
    for item in (created, taken, decided):
        assert signature_ok(item.headers["Tianping-Signature"], item.body, secret), item.event
    assert (created.event["data"]["made_by"], created.event["data"]["amount_fen"]) == (
        "merchant",
        4000,
    )
    assert taken.event["data"]["status"] == "accepted"
    decision = api.get(f"/api/v1/disputes/{pk}/decision")
    assert decision.status_code == 200
    decision = decision.json()
    assert (decision["outcome"], decision["amount_fen"], decision["source"]) == (
        "partial_refund",
        4000,
        "agreement",
    )
    assert {key: decided.event["data"][key] for key in ("outcome", "amount_fen", "source")} == {
        key: decision[key] for key in ("outcome", "amount_fen", "source")
    }

    # The worker pays the refund; the API shows it.
    wait_until(
        lambda: api.get(f"/api/v1/disputes/{pk}").json()["state"] == "refunded",
        "the refund to be paid",
        hooks,
    )

    # Every delivery is a distinct event the feed also lists, each logged as delivered once.
    received = hooks.received()
    ids = [item.event["id"] for item in received]
    assert len(ids) == len(set(ids)), hooks.summary()
    assert all(signature_ok(i.headers["Tianping-Signature"], i.body, secret) for i in received)
    assert {"dispute.created", "dispute.updated"} <= {item.event["type"] for item in received}
    deliveries = api.get(f"/api/v1/events/{decided.event['id']}/deliveries").json()
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in deliveries] == [
        ("succeeded", 1, 200)
    ]
