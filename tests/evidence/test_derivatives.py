"""Resized copies for srcset: made from the safe copy, short side = the width asked for,
only the listed widths, the same access rule as the safe copy."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from evidence.derivatives import WIDTHS, derivative_name, resized
from tests.conftest import jpeg_upload
from tests.pages.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_photo_dispute(order, buyer):
    from arbitration import services

    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="Cracked.",
        files=[jpeg_upload(size=(1600, 1200))],
        user=buyer.user,
    )


def test_the_short_side_is_the_width_and_nothing_is_enlarged():
    buf = io.BytesIO()
    Image.new("RGBA", (900, 600), (10, 200, 10, 128)).save(buf, "PNG")
    with Image.open(io.BytesIO(resized(buf.getvalue(), 320))) as out:
        assert out.format == "JPEG" and out.size == (480, 320)
    with Image.open(io.BytesIO(resized(buf.getvalue(), 960))) as out:
        assert out.size == (900, 600)


def test_a_party_gets_the_small_copy_and_it_is_kept(big_photo_dispute, merchant):
    item = big_photo_dispute.evidence.get()
    client = client_for(merchant.user)
    url = reverse("evidence_file", args=[item.uid])
    response = client.get(url, {"w": 320})
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(body)) as out:
        assert min(out.size) == 320
    full = b"".join(client.get(url).streaming_content)
    assert len(body) < len(full)
    assert item.safe_copy.storage.exists(derivative_name(item, 320))


@pytest.mark.parametrize("width", ["100", "abc", "-1", "320.5", "99999"])
def test_a_width_not_offered_is_refused(big_photo_dispute, merchant, width):
    item = big_photo_dispute.evidence.get()
    response = client_for(merchant.user).get(
        reverse("evidence_file", args=[item.uid]), {"w": width}
    )
    assert response.status_code == 400
    assert not item.safe_copy.storage.exists(derivative_name(item, 320))


def test_an_outsider_gets_nothing(big_photo_dispute, outsider):
    item = big_photo_dispute.evidence.get()
    response = client_for(outsider.user).get(reverse("evidence_file", args=[item.uid]), {"w": 160})
    assert response.status_code == 404


def test_the_page_offers_every_width(big_photo_dispute, buyer):
    html = (
        client_for(buyer.user).get(reverse("dispute", args=[big_photo_dispute.pk])).content.decode()
    )
    item = big_photo_dispute.evidence.get()
    for width in WIDTHS:
        assert f"/evidence/{item.uid}/?w={width} {width}w" in html
