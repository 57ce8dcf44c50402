"""Celery tasks for evidence: ids in, one service call, safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings

from arbitration.resilience import RETRY_TRANSIENT, TRANSIENT

from . import analysis, orphans

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    max_retries=8,
    **RETRY_TRANSIENT,
    time_limit=settings.EVIDENCE_ANALYSIS_TIME_LIMIT,
    soft_time_limit=max(settings.EVIDENCE_ANALYSIS_TIME_LIMIT - 10, 1),
)
def analyze_evidence_task(self, evidence_id: int) -> None:
    """Analyse one image. Transient errors retry with backoff; anything else (the soft time
    limit included) marks the evidence failed so an arbitrator sees it instead of waiting
    forever. The hard limit bounds how long a photo can stay ``running``
    (``analysis.stale_running``)."""
    try:
        analysis.analyze_evidence(evidence_id)
    except TRANSIENT:
        raise
    except analysis.Evidence.DoesNotExist:
        log.info("Evidence %s no longer exists; nothing to analyse", evidence_id)
    except Exception as exc:
        analysis.mark_failed(evidence_id, repr(exc))
        raise


@shared_task(max_retries=8, **RETRY_TRANSIENT)
def read_visible_label_task(report_id: int) -> None:
    """The analysis' second stage (visible AIGC marks); a failure leaves the first stage's
    report as it is."""
    analysis.read_visible_label(report_id)


@shared_task
def sweep_stale_evidence() -> int:
    """Periodic (beat): re-enqueue analysis, and its second stage, that a broker or worker
    outage left behind."""
    return analysis.requeue_stale() + analysis.requeue_label_reads()


@shared_task
def reanalyze_outdated() -> int:
    """Queue every image the current analyzer version has not seen yet."""
    return analysis.requeue(analysis.outdated_evidence_ids())


@shared_task
def sweep_orphan_files() -> int:
    """Periodic (beat): delete private files a failed upload left without a row."""
    return orphans.orphan_files_delete()
