"""The API names reuse as its own verdict: in the evidence list, the dispute's findings, the
analysis webhook and the schema's enums, never folded into ``edited``."""

from evidence import forensics
from evidence.models import Evidence, ForensicReport, Signal
from webhooks import payloads


def _reused(item):
    report = ForensicReport.objects.create(
        evidence=item,
        analyzer_version=forensics.ANALYZER_VERSION,
        forgery_score=0.765,
        verdict=ForensicReport.Verdict.REUSED,
    )
    Signal.objects.create(
        report=report,
        code="reuse.cross_dispute",
        score=0.85,
        polarity="forgery",
        data={"known_id": "1"},
    )
    Evidence.objects.filter(pk=item.pk).update(analysis=Evidence.Analysis.DONE)
    return report


def test_the_evidence_list_and_the_findings_say_reused(client_a, dispute):
    item = dispute.evidence.get()
    _reused(item)
    [listed] = client_a.get(f"/api/v1/disputes/{dispute.pk}/evidence").json()
    assert listed["report"]["verdict"] == "reused"
    findings = client_a.get(f"/api/v1/disputes/{dispute.pk}").json()["findings"]["buyer"]
    assert findings["verdicts"]["reused"] == 1 and findings["verdicts"]["edited"] == 0
    assert findings["signals"] == ["reuse.cross_dispute"]


def test_the_analysis_webhook_says_reused(dispute):
    item = dispute.evidence.get()
    data = payloads.analysis_data(item, _reused(item))
    assert data["verdict"] == "reused"
    assert data["signals"] == [
        {"code": "reuse.cross_dispute", "polarity": "forgery", "score": 0.85}
    ]


def test_the_schema_lists_reused_among_the_verdicts(client_a):
    schemas = client_a.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    verdict = schemas["ReportOutput"]["properties"]["verdict"]
    [ref] = verdict["allOf"]
    assert schemas[ref["$ref"].rsplit("/", 1)[-1]]["enum"] == list(forensics.VERDICTS)
    assert "`reused`" in verdict["description"]
    counts = schemas["VerdictCounts"]["properties"]
    assert set(counts) == set(forensics.VERDICTS)
