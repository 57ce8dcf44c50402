"""POST and GET /api/v1/disputes/{id}/evidence: uploads for a party, analysis status."""

from django.core.files.uploadedfile import SimpleUploadedFile

from evidence import forensics
from evidence.models import Evidence, ForensicReport, Signal
from tests.api.conftest import error_of
from tests.conftest import jpeg_upload


def test_it_adds_the_merchants_evidence(client_a, dispute, merchant):
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "merchant", "files": [jpeg_upload(), jpeg_upload("b.jpg")], "caption": "Packed"},
        format="multipart",
    )
    assert response.status_code == 201
    body = response.json()
    assert [(item["role"], item["analysis"], item["report"]) for item in body] == [
        ("merchant", "pending", None)
    ] * 2
    assert dispute.evidence.filter(submitted_by=merchant).count() == 2


def test_a_bad_file_gets_the_intake_message_and_nothing_is_stored(client_a, dispute):
    before = Evidence.objects.count()
    fake = SimpleUploadedFile("x.jpg", b"GIF89a" + b"\0" * 10, content_type="image/jpeg")
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "buyer", "files": [jpeg_upload(), fake]},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_of(response)["message"].startswith("x.jpg: ")
    assert Evidence.objects.count() == before


def test_it_requires_a_party_and_files(client_a, dispute):
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence", {"party": "arbitrator"}, format="multipart"
    )
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"party", "files"}


def test_it_lists_evidence_with_the_current_report(client_a, dispute):
    item = dispute.evidence.get()
    report = ForensicReport.objects.create(
        evidence=item,
        analyzer_version=forensics.ANALYZER_VERSION,
        forgery_score=0.91,
        verdict=ForensicReport.Verdict.AI_GENERATED,
    )
    Signal.objects.create(
        report=report, code="provenance.aigc_label", score=0.95, polarity="forgery"
    )
    Evidence.objects.filter(pk=item.pk).update(analysis=Evidence.Analysis.DONE)
    response = client_a.get(f"/api/v1/disputes/{dispute.pk}/evidence")
    assert response.status_code == 200
    [listed] = response.json()
    assert listed["uid"] == str(item.uid)
    assert listed["analysis"] == "done"
    assert listed["report"] == {
        "verdict": "ai_generated",
        "forgery_score": 0.91,
        "signals": ["provenance.aigc_label"],
    }


def test_another_platform_cannot_read_or_add_evidence(client_b, dispute):
    assert client_b.get(f"/api/v1/disputes/{dispute.pk}/evidence").status_code == 404
    response = client_b.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "buyer", "files": [jpeg_upload()]},
        format="multipart",
    )
    assert response.status_code == 404
    assert dispute.evidence.count() == 1


def test_evidence_after_review_started_is_refused(client_a, dispute):
    from arbitration import services

    services.dispute_escalate(dispute=dispute, party=dispute.buyer)
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "buyer", "files": [jpeg_upload()]},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "evidence_closed"
