"""Disputes through the API: open (with photos), list with a cursor, read, withdraw."""

from arbitration import services
from arbitration.models import Dispute
from evidence.models import Evidence
from tests.api.conftest import error_of
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory


def open_body(order, **changes):
    body = {
        "order": order.external_id,
        "reason": "damaged",
        "remedy": "partial_refund",
        "description": "The cup arrived cracked.",
        "claimed_amount_fen": 5000,
        "files": [jpeg_upload()],
    }
    return {**body, **changes}


def test_it_opens_a_dispute_with_photos_for_the_buyer(client_a, order, buyer):
    response = client_a.post("/api/v1/disputes", open_body(order), format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "awaiting_merchant"
    assert body["order"] == order.external_id
    assert body["claimed_amount_fen"] == 5000
    assert [e["actor"] for e in body["timeline"]] == ["platform", "platform", "platform"]
    dispute = Dispute.objects.get(pk=body["id"])
    assert dispute.buyer == buyer
    assert list(dispute.evidence.values_list("role", "submitted_by")) == [("buyer", buyer.pk)]


def test_it_opens_a_not_received_claim_from_json_without_files(client_a, order):
    body = open_body(order, reason="not_received", remedy="refund_only")
    del body["files"], body["claimed_amount_fen"]
    response = client_a.post("/api/v1/disputes", body, format="json")
    assert response.status_code == 201
    assert response.json()["claimed_amount_fen"] == order.amount_fen


def test_it_asks_for_photos_when_the_reason_needs_them(client_a, order):
    body = open_body(order)
    del body["files"]
    response = client_a.post("/api/v1/disputes", body, format="multipart")
    assert response.status_code == 400
    assert "files" in error_of(response)["details"]
    assert not Dispute.objects.exists()


def test_a_bad_file_gets_the_intake_message_and_nothing_is_created(client_a, order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cup.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    response = client_a.post("/api/v1/disputes", open_body(order, files=[fake]), format="multipart")
    assert response.status_code == 400
    error = error_of(response)
    assert error["message"].startswith("cup.jpg: ")
    assert "files" in error["details"]
    assert not Dispute.objects.exists()
    assert not Evidence.objects.exists()


def test_validation_errors_name_the_field(client_a, order):
    body = open_body(order, reason="bored", claimed_amount_fen=order.amount_fen + 1)
    response = client_a.post("/api/v1/disputes", body, format="multipart")
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"reason"}
    body = open_body(order, claimed_amount_fen=order.amount_fen + 1)
    response = client_a.post("/api/v1/disputes", body, format="multipart")
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"claimed_amount_fen"}


def test_a_second_open_dispute_on_the_order_is_refused(client_a, dispute, order):
    response = client_a.post("/api/v1/disputes", open_body(order), format="multipart")
    assert response.status_code == 400
    assert error_of(response)["code"] == "dispute_exists"


def test_it_cannot_open_a_dispute_on_another_platforms_order(client_a, other_order):
    response = client_a.post("/api/v1/disputes", open_body(other_order), format="multipart")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert not Dispute.objects.exists()


def test_it_reads_a_dispute_with_its_offers_timeline_and_decision(client_a, dispute, merchant):
    services.offer_make(dispute=dispute, party=merchant, percent=30, message="Sorry")
    services.offer_accept(dispute=dispute, party=dispute.buyer)
    response = client_a.get(f"/api/v1/disputes/{dispute.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == dispute.reference
    assert body["state"] == "decided"
    assert [(o["made_by"], o["amount_fen"], o["status"]) for o in body["offers"]] == [
        ("merchant", 3000, "accepted")
    ]
    assert body["decision"]["amount_fen"] == 3000
    assert [e["action"] for e in body["timeline"]][:2] == ["opened", "evidence_added"]


def test_another_platform_cannot_read_or_withdraw_the_dispute(client_b, dispute):
    assert client_b.get(f"/api/v1/disputes/{dispute.pk}").status_code == 404
    response = client_b.post(f"/api/v1/disputes/{dispute.pk}/withdraw")
    assert response.status_code == 404
    assert client_b.get("/api/v1/disputes").json()["results"] == []
    dispute.refresh_from_db()
    assert dispute.state == "awaiting_merchant"


def test_it_withdraws_a_dispute_for_the_buyer(client_a, dispute):
    response = client_a.post(f"/api/v1/disputes/{dispute.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"


def test_withdrawing_twice_is_an_illegal_transition(client_a, dispute):
    client_a.post(f"/api/v1/disputes/{dispute.pk}/withdraw")
    response = client_a.post(f"/api/v1/disputes/{dispute.pk}/withdraw")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "illegal_transition"
    assert error["details"] == {"state": "withdrawn", "transition": "withdraw"}


def test_the_list_pages_with_a_cursor_and_filters(client_a, buyer, merchant):
    disputes = []
    for _ in range(5):
        order = OrderFactory(buyer=buyer, merchant=merchant)
        disputes.append(
            services.dispute_open(
                order=order,
                buyer=buyer,
                reason="not_received",
                remedy="refund_only",
                description="Never came.",
            )
        )
    services.dispute_withdraw(dispute=disputes[0], party=buyer)
    seen, url = [], "/api/v1/disputes?limit=2"
    while url:
        page = client_a.get(url).json()
        assert len(page["results"]) <= 2
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert seen == [d.pk for d in reversed(disputes)]
    withdrawn = client_a.get("/api/v1/disputes?state=withdrawn").json()["results"]
    assert [item["id"] for item in withdrawn] == [disputes[0].pk]
    by_order = client_a.get(f"/api/v1/disputes?order={disputes[2].order.external_id}").json()
    assert [item["id"] for item in by_order["results"]] == [disputes[2].pk]


def test_an_unknown_state_filter_names_the_field(client_a):
    response = client_a.get("/api/v1/disputes?state=sideways")
    assert response.status_code == 400
    assert "state" in error_of(response)["details"]
