"""The evidence pipeline: upload → analysis queued on commit → report, signals, fingerprint."""

import io
import re
from datetime import timedelta

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from arbitration import services
from arbitration.services.risk import findings_factor, risk_components
from evidence import analysis, forensics
from evidence.forensics import fingerprints as fp
from evidence.models import Evidence, Fingerprint, ForensicReport
from evidence.selectors import lookup_sql, near_duplicates
from evidence.services import evidence_add
from evidence.tasks import sweep_stale_evidence
from tests.factories import OrderFactory


def product_photo(seed=1, size=(640, 480)) -> bytes:
    """A textured 'product shot' so perceptual hashes have something to hold on to."""
    rng = np.random.default_rng(seed)
    base = rng.normal(128, 40, (size[1] // 16, size[0] // 16, 3)).clip(0, 255).astype("uint8")
    img = Image.fromarray(base).resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    draw.ellipse((200, 120, 440, 380), fill=(230, 230, 220), outline=(40, 40, 40), width=6)
    noise = rng.normal(0, 4, (size[1], size[0], 3))
    img = Image.fromarray((np.asarray(img, dtype=float) + noise).clip(0, 255).astype("uint8"))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def cropped(data: bytes, side: float, sides=(1, 1, 1, 1), quality=80, scale=0.8) -> bytes:
    """``data`` cut by ``side`` times ``sides`` (left, top, right, bottom), resized and
    re-encoded: what a buyer does to reuse someone else's photo."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = img.size
    left, top, right, bottom = (
        round(side * k * n) for k, n in zip(sides, (w, h, w, h), strict=True)
    )
    img = img.crop((left, top, w - right, h - bottom))
    img = img.resize((round(img.width * scale), round(img.height * scale)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def upload(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stained(data: bytes) -> bytes:
    img = Image.open(io.BytesIO(data)).convert("RGB")
    ImageDraw.Draw(img).ellipse((280, 200, 360, 260), fill=(120, 90, 40))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


@pytest.fixture
def eager_celery(settings):
    """Run tasks inline. Celery reads Django settings live; assigning ``app.conf`` instead
    would pin the value for every later test."""
    from arbitration.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert app.conf.task_always_eager is True


def test_an_upload_is_analysed_after_commit(
    order, merchant, buyer, eager_celery, django_capture_on_commit_callbacks
):
    listing = product_photo()
    with django_capture_on_commit_callbacks(execute=True):
        evidence_add(order=order, party=merchant, files=[upload(listing)], role="listing")
    with django_capture_on_commit_callbacks(execute=True):
        dispute = services.dispute_open(
            order=order,
            buyer=buyer,
            reason="damaged",
            remedy="refund_only",
            description="Stain on the mug",
            files=[upload(stained(listing))],
        )
    photo = dispute.evidence.get()
    photo.refresh_from_db()
    assert photo.analysis == Evidence.Analysis.DONE
    report = photo.reports.get()
    assert report.analyzer_version == forensics.ANALYZER_VERSION
    codes = set(report.signals.values_list("code", flat=True))
    assert {"reuse.listing_match", "reuse.local_edit"} <= codes
    assert report.verdict != ForensicReport.Verdict.NO_FINDINGS
    dispute.refresh_from_db()
    risk = risk_components(dispute)
    assert risk.findings == pytest.approx(findings_factor(report.forgery_score))
    assert dispute.risk_score == pytest.approx(risk.score)
    assert Fingerprint.objects.filter(evidence=photo).exists()


def test_analysis_is_idempotent_per_analyzer_version(order, merchant):
    (item,) = evidence_add(
        order=order, party=merchant, files=[upload(product_photo())], role="listing"
    )
    first = analysis.analyze_evidence(item.pk)
    second = analysis.analyze_evidence(item.pk)
    assert first.pk == second.pk
    assert ForensicReport.objects.filter(evidence=item).count() == 1


def test_the_same_photo_in_another_dispute_is_flagged_as_reuse(platform, buyer, outsider):
    data = product_photo(seed=7)
    first_order = OrderFactory(buyer=buyer)
    second_order = OrderFactory(buyer=outsider)
    first = services.dispute_open(
        order=first_order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="cracked",
        files=[upload(data)],
    )
    analysis.analyze_evidence(first.evidence.get().pk)
    mirrored = Image.open(io.BytesIO(data)).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    buf = io.BytesIO()
    mirrored.resize((480, 360)).save(buf, "JPEG", quality=80)
    second = services.dispute_open(
        order=second_order,
        buyer=outsider,
        reason="damaged",
        remedy="refund_only",
        description="cracked too",
        files=[upload(buf.getvalue())],
    )
    report = analysis.analyze_evidence(second.evidence.get().pk)
    reuse = report.signals.get(code="reuse.cross_dispute")
    assert reuse.data["known_id"] == str(first.evidence.get().pk)
    assert reuse.data["mirrored"] is True


def test_unrelated_photos_are_not_near_duplicates(order, merchant):
    (item,) = evidence_add(
        order=order, party=merchant, files=[upload(product_photo(1))], role="listing"
    )
    analysis.analyze_evidence(item.pk)
    other = fp.of_bytes(product_photo(99))
    assert near_duplicates(other) == []
    same = fp.of_bytes(product_photo(1))
    assert [m.evidence_id for m in near_duplicates(same)] == [item.pk]


def _plan(sql: str, params) -> str:
    """The query plan of ``sql``. On PostgreSQL sequential scans are priced out, so the plan
    shows whether an index can answer each part (on a two-row table a scan would be cheaper;
    the benchmark shows the plan chosen among a million rows)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def test_the_key_lookup_never_scans_the_table(order, merchant):
    (item,) = evidence_add(
        order=order, party=merchant, files=[upload(product_photo(3))], role="listing"
    )
    analysis.analyze_evidence(item.pk)
    query = fp.of_bytes(cropped(product_photo(3), 0.06))
    with CaptureQueriesContext(connection) as ctx:
        assert [m.evidence_id for m in near_duplicates(query)] == [item.pk]
    assert len(ctx.captured_queries) == 1
    plan = _plan(*lookup_sql(query.lookup_views(), connection.vendor))
    for key in Fingerprint.KEYS:
        assert re.search(
            rf"(Index Only Scan|Index Scan|USING (COVERING )?INDEX) .*fp_{key}\b", plan
        )
    assert not re.search(r"Seq Scan on evidence_fingerprint|SCAN f\b", plan), plan


def test_the_sweeper_requeues_evidence_a_broker_outage_left_pending(
    order, merchant, eager_celery, django_capture_on_commit_callbacks
):
    (item,) = evidence_add(
        order=order, party=merchant, files=[upload(product_photo())], role="listing"
    )
    # The on-commit enqueue never ran (broker down): the row is pending with an old queue time.
    Evidence.objects.filter(pk=item.pk).update(
        analysis_queued_at=item.created_at - analysis.stale_pending() * 2
    )
    assert sweep_stale_evidence.apply().get() == 1
    item.refresh_from_db()
    assert item.analysis == Evidence.Analysis.DONE


def test_the_sweeper_resends_a_visible_mark_reading_that_was_lost(
    order, merchant, eager_celery, django_capture_on_commit_callbacks
):
    """The second stage is queued on commit; a lost message would leave the report without
    it for good. The sweeper finds current reports never read and sends them again."""
    (item,) = evidence_add(
        order=order, party=merchant, files=[upload(product_photo())], role="listing"
    )
    report = analysis.analyze_evidence(item.pk)  # its on-commit second stage never runs
    assert analysis.VISIBLE_LABEL_READ not in report.metadata
    ForensicReport.objects.filter(pk=report.pk).update(
        created_at=report.created_at - analysis.stale_running() * 2
    )
    assert sweep_stale_evidence.apply().get() == 1
    report.refresh_from_db()
    assert report.metadata[analysis.VISIBLE_LABEL_READ] is True
    assert sweep_stale_evidence.apply().get() == 0


def test_a_broker_outage_at_upload_time_does_not_fail_the_upload(
    order, merchant, monkeypatch, django_capture_on_commit_callbacks
):
    from evidence import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.analyze_evidence_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = evidence_add(
            order=order, party=merchant, files=[upload(product_photo())], role="listing"
        )
    item.refresh_from_db()
    assert item.analysis == Evidence.Analysis.PENDING
    assert item.analysis_queued_at is not None


def test_a_video_is_queued_and_analysed_like_a_photo(
    order, merchant, django_capture_on_commit_callbacks
):
    from tests.fixtures.uploads import mp4

    with django_capture_on_commit_callbacks() as callbacks:
        (video,) = evidence_add(
            order=order,
            party=merchant,
            files=[SimpleUploadedFile("clip.mp4", mp4(), content_type="video/mp4")],
            role="merchant",
        )
    assert video.kind == Evidence.Kind.VIDEO
    assert video.analysis == Evidence.Analysis.PENDING
    assert callbacks  # the analysis task is sent after commit
    assert analysis.outdated_evidence_ids() == [video.pk]
    later = timezone.now() + analysis.stale_pending() + timedelta(seconds=1)
    assert analysis.stale_evidence_ids(now=later) == [video.pk]  # swept if the task is lost
    report = analysis.analyze_evidence(video.pk)
    assert report.verdict == "no_findings"
    assert report.metadata["video"]["duration"] == 2.0
    video.refresh_from_db()
    assert video.analysis == Evidence.Analysis.DONE
    assert analysis.outdated_evidence_ids() == []
    assert analysis.analyze_evidence(video.pk) == report  # idempotent per version


def test_a_party_is_told_why_their_photo_was_flagged_without_scores(
    order, merchant, buyer, eager_celery, django_capture_on_commit_callbacks
):
    from evidence.explain import party_summary
    from evidence.selectors import current_reports

    listing = product_photo()
    evidence_add(order=order, party=merchant, files=[upload(listing)], role="listing")
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="Stain",
        files=[upload(stained(listing))],
    )
    photo = dispute.evidence.get()
    analysis.analyze_evidence(photo.pk)
    with translation.override("en"):  # the catalogue translates the reasons
        summary = party_summary(current_reports([photo.pk])[photo.pk])
    assert summary["verdict"]
    assert "listing photo" in " ".join(summary["reasons"])
    assert "score" not in str(summary)


def test_a_clean_photo_gets_no_party_summary(order, merchant):
    from evidence.explain import party_summary

    assert party_summary(None) is None


@pytest.mark.parametrize("prepared", [True, False])
def test_the_lookup_answers_the_same_with_or_without_a_prepared_statement(
    order, merchant, settings, prepared
):
    """PostgreSQL runs it as a named prepared statement unless a transaction-mode pooler
    rules that out (``NEAR_DUPLICATES_PREPARED``); SQLite always runs it plainly."""
    settings.NEAR_DUPLICATES_PREPARED = prepared
    (item,) = evidence_add(
        order=order, party=merchant, files=[upload(product_photo(8))], role="listing"
    )
    analysis.analyze_evidence(item.pk)
    query = fp.of_bytes(cropped(product_photo(8), 0.04))
    with CaptureQueriesContext(connection) as ctx:
        assert [m.evidence_id for m in near_duplicates(query)] == [item.pk]
        assert [m.evidence_id for m in near_duplicates(query)] == [item.pk]
    statements = " ".join(q["sql"] for q in ctx.captured_queries)
    uses_prepared = connection.vendor == "postgresql" and prepared
    assert ("EXECUTE tp_near_duplicates_" in statements) == uses_prepared
    assert statements.count("PREPARE tp_near_duplicates_") <= 1
