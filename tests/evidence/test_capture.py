"""The in-app camera: a one-time signed nonce per shot, stored as a live capture."""

import io
import itertools
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.credit import credit_event_record
from accounts.models import CreditEvent, CreditTier
from arbitration import services
from arbitration.models import Dispute
from arbitration.services.capture import capture_token_make
from evidence import analysis
from evidence.forensics import fingerprints
from evidence.models import Evidence
from evidence.selectors import near_duplicates
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory
from tests.fixtures import photos


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


_scenes = itertools.count(100)


def page_jpeg(seed: int | None = None, size=(640, 480)) -> bytes:
    """What the page's canvas encoder sends: a baseline JFIF JPEG of one video frame."""
    return photos.to_jpeg(photos.scene(*size, seed=next(_scenes) if seed is None else seed), 92)


def as_upload(data: bytes, name="capture.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def shoot(client, dispute, token, photo=None, drawn="actual"):
    """Post one shot as the page does: the JPEG and the canvas size it drew."""
    data = page_jpeg() if photo is None else photo
    body = {"token": token}
    if isinstance(data, bytes):
        if drawn == "actual":
            drawn = Image.open(io.BytesIO(data)).size
        data = as_upload(data)
    if drawn not in (None, "actual"):
        body["width"], body["height"] = drawn
    return client.post(upload_url(dispute), {**body, "photo": data})


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


# ---------------------------------------------------------------- what counts as live


def sent(dispute) -> Evidence:
    """The one shot sent from the camera page in ``dispute``."""
    return Evidence.objects.get(dispute=dispute, capture_nonce__isnull=False)


def problem_codes(item: Evidence) -> set[str]:
    return {p["code"] for p in item.capture_problems}


def assert_stored_not_live(response, dispute, *codes) -> Evidence:
    """The shot is kept as ordinary evidence, not live, with the reasons recorded."""
    assert response.status_code == 201
    assert response.json()["evidence"]["live"] is False
    assert response.json()["evidence"]["captured_live_at"] is None
    item = sent(dispute)
    assert item.captured_live_at is None
    assert item.role == Evidence.Role.BUYER
    assert item.caption == "Sent from the camera page"
    assert set(codes) <= problem_codes(item)
    assert not live(dispute).exists()
    return item


def test_a_page_shot_is_live_with_no_problem_recorded(buyer_client, dispute):
    response = shoot(buyer_client, dispute, page_token(buyer_client, dispute))

    assert response.json()["evidence"]["live"] is True
    item = live(dispute).get()
    assert item.capture_problems == []
    assert item.caption == "Captured live"


def test_a_camera_file_dated_weeks_before_delivery_is_kept_but_not_live(buyer_client, dispute):
    """The reported case: EXIF taken 19 days before delivery, posted with a fresh token."""
    delivered = dispute.order.delivered_at or timezone.now()
    taken = (delivered - timedelta(days=19)).replace(tzinfo=None)
    token = page_token(buyer_client, dispute)

    response = shoot(buyer_client, dispute, token, photo=photos.camera_photo(taken=taken))

    item = assert_stored_not_live(response, dispute, "camera_data", "dated_before_page")
    assert "Make" in next(p["detail"] for p in item.capture_problems if p["code"] == "camera_data")
    # The token is spent all the same: the file cannot be sent again with it.
    assert shoot(buyer_client, dispute, token).status_code == 409


def test_a_shot_of_another_size_than_the_page_drew_is_not_live(buyer_client, dispute):
    token = page_token(buyer_client, dispute)

    response = shoot(buyer_client, dispute, token, photo=page_jpeg(), drawn=(1280, 960))

    assert_stored_not_live(response, dispute, "size_mismatch")


def test_a_shot_without_the_canvas_size_is_not_live(buyer_client, dispute):
    response = shoot(buyer_client, dispute, page_token(buyer_client, dispute), drawn=None)

    assert_stored_not_live(response, dispute, "size_mismatch")


def test_a_shot_larger_than_the_page_may_draw_is_not_live(buyer_client, dispute):
    token = page_token(buyer_client, dispute)

    response = shoot(buyer_client, dispute, token, photo=page_jpeg(size=(2400, 1800)))

    assert_stored_not_live(response, dispute, "size_mismatch")


def _filed_by(outsider, dispute, photo: bytes):
    """The photo stored as another buyer's evidence, in a dispute with the same merchant."""
    other = services.dispute_open(
        order=OrderFactory(buyer=outsider, merchant=dispute.merchant),
        buyer=outsider,
        reason="damaged",
        remedy="refund_only",
        description="Cracked too.",
        files=[as_upload(photo)],
    )
    return other.evidence.get()


def test_a_stored_photo_posted_again_is_not_live(buyer_client, dispute, outsider):
    """The same bytes as a photo already stored, here in another buyer's dispute."""
    photo = page_jpeg(seed=7)
    stored = _filed_by(outsider, dispute, photo)

    response = shoot(buyer_client, dispute, page_token(buyer_client, dispute), photo=photo)

    item = assert_stored_not_live(response, dispute, "known_file")
    assert item.capture_problems[-1]["detail"] == f"evidence #{stored.pk}"


def test_a_near_duplicate_of_stored_evidence_is_not_live(buyer_client, dispute, outsider):
    """Someone else's analysed photo, resized and re-encoded the way the page would."""
    original = page_jpeg(seed=11, size=(800, 600))
    stored = _filed_by(outsider, dispute, original)
    analysis.analyze_evidence(stored.pk)  # stores its fingerprints
    copy = Image.open(io.BytesIO(original)).resize((640, 480))

    token = page_token(buyer_client, dispute)
    response = shoot(buyer_client, dispute, token, photo=photos.to_jpeg(copy, 92))

    item = assert_stored_not_live(response, dispute, "near_duplicate")
    assert {"code": "near_duplicate", "detail": f"evidence #{stored.pk}"} in item.capture_problems


def test_two_live_shots_of_the_same_damage_both_stay_live(buyer_client, dispute):
    first = page_jpeg(seed=21)
    response = shoot(buyer_client, dispute, page_token(buyer_client, dispute), photo=first)
    first_item = live(dispute).get()
    analysis.analyze_evidence(first_item.pk)
    again = photos.to_jpeg(Image.open(io.BytesIO(first)).rotate(1), 90)
    assert first_item.pk in {m.evidence_id for m in near_duplicates(fingerprints.of_bytes(again))}

    response = shoot(buyer_client, dispute, response.json()["token"], photo=again)

    assert response.json()["evidence"]["live"] is True
    assert live(dispute).count() == 2


def test_a_shot_that_is_not_live_does_not_count_for_the_watch_tier(buyer_client, order, buyer):
    credit_event_record(
        party=buyer, kind=CreditEvent.Kind.ADJUSTMENT, reason="t", source_key="t", points=-30
    )
    buyer_client.post(
        f"/orders/{order.pk}/dispute/",
        {"reason": "damaged", "remedy": "refund_only", "description": "Cracked.", "capture": "1"},
    )
    dispute = Dispute.objects.get(order=order)
    shoot(buyer_client, dispute, page_token(buyer_client, dispute), drawn=(10, 10))

    response = buyer_client.post(f"/disputes/{dispute.pk}/submit/")

    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.OPEN
    assert "in-app camera" in response.content.decode()


def test_the_arbitrator_sees_why_a_shot_is_not_live(buyer_client, dispute, arbitrator):
    taken = (timezone.now() - timedelta(days=19)).replace(tzinfo=None)
    shoot(
        buyer_client,
        dispute,
        page_token(buyer_client, dispute),
        photo=photos.camera_photo(taken=taken),
    )

    body = client_for(arbitrator).get(f"/console/arbitration/dispute/{dispute.pk}/change/")
    html = body.content.decode()

    assert 'data-testid="capture-not-live"' in html
    assert "its EXIF date is before the camera page was opened" in html
    assert 'data-testid="captured-live"' not in html


def test_the_party_is_told_the_shot_is_kept_but_not_live(buyer_client, dispute):
    shoot(buyer_client, dispute, page_token(buyer_client, dispute), drawn=(1, 1))
    item = sent(dispute)

    body = buyer_client.get(f"/disputes/{dispute.pk}/capture/").content.decode()

    assert f'data-testid="not-live-{item.uid}"' in body
