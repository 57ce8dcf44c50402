"""Hostile input to the API gets a clear 4xx in the error format, never a 500, and changes
nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from arbitration.models import Dispute, Offer, Order
from tests.api.test_orders import order_body
from tests.conftest import jpeg_upload

BIG = 2**63
HUGE = 2**64 + 7


@pytest.mark.parametrize(
    "changes",
    [
        {"amount_fen": BIG},
        {"amount_fen": HUGE},
        {"amount_fen": -BIG - 1},
        {"items": [{"title": "x", "quantity": BIG, "unit_price_fen": 1}]},
        {"items": [{"title": "x", "quantity": 1, "unit_price_fen": BIG}]},
        {"items": [{"title": "x", "quantity": 2**31, "unit_price_fen": 2**62}]},
        {"currency": "XYZ"},
        {"currency": "cny"},
        {"currency": "12$"},
    ],
)
def test_an_order_with_an_out_of_range_value_is_a_400(client_a, changes):
    response = client_a.post("/api/v1/orders", order_body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert not Order.objects.filter(external_id="SO-1001").exists()


def test_a_known_currency_is_accepted(client_a):
    response = client_a.post("/api/v1/orders", order_body(currency="USD"), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("pk", [BIG, HUGE, 10**30])
def test_an_out_of_range_id_in_the_path_is_a_404(client_a, pk):
    for path in (f"/api/v1/disputes/{pk}", f"/api/v1/disputes/{pk}/offers"):
        response = client_a.get(path)
        assert response.status_code == 404, (path, response.content)
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("value", [BIG, -BIG - 1, HUGE])
def test_an_offer_with_an_out_of_range_amount_is_a_400(client_a, dispute, value):
    for body in (
        {"party": "merchant", "amount_fen": value},
        {"party": "merchant", "percent": value},
        {
            "party": "merchant",
            "lines": [{"line": value, "quantity": 1, "amount_fen": 1, "reason": "damaged"}],
        },
        {
            "party": "merchant",
            "lines": [{"line": 0, "quantity": value, "amount_fen": value, "reason": "damaged"}],
        },
    ):
        response = client_a.post(f"/api/v1/disputes/{dispute.pk}/offers", body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert not Offer.objects.exists()


def test_a_dispute_claim_out_of_range_is_a_400(client_a, order):
    response = client_a.post(
        "/api/v1/disputes",
        {
            "order": order.external_id,
            "reason": "not_received",
            "remedy": "refund_only",
            "description": "Never came.",
            "claimed_amount_fen": BIG,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert not Dispute.objects.exists()


def test_deeply_nested_json_is_a_400(client_a):
    body = "[" * 100_000 + "]" * 100_000
    response = client_a.post("/api/v1/orders", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "parse_error"


def test_a_body_over_the_limit_is_a_413(client_a, settings):
    body = json.dumps(order_body(title="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)))
    response = client_a.post("/api/v1/orders", body, content_type="application/json")
    assert response.status_code == 413, response.content[:300]
    assert response.json()["error"]["code"] == "request_too_large"


def test_more_than_a_thousand_fields_is_a_400(client_a, dispute):
    data = {f"field{n}": "x" for n in range(1001)}
    data["party"] = "buyer"
    response = client_a.post(f"/api/v1/disputes/{dispute.pk}/evidence", data, format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "too_many_fields"


def test_more_than_a_hundred_files_is_a_400(client_a, dispute):
    files = [SimpleUploadedFile(f"{n}.jpg", b"x", content_type="image/jpeg") for n in range(101)]
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "buyer", "files": files},
        format="multipart",
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "too_many_files"


def test_a_dispute_takes_a_capped_number_of_files_per_side(client_a, dispute, settings):
    settings.EVIDENCE_MAX_PER_DISPUTE = 3
    url = f"/api/v1/disputes/{dispute.pk}/evidence"
    first = client_a.post(url, {"party": "buyer", "files": [jpeg_upload()]}, format="multipart")
    assert first.status_code == 201  # the opening photo plus this one
    files = [jpeg_upload(f"{n}.jpg") for n in range(2)]
    refused = client_a.post(url, {"party": "buyer", "files": files}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "dispute_full"
    assert dispute.evidence.filter(submitted_by=dispute.buyer).count() == 2
    files = [jpeg_upload(f"m{n}.jpg") for n in range(2)]
    merchant = client_a.post(url, {"party": "merchant", "files": files}, format="multipart")
    assert merchant.status_code == 201


@pytest.mark.parametrize("field", ["description"])
def test_text_over_its_cap_is_a_400(client_a, order, field):
    body = {
        "order": order.external_id,
        "reason": "not_received",
        "remedy": "refund_only",
        "description": "x" * 4001,
    }
    response = client_a.post("/api/v1/disputes", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert not Dispute.objects.exists()


def test_an_api_path_with_a_newline_gets_the_json_404(client_a):
    response = client_a.get("/api/v1/disputes%0A")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("field", ["placed_at", "delivered_at"])
@pytest.mark.parametrize("value", ["0065-08-09T10:26:01Z", "9999-12-31T23:59:59Z"])
def test_an_order_date_out_of_range_is_a_400(client_a, field, value):
    response = client_a.post("/api/v1/orders", order_body(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
