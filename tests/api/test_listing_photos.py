"""POST and GET /api/v1/orders/{external_id}/listing-photos: the merchant's listing photos."""

from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.models import Evidence
from tests.api.conftest import error_of
from tests.conftest import jpeg_upload


def url(order) -> str:
    return f"/api/v1/orders/{order.external_id}/listing-photos"


def test_it_stores_listing_photos_of_the_orders_merchant(client_a, order, merchant):
    response = client_a.post(
        url(order),
        {"files": [jpeg_upload("front.jpg"), jpeg_upload("back.jpg")], "caption": "As sold"},
        format="multipart",
    )
    assert response.status_code == 201
    body = response.json()
    assert [(item["role"], item["caption"], item["analysis"]) for item in body] == [
        ("listing", "As sold", "pending")
    ] * 2
    stored = Evidence.objects.filter(order=order, role=Evidence.Role.LISTING)
    assert stored.count() == 2
    assert {item.submitted_by_id for item in stored} == {merchant.pk}
    assert not stored.filter(dispute__isnull=False).exists()
    listed = client_a.get(url(order)).json()
    assert sorted(item["uid"] for item in listed) == sorted(item["uid"] for item in body)


def test_a_bad_file_gets_the_intake_message_and_nothing_is_stored(client_a, order):
    fake = SimpleUploadedFile("x.jpg", b"GIF89a" + b"\0" * 10, content_type="image/jpeg")
    response = client_a.post(url(order), {"files": [jpeg_upload(), fake]}, format="multipart")
    assert response.status_code == 400
    assert error_of(response)["message"].startswith("x.jpg: ")
    assert not Evidence.objects.exists()


def test_it_requires_files(client_a, order):
    response = client_a.post(url(order), {"caption": "nothing"}, format="multipart")
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"files"}


def test_another_platforms_order_is_not_found(client_a, other_order):
    assert client_a.get(url(other_order)).status_code == 404
    response = client_a.post(url(other_order), {"files": [jpeg_upload()]}, format="multipart")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert not Evidence.objects.exists()
