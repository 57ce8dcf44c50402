"""After a worker dies, photos come back within the analysis task's time limit: the
"running" threshold is that limit (plus a margin), the "pending" one a setting, both far
below the quarter of an hour they used to be."""

from datetime import timedelta

from django.utils import timezone

from evidence import analysis
from evidence.models import Evidence
from evidence.tasks import analyze_evidence_task


def _queued(dispute, state: str, ago: timedelta) -> Evidence:
    item = dispute.evidence.get()
    Evidence.objects.filter(pk=item.pk).update(
        analysis=state, analysis_queued_at=timezone.now() - ago
    )
    return item


def test_the_task_time_limit_is_the_setting(settings):
    assert analyze_evidence_task.time_limit == settings.EVIDENCE_ANALYSIS_TIME_LIMIT
    assert 0 < analyze_evidence_task.soft_time_limit < analyze_evidence_task.time_limit


def test_a_photo_left_running_by_a_killed_worker_is_requeued_after_the_time_limit(dispute):
    limit = timedelta(seconds=analyze_evidence_task.time_limit)
    item = _queued(dispute, Evidence.Analysis.RUNNING, limit)
    assert analysis.stale_evidence_ids() == []  # it may still be running

    later = timezone.now() + analysis.RUNNING_MARGIN + timedelta(seconds=1)
    assert analysis.stale_evidence_ids(now=later) == [item.pk]
    assert analysis.stale_running() <= timedelta(minutes=3)


def test_the_thresholds_follow_the_settings(dispute, settings):
    settings.EVIDENCE_ANALYSIS_TIME_LIMIT = 600
    settings.EVIDENCE_STALE_PENDING_SECONDS = 30
    running = _queued(dispute, Evidence.Analysis.RUNNING, timedelta(seconds=300))
    assert analysis.stale_evidence_ids() == []

    Evidence.objects.filter(pk=running.pk).update(analysis=Evidence.Analysis.PENDING)
    assert analysis.stale_evidence_ids() == [running.pk]
    assert analysis.stale_running() == timedelta(seconds=600) + analysis.RUNNING_MARGIN


def test_a_pending_photo_is_requeued_after_the_pending_threshold(dispute, settings):
    settings.EVIDENCE_STALE_PENDING_SECONDS = 90
    item = _queued(dispute, Evidence.Analysis.PENDING, timedelta(seconds=89))
    assert analysis.stale_evidence_ids() == []

    assert analysis.stale_evidence_ids(now=timezone.now() + timedelta(seconds=2)) == [item.pk]
