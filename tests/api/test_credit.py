"""GET /api/v1/parties/{kind}/{external_id}/credit: the stored score, tier and its reasons."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import credit
from accounts.models import CreditEvent
from tests.api.conftest import error_of

Kind = CreditEvent.Kind


def url(party, kind=None):
    return f"/api/v1/parties/{kind or party.kind}/{party.external_id}/credit"


def test_it_returns_score_tier_and_reasons_heaviest_first(client_a, buyer):
    now = timezone.now()
    credit.credit_event_record(
        party=buyer, kind=Kind.CLAIM_UPHELD, reason="Won TP-000001", source_key="decision:1"
    )
    credit.credit_event_record(
        party=buyer,
        kind=Kind.EVIDENCE_FABRICATED,
        reason="Painted crack in TP-000002",
        source_key="decision:2:evidence:5",
        at=now - timedelta(days=1),
    )
    buyer.refresh_from_db()

    response = client_a.get(url(buyer))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"score", "tier", "reasons", "scored_at"}
    assert (body["score"], body["tier"]) == (buyer.credit_score, "watch")
    assert body["scored_at"] is not None
    first = body["reasons"][0]
    assert (first["kind"], first["points"], first["reason"]) == (
        "evidence_fabricated",
        -40,
        "Painted crack in TP-000002",
    )
    assert first["label"] == "evidence found fabricated"
    assert -40 < first["weight"] < -39
    assert [r["kind"] for r in body["reasons"]] == ["evidence_fabricated", "claim_upheld"]


def test_a_party_without_events_has_the_base_score(client_a, merchant):
    body = client_a.get(url(merchant)).json()
    assert body == {"score": 100, "tier": "standard", "reasons": [], "scored_at": None}


def test_another_platforms_party_is_not_found(client_b, buyer):
    response = client_b.get(url(buyer))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_unknown_party_or_kind_is_not_found(client_a, buyer):
    for path in (
        "/api/v1/parties/buyer/nobody/credit",
        url(buyer, kind="merchant"),
        url(buyer, kind="platform"),
    ):
        response = client_a.get(path)
        assert response.status_code == 404, path
        error_of(response)


def test_it_needs_a_key(buyer):
    response = APIClient().get(url(buyer), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    error_of(response)


def test_the_endpoint_is_in_the_schema(tmp_path, db):
    # test_schema.py holds the whole schema to no warnings; this one only needs the path
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/parties/{kind}/{external_id}/credit:" in (tmp_path / "schema.yaml").read_text()
