"""The merchant's packing photos as references: a claim photo that is the packing photo with a
defect painted on is located like a listing photo's; one taken after the claim counts for
nothing; only the merchant and arbitrators see them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from arbitration import services
from arbitration.errors import NotAllowed
from arbitration.models import DisputeEvent
from arbitration.services.packing import packing_photos_add
from evidence import analysis
from evidence.forensics.regions import iou
from evidence.models import Evidence, ForensicReport
from tests.evidence.test_pipeline import upload
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, scene, to_jpeg
from tests.pages.conftest import client_for

BASE = scene(640, 480, 5)


def claim(order, data: bytes):
    dispute = services.dispute_open(
        order=order,
        buyer=order.buyer,
        reason="damaged",
        remedy="refund_only",
        description="A stain on the front.",
        files=[upload(data)],
    )
    return dispute, dispute.evidence.get()


def packed(order, data: bytes) -> Evidence:
    (item,) = packing_photos_add(order=order, party=order.merchant, files=[upload(data)])
    return item


def stained_claim_photo() -> bytes:
    return camera_photo(pixels=f.resized(f.paint_stain(BASE), 0.8), quality=85, seed=1)


def test_a_painted_defect_on_the_packing_photo_is_located(order):
    photo = packed(order, camera_photo(pixels=BASE, quality=92, taken=dt.datetime(2025, 1, 2)))
    assert photo.taken_at == timezone.make_aware(dt.datetime(2025, 1, 2))

    _dispute, evidence = claim(order, stained_claim_photo())
    report = analysis.analyze_evidence(evidence.pk)

    edit = report.signals.get(code="reuse.local_edit")
    assert edit.data == {"reference_id": str(photo.pk), "reference_kind": "packing"}
    assert iou(edit.regions[0], f.box_region(f.STAIN_BOX)) >= 0.5
    assert "packing photo" in edit.detail
    assert report.verdict == "edited"


def test_a_packing_photo_taken_after_the_claim_counts_for_nothing(order):
    dispute, evidence = claim(order, stained_claim_photo())
    dispute.submitted_at = timezone.make_aware(dt.datetime(2025, 3, 1))
    dispute.save(update_fields=["submitted_at"])
    late = packed(order, camera_photo(pixels=BASE, quality=92, taken=dt.datetime(2025, 3, 2)))

    report = analysis.analyze_evidence(evidence.pk)

    assert late.taken_at > dispute.submitted_at
    assert not report.signals.filter(code__startswith="reuse.").exists()


def test_without_exif_the_upload_time_counts_and_the_claim_is_analysed_again(order):
    dispute, evidence = claim(order, stained_claim_photo())
    first = analysis.analyze_evidence(evidence.pk)
    late = packed(order, to_jpeg(BASE, 92))

    assert late.taken_at == late.created_at > dispute.submitted_at
    assert not ForensicReport.objects.filter(pk=first.pk).exists()  # judged without it: redone
    evidence.refresh_from_db()
    assert evidence.analysis == "pending"
    assert DisputeEvent.objects.filter(dispute=dispute, action="packing_photos_added").exists()
    report = analysis.analyze_evidence(evidence.pk)
    assert not report.signals.filter(code="reuse.local_edit").exists()


def test_only_the_merchant_adds_packing_photos(order):
    with pytest.raises(NotAllowed):
        packing_photos_add(order=order, party=order.buyer, files=[upload(camera_photo())])
    assert not Evidence.objects.filter(role="packing").exists()


def test_the_buyer_cannot_see_them_the_merchant_and_arbitrator_can(order, arbitrator):
    photo = packed(order, camera_photo(pixels=BASE))
    url = reverse("evidence_file", args=[photo.uid])

    assert client_for(order.buyer.user).get(url).status_code == 404
    assert client_for(order.merchant.user).get(url).status_code == 200
    assert client_for(arbitrator).get(url).status_code == 200


def test_the_console_shows_the_packing_photo_beside_the_claim_photo(order, arbitrator):
    photo = packed(order, camera_photo(pixels=BASE, quality=92, taken=dt.datetime(2025, 1, 2)))
    dispute, evidence = claim(order, stained_claim_photo())
    analysis.analyze_evidence(evidence.pk)

    page = client_for(arbitrator).get(
        reverse("console:arbitration_dispute_change", args=[dispute.pk])
    )

    html = page.content.decode()
    assert f'data-matched="{photo.uid}"' in html
    assert "packing photo of this order, taken 2025-01-02" in html
    assert 'data-testid="packing-counts"' in html


def test_the_merchant_uploads_on_the_dispute_page_and_the_orders_page(order):
    merchant = client_for(order.merchant.user)
    dispute, _evidence = claim(order, stained_claim_photo())

    on_dispute = merchant.post(
        reverse("dispute_packing_upload", args=[dispute.pk]), {"files": [upload(camera_photo())]}
    )
    on_order = merchant.post(
        reverse("order_packing_upload", args=[order.pk]), {"files": [upload(camera_photo())]}
    )
    empty = merchant.post(reverse("order_packing_upload", args=[order.pk]), {})
    buyer = client_for(order.buyer.user).post(
        reverse("dispute_packing_upload", args=[dispute.pk]), {"files": [upload(camera_photo())]}
    )

    assert (on_dispute.status_code, on_order.status_code) == (302, 302)
    assert empty.status_code == 400
    assert buyer.status_code == 404
    assert Evidence.objects.filter(role="packing").count() == 2
    page = merchant.get(reverse("dispute", args=[dispute.pk])).content.decode()
    assert 'data-testid="packing-dispute"' in page
    buyer_page = client_for(order.buyer.user).get(reverse("dispute", args=[dispute.pk]))
    assert 'data-testid="packing-dispute"' not in buyer_page.content.decode()
