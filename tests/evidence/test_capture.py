"""The in-app camera: a one-time signed nonce per shot, stored as a live capture."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from accounts.credit import credit_event_record
from accounts.models import CreditEvent, CreditTier
from arbitration import services
from arbitration.models import Dispute
from arbitration.services.capture import capture_token_make
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory


def client_for(user) -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def buyer_client(buyer):
    return client_for(buyer.user)


def upload_url(dispute):
    return f"/disputes/{dispute.pk}/capture/upload/"


def shoot(client, dispute, token, photo=None):
    return client.post(
        upload_url(dispute), {"token": token, "photo": photo or jpeg_upload("capture.jpg")}
    )


def page_token(client, dispute) -> str:
    response = client.get(f"/disputes/{dispute.pk}/capture/")
    assert response.status_code == 200
    return re.search(r'data-token="([^"]+)"', response.content.decode()).group(1)


def live(dispute):
    return Evidence.objects.filter(dispute=dispute, captured_live_at__isnull=False)


def test_the_capture_page_carries_a_token_and_opens_the_camera(buyer_client, dispute):
    response = buyer_client.get(f"/disputes/{dispute.pk}/capture/")

    body = response.content.decode()
    assert 'data-testid="capture"' in body
    assert "js/capture.js" in body
    assert page_token(buyer_client, dispute)


def test_a_shot_is_stored_as_a_live_capture_and_the_next_token_comes_back(
    buyer_client, dispute, buyer
):
    token = page_token(buyer_client, dispute)

    response = shoot(buyer_client, dispute, token)

    assert response.status_code == 201
    data = response.json()
    assert data["token"] and data["token"] != token
    item = live(dispute).get()
    assert item.submitted_by == buyer
    assert item.role == Evidence.Role.BUYER
    assert item.capture_nonce
    assert str(item.uid) == data["evidence"]["uid"]


def test_a_replayed_token_is_refused_and_stores_nothing(buyer_client, dispute):
    token = page_token(buyer_client, dispute)
    assert shoot(buyer_client, dispute, token).status_code == 201
    count = Evidence.objects.count()

    response = shoot(buyer_client, dispute, token)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "capture_used"
    assert Evidence.objects.count() == count


def test_the_next_token_takes_another_photo(buyer_client, dispute):
    first = shoot(buyer_client, dispute, page_token(buyer_client, dispute)).json()

    assert shoot(buyer_client, dispute, first["token"]).status_code == 201
    assert live(dispute).count() == 2


def test_an_expired_token_is_refused(buyer_client, dispute):
    token = page_token(buyer_client, dispute)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = shoot(buyer_client, dispute, token)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "capture_expired"
    assert not live(dispute).exists()


def test_a_forged_token_is_refused(buyer_client, dispute):
    response = shoot(buyer_client, dispute, "not-a-token")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "capture_invalid"
    assert not live(dispute).exists()


def test_a_token_of_another_dispute_is_refused(buyer_client, dispute, buyer, merchant):
    other = services.dispute_open(
        order=OrderFactory(buyer=buyer, merchant=merchant),
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="Also cracked.",
        files=[jpeg_upload()],
    )

    response = shoot(buyer_client, dispute, capture_token_make(dispute=other, party=buyer))

    assert response.status_code == 403
    assert not Evidence.objects.filter(captured_live_at__isnull=False).exists()


def test_a_token_of_the_other_party_is_refused(dispute, buyer, merchant):
    merchant_client = client_for(merchant.user)

    response = shoot(merchant_client, dispute, capture_token_make(dispute=dispute, party=buyer))

    assert response.status_code == 403
    assert not live(dispute).exists()


def test_an_outsider_gets_no_camera_page(dispute, outsider):
    response = client_for(outsider.user).get(f"/disputes/{dispute.pk}/capture/")

    assert response.status_code == 404


def test_a_capture_before_delivery_is_refused(buyer_client, dispute):
    dispute.order.delivered_at = timezone.now() + timedelta(days=1)
    dispute.order.save()

    response = shoot(buyer_client, dispute, page_token(buyer_client, dispute))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "capture_before_delivery"
    assert not live(dispute).exists()


def test_a_video_is_not_a_capture(buyer_client, dispute):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.fixtures import uploads

    video = SimpleUploadedFile("clip.mp4", uploads.mp4(), "video/mp4")

    response = shoot(buyer_client, dispute, page_token(buyer_client, dispute), photo=video)

    assert response.status_code == 400
    assert not Evidence.objects.filter(dispute=dispute, kind="video").exists()


def test_no_capture_once_the_evidence_window_closed(buyer_client, dispute, buyer):
    token = page_token(buyer_client, dispute)
    services.dispute_withdraw(dispute=dispute, party=buyer)

    response = shoot(buyer_client, dispute, token)

    assert response.status_code == 400
    assert (
        'data-testid="capture-closed"'
        in buyer_client.get(f"/disputes/{dispute.pk}/capture/").content.decode()
    )


def test_the_dispute_page_marks_the_photo_as_captured_live(buyer_client, dispute):
    shoot(buyer_client, dispute, page_token(buyer_client, dispute))
    item = live(dispute).get()

    body = buyer_client.get(f"/disputes/{dispute.pk}/").content.decode()

    assert f'data-testid="live-{item.uid}"' in body
    assert "captured live in the app" in body


def test_the_console_counts_a_live_capture_for_authenticity(buyer_client, dispute, arbitrator):
    shoot(buyer_client, dispute, page_token(buyer_client, dispute))
    console = client_for(arbitrator)

    body = console.get(f"/console/arbitration/dispute/{dispute.pk}/change/").content.decode()

    assert 'data-testid="captured-live"' in body


def test_a_watch_buyer_sends_a_draft_after_a_live_capture(buyer_client, order, buyer):
    credit_event_record(
        party=buyer, kind=CreditEvent.Kind.ADJUSTMENT, reason="t", source_key="t", points=-30
    )
    buyer.refresh_from_db()
    assert buyer.credit_tier == CreditTier.WATCH
    response = buyer_client.post(
        f"/orders/{order.pk}/dispute/",
        {
            "reason": "damaged",
            "remedy": "refund_only",
            "description": "Cracked.",
            "capture": "1",
        },
    )
    dispute = Dispute.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == f"/disputes/{dispute.pk}/capture/"
    assert dispute.state == Dispute.State.OPEN

    shoot(buyer_client, dispute, page_token(buyer_client, dispute))
    response = buyer_client.post(f"/disputes/{dispute.pk}/submit/")

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert dispute.review_required


def test_a_draft_stays_out_of_the_merchants_inbox(buyer_client, order, merchant):
    buyer_client.post(
        f"/orders/{order.pk}/dispute/",
        {"reason": "not_received", "remedy": "refund_only", "description": "Lost."},
    )
    sent = Dispute.objects.get(order=order)
    draft = services.dispute_open(
        order=OrderFactory(buyer=order.buyer, merchant=merchant),
        buyer=order.buyer,
        reason="damaged",
        remedy="refund_only",
        description="Cracked.",
        submit=False,
    )

    body = client_for(merchant.user).get("/merchant/").content.decode()

    assert f"inbox-row-{sent.pk}" in body
    assert f"inbox-row-{draft.pk}" not in body
