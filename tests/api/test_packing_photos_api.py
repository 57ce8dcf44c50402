"""The packing photos endpoint: the platform files the merchant's packing photos of an order."""

from evidence.models import Evidence
from tests.evidence.test_pipeline import upload
from tests.fixtures.photos import camera_photo


def url(order):
    return f"/api/v1/orders/{order.external_id}/packing-photos"


def test_the_platform_adds_packing_photos_and_lists_them(client_a, order):
    response = client_a.post(url(order), {"files": [upload(camera_photo())]}, format="multipart")

    assert response.status_code == 201, response.content
    (item,) = response.json()
    assert item["role"] == "packing" and item["taken_at"]
    assert [row["uid"] for row in client_a.get(url(order)).json()] == [item["uid"]]


def test_no_files_is_a_400(client_a, order):
    assert client_a.post(url(order), {}, format="multipart").status_code == 400
    assert not Evidence.objects.exists()


def test_another_platform_cannot_add_them(client_b, order):
    response = client_b.post(url(order), {"files": [upload(camera_photo())]}, format="multipart")
    assert response.status_code == 404
