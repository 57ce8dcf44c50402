"""The dispute body's ``findings``: the forensic analysis of each side's evidence at a glance."""

from evidence import forensics
from evidence.models import Evidence, ForensicReport, Signal
from tests.conftest import jpeg_upload


def _report(item, verdict, score, signals=(), version=forensics.ANALYZER_VERSION):
    report = ForensicReport.objects.create(
        evidence=item, analyzer_version=version, forgery_score=score, verdict=verdict
    )
    for code, polarity in signals:
        Signal.objects.create(report=report, code=code, score=0.9, polarity=polarity)
    Evidence.objects.filter(pk=item.pk).update(analysis=Evidence.Analysis.DONE)
    return report


def test_the_dispute_body_sums_up_each_sides_findings(client_a, dispute):
    claim_photo = dispute.evidence.get()
    _report(
        claim_photo,
        ForensicReport.Verdict.AI_GENERATED,
        0.912345,
        [("provenance.aigc_label", "forgery"), ("metadata.no_camera_data", "forgery")],
    )
    # A report of an earlier analyzer version is not a current finding.
    _report(claim_photo, ForensicReport.Verdict.EDITED, 0.99, [("pixel.ela", "forgery")], "2024.1")
    client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "buyer", "files": [jpeg_upload("second.jpg")]},
        format="multipart",
    )
    client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "merchant", "files": [jpeg_upload("packing.jpg")]},
        format="multipart",
    )
    packing = dispute.evidence.get(role=Evidence.Role.MERCHANT)
    _report(
        packing,
        ForensicReport.Verdict.NO_FINDINGS,
        0.05,
        [("provenance.c2pa_camera", "authentic")],  # for authenticity: not a forgery code
    )

    response = client_a.get(f"/api/v1/disputes/{dispute.pk}")

    assert response.status_code == 200
    findings = response.json()["findings"]
    assert findings["buyer"] == {
        "evidence": 2,
        "analysis": {"pending": 1, "running": 0, "done": 1, "failed": 0},
        "verdicts": {
            "ai_generated": 1,
            "edited": 0,
            "reused": 0,
            "suspicious": 0,
            "no_findings": 0,
        },
        "highest_forgery_score": 0.912,
        "signals": ["metadata.no_camera_data", "provenance.aigc_label"],
    }
    assert findings["merchant"]["evidence"] == 1
    assert findings["merchant"]["verdicts"]["no_findings"] == 1
    assert findings["merchant"]["highest_forgery_score"] == 0.05
    assert findings["merchant"]["signals"] == []


def test_a_dispute_without_reports_has_empty_findings(client_a, dispute):
    findings = client_a.get(f"/api/v1/disputes/{dispute.pk}").json()["findings"]
    assert findings["buyer"]["evidence"] == 1
    assert findings["buyer"]["analysis"]["pending"] == 1
    assert findings["buyer"]["highest_forgery_score"] is None
    assert set(findings["buyer"]["verdicts"].values()) == {0}
    assert findings["merchant"]["evidence"] == 0


def test_the_schema_documents_the_findings(client_a):
    schema = client_a.get("/api/v1/schema/?format=json").json()
    detail = schema["components"]["schemas"]["DisputeDetail"]
    assert "findings" in detail["required"]
    side = schema["components"]["schemas"]["FindingsSide"]["properties"]
    assert {"evidence", "analysis", "verdicts", "highest_forgery_score", "signals"} <= set(side)
