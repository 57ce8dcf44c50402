"""The analysis' second stage: visible AIGC marks read after the report is stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence import analysis
from evidence.models import ForensicReport
from evidence.services import evidence_add
from tests.fixtures import c2pa_files as c2
from tests.forensics.test_visible_label import photo, stamp
from webhooks.models import EventType, WebhookEvent

CODE = "provenance.visible_label"


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _upload(img) -> SimpleUploadedFile:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    return SimpleUploadedFile("listing.jpg", buf.getvalue(), content_type="image/jpeg")


def test_a_stamped_image_gets_the_mark_and_a_new_verdict_after_the_first_stage(
    order,
    merchant,
    eager,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = evidence_add(
            order=order,
            party=merchant,
            files=[_upload(stamp(photo(), "豆包AI生成"))],
            role="listing",
        )
    report = item.reports.get()
    signal = report.signals.get(code=CODE)
    assert signal.data["text"] == "豆包AI生成"
    assert signal.regions[0]["y"] > 0.8
    assert report.verdict == ForensicReport.Verdict.AI_GENERATED
    assert report.metadata[analysis.VISIBLE_LABEL_READ] is True
    # The platform hears the first verdict, then the changed one.
    events = WebhookEvent.objects.filter(type=EventType.EVIDENCE_ANALYZED).order_by("pk")
    assert [e.payload["verdict"] for e in events][-1] == "ai_generated"
    assert events.count() == 2


def test_the_second_stage_runs_once_and_leaves_a_clean_report_alone(order, merchant):
    (item,) = evidence_add(order=order, party=merchant, files=[_upload(photo())], role="listing")
    first = analysis.analyze_evidence(item.pk)
    verdict, score = first.verdict, first.forgery_score
    analysis.read_visible_label(first.pk)
    first.refresh_from_db()
    assert not first.signals.filter(code=CODE).exists()
    assert (first.verdict, first.forgery_score) == (verdict, score)
    assert first.metadata[analysis.VISIBLE_LABEL_READ] is True
    assert WebhookEvent.objects.filter(type=EventType.EVIDENCE_ANALYZED).count() == 1


def test_a_report_is_read_for_marks_only_once(order, merchant):
    (item,) = evidence_add(
        order=order, party=merchant, files=[_upload(stamp(photo(), "★即梦AI"))], role="listing"
    )
    report = analysis.analyze_evidence(item.pk)
    analysis.read_visible_label(report.pk)
    analysis.read_visible_label(report.pk)
    assert report.signals.filter(code=CODE).count() == 1
    assert analysis.read_visible_label(10**9) is None  # a report deleted meanwhile


def test_a_mark_read_later_turns_a_c2pa_capture_into_a_conflict(order, merchant):
    """The mark found in the second stage is judged with the first stage's signals as the
    engine judges them together: a camera-capture manifest on a picture that carries an AI
    mark no longer counts as authenticity."""
    buf = io.BytesIO()
    stamp(photo(), "豆包AI生成").save(buf, "JPEG", quality=92)
    signed = c2.signed("digitalCapture", jpeg=buf.getvalue())
    upload = SimpleUploadedFile("listing.jpg", signed, content_type="image/jpeg")
    (item,) = evidence_add(order=order, party=merchant, files=[upload], role="listing")
    report = analysis.analyze_evidence(item.pk)
    assert report.signals.filter(code="provenance.c2pa_capture").exists()

    analysis.read_visible_label(report.pk)
    report.refresh_from_db()
    codes = set(report.signals.values_list("code", flat=True))
    assert {CODE, "provenance.conflict"} <= codes
    assert "provenance.c2pa_capture" not in codes
    conflict = report.signals.get(code="provenance.conflict")
    assert conflict.data["markers"] == [CODE]
    assert report.verdict == ForensicReport.Verdict.AI_GENERATED


def test_a_broker_outage_after_the_first_stage_leaves_the_analysis_done(
    order, merchant, monkeypatch, django_capture_on_commit_callbacks
):
    """The second stage's send is robust: the first stage's report stands, and the
    sweeper (``stale_label_reads``) sends the reading later."""
    from kombu.exceptions import OperationalError as BrokerDown

    from evidence.tasks import read_visible_label_task

    def broker_down(pk):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(read_visible_label_task, "delay", broker_down)
    (item,) = evidence_add(order=order, party=merchant, files=[_upload(photo())], role="listing")

    with django_capture_on_commit_callbacks(execute=True):
        report = analysis.analyze_evidence(item.pk)

    item.refresh_from_db()
    assert item.analysis == "done"
    assert analysis.VISIBLE_LABEL_READ not in ForensicReport.objects.get(pk=report.pk).metadata
