"""The plain-Python renderers answer exactly what the DRF serializers (the schema) describe.

``arbitration.api.render`` replaced ``DisputeDetail``/``DisputeSummary`` at run time for
speed; these tests build the bodies the old way (ORM objects through the serializers) and
compare them, byte for byte, with what the API now sends.
"""

import json
from datetime import timedelta

import pytest
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from accounts.models import Party
from arbitration import services
from arbitration.api import serializers as s
from arbitration.api.render import dispute_detail_data
from arbitration.models import (
    Decision,
    Dispute,
    DisputeEvent,
    EvidenceRequest,
    Offer,
    RefundLine,
    Shipment,
)
from tests.factories import OrderFactory, PartyFactory


def body(data) -> bytes:
    return JSONRenderer().render(data)


def serializer_detail(dispute: Dispute) -> bytes:
    """The body ``DisputeDetail`` renders for the dispute, loaded as the view used to."""
    offers = Offer.objects.order_by("created_at", "pk").prefetch_related("lines")
    loaded = (
        Dispute.objects.select_related("order", "buyer", "merchant", "decision")
        .prefetch_related(
            Prefetch("offers", queryset=offers), "events", "shipments", "evidence_requests"
        )
        .get(pk=dispute.pk)
    )
    return body(s.DisputeDetail(loaded).data)


def _line(index: int, **owner) -> RefundLine:
    return RefundLine.objects.create(
        line_index=index,
        sku=f"SKU-{index}",
        title=f"Item {index} “引号”",
        unit_price_fen=1000 + index,
        quantity=index + 1,
        amount_fen=500 + index,
        reason=RefundLine.Reason.DAMAGED,
        **owner,
    )


@pytest.fixture
def rich_dispute(dispute, buyer, merchant, arbitrator):
    """Every part of the detail filled in, several rows each, nulls and non-nulls mixed."""
    now = timezone.now()
    first = Offer.objects.create(
        dispute=dispute,
        made_by=merchant,
        amount_fen=3000,
        percent=30,
        message="30% back?",
        status=Offer.Status.COUNTERED,
    )
    _line(2, offer=first)
    _line(0, offer=first)
    second = Offer.objects.create(
        dispute=dispute,
        made_by=buyer,
        remedy=Offer.Remedy.RETURN_AND_REFUND,
        amount_fen=6000,
        message="",
        status=Offer.Status.REJECTED,
        counter_to=first,
    )
    _line(1, offer=second)
    Offer.objects.create(
        dispute=dispute,
        made_by=merchant,
        remedy=Offer.Remedy.REPLACEMENT,
        amount_fen=0,
        message="no lines",
    )
    decision = Decision.objects.create(
        dispute=dispute,
        outcome=Decision.Outcome.PARTIAL_REFUND,
        amount_fen=4500,
        reasoning="Cracked on arrival; \u2028 partial refund.",
        source=Decision.Source.ARBITRATOR,
        decided_by=arbitrator,
    )
    _line(1, decision=decision)
    _line(0, decision=decision)
    Shipment.objects.create(
        dispute=dispute,
        kind=Shipment.Kind.RETURN,
        carrier="sf",
        tracking_number="SF123",
        shipped_by=buyer,
        shipped_at=now - timedelta(days=2),
        received_at=now - timedelta(hours=3, microseconds=17),
    )
    Shipment.objects.create(
        dispute=dispute,
        kind=Shipment.Kind.REPLACEMENT,
        carrier="jd",
        tracking_number="JD9",
        shipped_by=merchant,
        shipped_at=now - timedelta(days=1),
    )
    EvidenceRequest.objects.create(
        dispute=dispute,
        side=Dispute.Side.BUYER,
        what="A photo of the box.",
        due_at=now + timedelta(days=2),
        requested_by=arbitrator,
        status=EvidenceRequest.Status.FULFILLED,
        fulfilled_at=now,
    )
    EvidenceRequest.objects.create(
        dispute=dispute,
        side=Dispute.Side.MERCHANT,
        what="The packing list.",
        due_at=now + timedelta(days=3),
        requested_by=arbitrator,
    )
    DisputeEvent.objects.create(
        dispute=dispute,
        action="note",
        actor=DisputeEvent.Actor.ARBITRATOR,
        payload={"nested": {"list": [1, 2.5, None, True]}, "text": "中文"},
    )
    Dispute.objects.filter(pk=dispute.pk).update(
        merchant_statement="Packed well.",
        review_required=True,
        review_reason="tier",
        review_due_at=now + timedelta(days=4),
        deadline_at=None,
    )
    return dispute


@pytest.mark.django_db
def test_rich_detail_equals_the_serializer(rich_dispute, client_a, platform):
    expected = serializer_detail(rich_dispute)
    assert body(dispute_detail_data(platform, rich_dispute.pk)) == expected
    response = client_a.get(reverse("api-dispute", args=[rich_dispute.pk]))
    assert response.status_code == 200
    assert response.content == expected
    data = response.json()
    assert [len(offer["lines"]) for offer in data["offers"]] == [2, 1, 0]
    assert [line["line"] for line in data["offers"][0]["lines"]] == [0, 2]
    assert [line["line"] for line in data["decision"]["lines"]] == [0, 1]
    assert [offer["made_by"] for offer in data["offers"]] == ["merchant", "buyer", "merchant"]
    assert len(data["shipments"]) == 2 and len(data["evidence_requests"]) == 2
    assert data["timeline"][-1]["payload"]["text"] == "中文"


@pytest.mark.django_db
def test_bare_detail_equals_the_serializer(dispute, client_a, platform):
    """No offers, decision, shipments or requests: empty lists and a null decision."""
    response = client_a.get(reverse("api-dispute", args=[dispute.pk]))
    assert response.status_code == 200
    assert response.content == serializer_detail(dispute)
    assert response.json()["decision"] is None


@pytest.mark.django_db
def test_detail_follows_the_viewers_time_zone(rich_dispute, platform):
    """Datetimes render in the active time zone, as DRF's fields do."""
    with timezone.override("America/New_York"):
        expected = serializer_detail(rich_dispute)
        assert body(dispute_detail_data(platform, rich_dispute.pk)) == expected
    assert b"-05:00" in expected or b"-04:00" in expected


@pytest.mark.django_db
def test_list_equals_the_serializer(rich_dispute, client_a, platform, merchant):
    other_buyer = PartyFactory(platform=platform, kind=Party.Kind.BUYER)
    order = OrderFactory(buyer=other_buyer, merchant=merchant)
    services.dispute_open(
        order=order, buyer=other_buyer, reason="not_received", remedy="refund_only", description="?"
    )
    response = client_a.get(reverse("api-disputes"), {"limit": 1})
    assert response.status_code == 200
    first = response.json()
    following = client_a.get(first["next"])
    assert following.status_code == 200
    rendered = first["results"] + following.json()["results"]
    disputes = Dispute.objects.filter(platform=platform).select_related("order").order_by("-pk")
    assert body(rendered) == body(s.DisputeSummary(disputes, many=True).data)
    assert len(rendered) == 2


@pytest.mark.django_db
def test_created_body_equals_the_serializer(client_a, order):
    response = client_a.post(
        reverse("api-disputes"),
        {
            "order": order.external_id,
            "reason": "not_received",
            "remedy": "refund_only",
            "description": "Never came.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    detail = json.loads(serializer_detail(Dispute.objects.get(pk=data["id"])))
    assert list(data) == [*detail, "links", "expires_at"]
    assert {key: data[key] for key in detail} == detail
    assert set(data["links"]) == {"buyer", "merchant"}
    assert (
        data["links"]["buyer"].startswith("http")
        and data["links"]["merchant"] != data["links"]["buyer"]
    )
    field = serializers.DateTimeField()
    assert (
        field.to_representation(field.to_internal_value(data["expires_at"])) == data["expires_at"]
    )


@pytest.mark.django_db
def test_other_platforms_dispute_is_not_found(rich_dispute, client_b):
    response = client_b.get(reverse("api-dispute", args=[rich_dispute.pk]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_when_writes_datetimes_as_drf_does(zone):
    from datetime import UTC, datetime

    from arbitration.api.render import when

    field = serializers.DateTimeField()
    values = [
        datetime(2026, 3, 8, 6, 59, 59, 999999, tzinfo=UTC),  # New York's DST change
        datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 15, 0),  # naive: made aware in the zone, as DRF does
    ]
    with timezone.override(zone):
        for value in values:
            assert when(value) == field.to_representation(value)
    assert when(None) is None
    with timezone.override("UTC"):
        assert when(values[1]) == "2026-11-23T15:00:00Z"
