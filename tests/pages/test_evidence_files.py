"""Evidence files: the safe copy to the parties and arbitrators, the original to its owner."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from evidence.models import Evidence
from evidence.services import evidence_add
from tests.conftest import jpeg_upload

from .conftest import client_for

pytestmark = pytest.mark.django_db


def gps_jpeg():
    """A real JPEG carrying a camera model and a GPS position in its EXIF."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 9000"  # Model
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}  # GPSInfo
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return SimpleUploadedFile("gps.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def buyer_photo(dispute, buyer):
    """The buyer's GPS-tagged photo in the dispute."""
    (item,) = evidence_add(
        order=dispute.order, dispute=dispute, party=buyer, files=[gps_jpeg()], role="buyer"
    )
    return item


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def safe_url(item):
    return reverse("evidence_file", kwargs={"uid": item.uid})


def original_url(item):
    return reverse("evidence_original", kwargs={"uid": item.uid})


def test_the_counterparty_gets_the_safe_copy_without_exif(merchant_client, buyer_photo):
    response = merchant_client.get(safe_url(buyer_photo))
    assert response.status_code == 200
    assert response["Content-Type"] == buyer_photo.safe_copy_mime
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    data = body(response)
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()
    assert b"SecretCam" not in data


def test_the_counterparty_cannot_get_the_original(merchant_client, buyer_photo):
    assert merchant_client.get(original_url(buyer_photo)).status_code == 404


def test_the_submitter_gets_the_original_with_its_metadata(buyer_client, buyer_photo):
    response = buyer_client.get(original_url(buyer_photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"SecretCam" in body(response)


def test_an_arbitrator_gets_both(arbitrator_client, buyer_photo):
    assert arbitrator_client.get(safe_url(buyer_photo)).status_code == 200
    assert arbitrator_client.get(original_url(buyer_photo)).status_code == 200


def test_an_outsider_gets_neither(outsider_client, buyer_photo):
    assert outsider_client.get(safe_url(buyer_photo)).status_code == 404
    assert outsider_client.get(original_url(buyer_photo)).status_code == 404


def test_an_anonymous_visitor_gets_neither(client, buyer_photo):
    assert client.get(safe_url(buyer_photo)).status_code == 404
    assert client.get(original_url(buyer_photo)).status_code == 404


def test_an_unknown_file_is_a_404(buyer_client):
    url = reverse("evidence_file", kwargs={"uid": "00000000-0000-0000-0000-000000000000"})
    assert buyer_client.get(url).status_code == 404


def test_listing_photos_go_to_the_orders_buyer_and_merchant_only(
    buyer_client, merchant_client, outsider_client, order, merchant
):
    (item,) = evidence_add(order=order, party=merchant, files=[jpeg_upload()], role="listing")
    assert item.role == Evidence.Role.LISTING
    assert buyer_client.get(safe_url(item)).status_code == 200
    assert merchant_client.get(safe_url(item)).status_code == 200
    assert outsider_client.get(safe_url(item)).status_code == 404
    assert buyer_client.get(original_url(item)).status_code == 404
    assert merchant_client.get(original_url(item)).status_code == 200


def test_uploads_are_rate_limited_per_user(settings, buyer, dispute):
    settings.UPLOAD_RATE_LIMIT = "2/m"
    client = client_for(buyer.user)
    url = reverse("evidence_upload", kwargs={"pk": dispute.pk})
    statuses = [client.post(url, {"files": [jpeg_upload()]}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Evidence.objects.filter(dispute=dispute).count() == 3  # 1 at opening + 2
