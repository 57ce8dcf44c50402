"""The upload fields: a watch-tier buyer is told photos are required (not "(optional)"),
the picker's slots and messages are on every upload form, the camera link stays, and a
form's errors are printed once."""

import pytest
from django.urls import reverse

from accounts.models import Party
from tests.browser.test_watch_tier import _in_watch

pytestmark = pytest.mark.django_db


def claim_page(client, order) -> str:
    return client.get(reverse("dispute_open", args=[order.pk])).content.decode()


def test_a_standard_buyer_sees_photos_as_optional(buyer_client, order):
    html = claim_page(buyer_client, order)
    assert 'data-testid="required-files"' not in html
    assert "data-picker" in html and 'data-testid="picker"' in html


def test_a_watch_buyer_is_told_photos_are_required(buyer_client, buyer, order):
    _in_watch(buyer)
    html = claim_page(buyer_client, order)
    assert 'data-testid="required-files">(required)<' in html
    assert "three different angles" in html
    assert 'data-testid="dispute-capture"' in html


def test_the_dispute_page_upload_keeps_the_camera_link(buyer_client, dispute):
    html = buyer_client.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert 'data-testid="capture-link"' in html and 'data-testid="picker"' in html


@pytest.mark.parametrize(
    ("reason", "amount", "error"),
    [
        ("not_received", "99999", "at most what you paid"),
        ("damaged", "", "Add at least one photo or video that shows the problem."),
    ],
)
def test_a_refused_claim_prints_its_error_once(buyer_client, order, reason, amount, error):
    response = buyer_client.post(
        reverse("dispute_open", args=[order.pk]),
        {"reason": reason, "remedy": "refund_only", "description": "x", "claimed_amount": amount},
    )
    assert response.status_code == 400
    assert response.content.decode().count(error) == 1


def test_an_upload_with_a_domain_error_prints_it_once(buyer_client, dispute):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("stain.jpg", b"plain text, not a photo", content_type="image/jpeg")
    response = buyer_client.post(reverse("evidence_upload", args=[dispute.pk]), {"files": [fake]})
    assert 400 <= response.status_code < 500
    body = response.content.decode()
    errors = [line for line in body.splitlines() if 'class="error"' in line]
    assert len(errors) == len(set(errors)) >= 1
    assert Party.objects.exists()
