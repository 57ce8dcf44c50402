"""POST /api/v1/orders (upsert by external id) and GET /api/v1/orders/{external_id}."""

from accounts.models import Party
from arbitration.models import Order
from tests.api.conftest import error_of


def order_body(**changes):
    body = {
        "external_id": "SO-1001",
        "buyer": {
            "external_id": "u-1",
            "name": "Wang Fang",
            "phone": "13900001111",
            "city": "杭州",
        },
        "merchant": {"external_id": "shop-9", "name": "Tea House"},
        "title": "Longjing tea, 250 g",
        "amount_fen": 12800,
        "items": [{"sku": "LJ-250", "title": "Longjing", "quantity": 1, "unit_price_fen": 12800}],
        "delivered_at": "2026-05-02T10:00:00+08:00",
    }
    return {**body, **changes}


def test_it_creates_an_order_with_its_parties(client_a, platform):
    response = client_a.post("/api/v1/orders", order_body(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["external_id"] == "SO-1001"
    assert body["amount_fen"] == 12800
    assert body["buyer"] == {"external_id": "u-1", "name": "Wang Fang", "city": "杭州"}
    assert "phone" not in body["buyer"]
    buyer = Party.objects.get(platform=platform, kind="buyer", external_id="u-1")
    assert buyer.phone == "13900001111"
    assert Order.objects.get(platform=platform, external_id="SO-1001").buyer == buyer


def test_posting_the_same_external_id_updates_the_order(client_a, platform):
    client_a.post("/api/v1/orders", order_body(), format="json")
    response = client_a.post("/api/v1/orders", order_body(title="Longjing, 500 g"), format="json")
    assert response.status_code == 200
    assert Order.objects.filter(platform=platform, external_id="SO-1001").count() == 1
    assert Order.objects.get(platform=platform, external_id="SO-1001").title == "Longjing, 500 g"


def test_it_rejects_a_new_buyer_for_an_existing_order(client_a):
    client_a.post("/api/v1/orders", order_body(), format="json")
    other_buyer = {"external_id": "u-2", "name": "Zhao Lei"}
    response = client_a.post("/api/v1/orders", order_body(buyer=other_buyer), format="json")
    assert response.status_code == 400
    assert "buyer" in error_of(response)["details"]


def test_validation_errors_name_the_field(client_a):
    body = order_body(amount_fen=-5)
    del body["merchant"]["name"]
    response = client_a.post("/api/v1/orders", body, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert set(error["details"]) == {"amount_fen", "merchant"}
    assert "name" in error["details"]["merchant"]
    assert not Order.objects.exists()


def test_malformed_json_is_a_400_not_a_500(client_a):
    response = client_a.post("/api/v1/orders", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


def test_it_reads_an_order(client_a, order):
    response = client_a.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 200
    assert response.json()["title"] == order.title


def test_another_platforms_order_is_not_found(client_a, other_order):
    response = client_a.get(f"/api/v1/orders/{other_order.external_id}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_same_external_id_on_two_platforms_are_two_orders(client_a, client_b):
    assert client_a.post("/api/v1/orders", order_body(), format="json").status_code == 201
    assert client_b.post("/api/v1/orders", order_body(), format="json").status_code == 201
    assert Order.objects.filter(external_id="SO-1001").count() == 2
