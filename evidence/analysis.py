"""Running the forensic engine on stored evidence (photos and videos) and keeping what it
found.

The worker calls ``analyze_evidence``; it is idempotent per (evidence, analyzer version), so
a redelivered task, the sweeper and a re-analysis command can all call it safely.
"""

import dataclasses
import logging
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import credit_sources
from accounts.selectors import matching_platform_ids
from arbitration.resilience import each
from webhooks import payloads
from webhooks.models import EventType
from webhooks.services import webhooks_emit

from . import forensics
from .engine_settings import detector_model_path, trust_anchors, tsa_anchors
from .forensics import fingerprints as fp
from .forensics import videoio, visible_label
from .forensics.aggregate import conclude
from .forensics.decoded import open_image
from .forensics.wording import said
from .models import Evidence, Fingerprint, ForensicReport, Signal
from .selectors import near_duplicates

log = logging.getLogger(__name__)

# A running analysis past its task's hard time limit is dead (the pool kills it there); this
# margin covers the clock and the worker's last write.
RUNNING_MARGIN = timedelta(seconds=30)
# What a stored image is to the merchant's own files when it is the merchant's listing photo.
OWN = "own"
# Report metadata key saying the second stage (visible AIGC marks) has read the image.
VISIBLE_LABEL_READ = "visible_label_read"


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def claim_filed_at(dispute):
    """When the claim was filed: a packing photo taken later is no evidence of the parcel."""
    return dispute.submitted_at or dispute.opened_at


def packing_references(evidence: Evidence):
    """The order's packing photos that count for ``evidence``'s claim: taken before it."""
    photos = Evidence.objects.filter(
        order_id=evidence.order_id, role=Evidence.Role.PACKING, kind=Evidence.Kind.IMAGE
    )
    if evidence.dispute_id is None:
        return photos.none()
    return photos.filter(taken_at__lt=claim_filed_at(evidence.dispute))


def _listing_references(evidence: Evidence) -> list[forensics.Reference]:
    """The order's listing photos and the packing photos taken before the claim, which a
    buyer's photo is compared with. The merchant's own photos are the merchant's to reuse: a
    listing photo filed as counter-evidence is no copy."""
    if evidence.role != Evidence.Role.BUYER:
        return []
    listing = Evidence.objects.filter(
        order_id=evidence.order_id, role=Evidence.Role.LISTING, kind=Evidence.Kind.IMAGE
    )
    return [
        forensics.Reference(
            id=str(item.pk), image=_read(item.original), label=f"listing #{item.pk}"
        )
        for item in listing
    ] + [
        forensics.Reference(
            id=str(item.pk),
            image=_read(item.original),
            label=f"packing #{item.pk}",
            kind=forensics.REFERENCE_PACKING,
        )
        for item in packing_references(evidence)
    ]


def _known_elsewhere(
    evidence: Evidence, query: fp.Fingerprints
) -> list[forensics.KnownFingerprint]:
    """Images stored before this one that are near-duplicates of it, each with what it is
    (`_known_kind`).

    The engine calls this once with the fingerprints it computed (``Context.lookup``). Only
    earlier files count: a copy is the later of two, so the first filer's photo never points
    to its copies. Another platform's images are candidates only where both platforms opted
    in (``matching_platform_ids``). Each candidate comes with its stored original: the hashes
    only propose it, the engine's verification decides, and only the few closest
    (``reuse.MAX_VERIFIED``) are read.
    """
    matches = {m.evidence_id: m for m in near_duplicates(query) if m.evidence_id != evidence.pk}
    if not matches:
        return []
    platforms = matching_platform_ids(evidence.order.platform_id)
    earlier = Evidence.objects.filter(
        pk__in=matches, pk__lt=evidence.pk, order__platform_id__in=platforms
    ).select_related("order")
    kinds = {other.pk: _known_kind(evidence, other) for other in earlier}
    if OWN in kinds.values():
        # The merchant's own listing photo: other disputes' files of it are copies of it.
        kinds = {pk: kind for pk, kind in kinds.items() if kind == forensics.KNOWN_OTHER_LISTING}
    rank = {pk: i for i, pk in enumerate(matches)}  # near_duplicates orders by distance
    closest = sorted(
        (other for other in earlier if kinds.get(other.pk) not in (None, OWN)),
        key=lambda other: rank[other.pk],
    )
    return [
        forensics.KnownFingerprint(
            id=str(other.pk),
            fingerprints=matches[other.pk].fingerprints,
            image=_stored_original(other),
            label=(
                f"dispute #{other.dispute_id}, evidence #{other.pk}"
                if other.dispute_id
                else f"listing photo of order {other.order_id}, evidence #{other.pk}"
            ),
            kind=kinds[other.pk],
        )
        for other in closest[: forensics.reuse.MAX_VERIFIED]
    ]


def _known_kind(evidence: Evidence, other: Evidence) -> str | None:
    """What ``other`` is to ``evidence``, or None if it is not "elsewhere" at all.

    Every order of a product shares its listing photos, so the merchant's listing photo on
    any of its orders is the merchant's own picture: ``OWN`` to the merchant's listing photos
    and counter-evidence, a copy of the listing in a buyer's photo (``reuse.listing_match``,
    found by hashes when the pixel alignment with the order's own listing photos missed it).
    Another merchant's listing photo is worth telling (a copied listing,
    ``reuse.listing_elsewhere``). The same order's other files are not elsewhere; any other
    file is evidence of another dispute (``reuse.cross_dispute``).
    """
    if other.role == Evidence.Role.LISTING:
        if other.order.merchant_id != evidence.order.merchant_id:
            return forensics.KNOWN_OTHER_LISTING
        return forensics.KNOWN_OWN_LISTING if evidence.role == Evidence.Role.BUYER else OWN
    if other.order_id == evidence.order_id:
        return None
    return forensics.KNOWN_EVIDENCE


def _stored_original(other: Evidence) -> bytes | None:
    """A candidate's original for the verification (a video's first keyframe, which its
    fingerprints describe); without it the candidate is no match."""
    try:
        data = _read(other.original)
    except OSError:
        log.warning("Evidence %s: original unreadable, near-duplicate not verified", other.pk)
        return None
    return videoio.poster(data) if other.kind == Evidence.Kind.VIDEO else data


def _store_fingerprint(evidence: Evidence, query: fp.Fingerprints) -> None:
    """One row per stored crop (``fingerprints.STORED_CROPS``), keyed for the key indexes."""
    for variant, hashes in enumerate(query.stored):
        keys = fp.lookup_keys(hashes, variant)
        Fingerprint.objects.update_or_create(
            evidence=evidence,
            variant=variant,
            defaults={
                **{kind: fp.to_signed64(getattr(hashes, kind)) for kind in fp.KINDS},
                **dict(zip(Fingerprint.KEYS, keys, strict=True)),
            },
        )


def analyze_evidence(evidence_id: int) -> ForensicReport | None:
    """Analyse one stored photo or video with the current analyzer version and save the
    report."""
    evidence = Evidence.objects.select_related("order").get(pk=evidence_id)
    version = forensics.ANALYZER_VERSION
    existing = evidence.reports.filter(analyzer_version=version).first()
    if existing is not None:
        Evidence.objects.filter(pk=evidence.pk).update(analysis=Evidence.Analysis.DONE)
        return existing
    Evidence.objects.filter(pk=evidence.pk).update(
        analysis=Evidence.Analysis.RUNNING, analysis_queued_at=timezone.now()
    )
    data = _read(evidence.original)
    context = forensics.Context(
        listing=_listing_references(evidence),
        lookup=partial(_known_elsewhere, evidence),
        # Only a buyer's claim photo must postdate delivery: listing photos and the
        # merchant's packing photos are taken before it by nature.
        delivered_at=evidence.order.delivered_at if evidence.role == Evidence.Role.BUYER else None,
        trust_anchors_pem=trust_anchors(),
        tsa_anchors_pem=tsa_anchors(),
        detector_model_path=detector_model_path(),
    )
    started = time.perf_counter()
    if evidence.kind == Evidence.Kind.VIDEO:
        report = forensics.analyze_video(data, context, evidence.format)
    else:
        report = forensics.analyze(data, context)
    duration_ms = int((time.perf_counter() - started) * 1000)
    return _save(evidence, report.fingerprints, report, duration_ms)


@transaction.atomic
def _save(evidence: Evidence, query: fp.Fingerprints, report, duration_ms: int):
    _store_fingerprint(evidence, query)
    version = forensics.ANALYZER_VERSION
    try:
        with transaction.atomic():
            row = ForensicReport.objects.create(
                evidence=evidence,
                analyzer_version=version,
                forgery_score=report.forgery_score,
                verdict=report.verdict,
                metadata=report.metadata,
                duration_ms=duration_ms,
            )
    except IntegrityError:
        # Another worker finished the same analysis first; its report stands. It may have
        # marked the evidence done before this run marked it running: mark it done again.
        Evidence.objects.filter(pk=evidence.pk).update(analysis=Evidence.Analysis.DONE)
        return evidence.reports.get(analyzer_version=version)
    for name in ("ela", "noise"):
        if png := report.heatmaps.get(name):
            getattr(row, f"{name}_heatmap").save(f"{name}.png", ContentFile(png), save=False)
    row.save()
    Signal.objects.bulk_create(_signal_row(row, signal) for signal in report.signals)
    Evidence.objects.filter(pk=evidence.pk).update(analysis=Evidence.Analysis.DONE)
    credit_sources.credit_for_analysis(evidence, row)  # same transaction: see credit_sources
    if evidence.dispute_id:
        _update_dispute_risk(evidence.dispute_id)
    _emit_analyzed(evidence, row)
    transaction.on_commit(lambda pk=row.pk: _enqueue_visible_label(pk), robust=True)
    return row


def _emit_analyzed(evidence: Evidence, row: ForensicReport) -> None:
    webhooks_emit(
        platform=evidence.order.platform,
        type=EventType.EVIDENCE_ANALYZED,
        data=payloads.analysis_data(evidence, row),
    )


def _enqueue_visible_label(report_id: int) -> None:
    from .tasks import read_visible_label_task

    read_visible_label_task.delay(report_id)


def stored_data(signal: forensics.Signal) -> dict:
    """The signal's data with its sentence (``message``, see `forensics.wording`) beside it:
    the console renders that in the reader's language; rows stored before it have none and
    show their English ``detail``."""
    return {**signal.data, "message": signal.message} if signal.message else signal.data


def _signal_row(report: ForensicReport, signal: forensics.Signal) -> Signal:
    return Signal(
        report=report,
        code=signal.code,
        score=signal.score,
        polarity=signal.polarity,
        detail=signal.detail,
        regions=signal.regions or ([signal.region] if signal.region else []),
        data=stored_data(signal),
        times=list(signal.times or ()),
    )


def _engine_signal(row: Signal) -> forensics.Signal:
    return forensics.Signal(row.code, row.score, polarity=row.polarity, data=row.data)


@transaction.atomic
def read_visible_label(report_id: int) -> ForensicReport | None:
    """The second stage: read the visible AIGC mark of a stored report's image (text
    recognition costs more than the whole first stage, so it runs after it) and, when one is
    there, add its signal and re-aggregate the report. Runs once per report."""
    row = (
        ForensicReport.objects.select_for_update()
        .select_related("evidence__order__platform")
        .filter(pk=report_id)
        .first()
    )
    if row is None or row.metadata.get(VISIBLE_LABEL_READ):
        return row
    evidence = row.evidence
    found, times = _visible_mark(evidence)
    row.metadata = {**row.metadata, VISIBLE_LABEL_READ: True}
    if found is None:
        row.save(update_fields=["metadata"])
        return row
    if times:
        found = dataclasses.replace(found, times=tuple(times))
    before = row.verdict
    stored = [(signal_row, _engine_signal(signal_row)) for signal_row in row.signals.all()]
    judged, row.forgery_score, row.verdict = conclude(
        [s for _, s in stored] + [found], row.metadata
    )
    # Judging again may turn a C2PA capture into a conflict with the mark (`reconcile`).
    kept = {id(s) for s in judged}
    for signal_row, signal in stored:
        if id(signal) not in kept:
            signal_row.delete()
    known = {id(s) for _, s in stored}
    Signal.objects.bulk_create(_signal_row(row, s) for s in judged if id(s) not in known)
    row.save(update_fields=["metadata", "forgery_score", "verdict"])
    if evidence.dispute_id:
        _update_dispute_risk(evidence.dispute_id)
    if row.verdict != before:
        _emit_analyzed(evidence, row)
    return row


def _visible_mark(evidence: Evidence):
    """(signal, times) of a visible AIGC mark: on a photo, or on a clip's opening seconds
    (`videoio.opening_frames`), the first frame showing one."""
    data = _read(evidence.original)
    if evidence.kind != Evidence.Kind.VIDEO:
        return visible_label.find(open_image(data)), []
    for frame in videoio.opening_frames(data):
        if (found := visible_label.find(frame.image)) is not None:
            words = said("video.at", at=f"{frame.time:g}", finding=found.message)
            return forensics.Signal(**{**found.__dict__, **words}), [frame.time]
    return None, []


def _update_dispute_risk(dispute_id: int) -> None:
    """A dispute's risk weighs its findings with both credits and the money: one rule."""
    from arbitration.services.risk import dispute_risk_refresh

    dispute_risk_refresh(dispute_id)


def mark_failed(evidence_id: int, error: str) -> None:
    log.error("Analysis of evidence %s failed: %s", evidence_id, error)
    Evidence.objects.filter(pk=evidence_id).update(analysis=Evidence.Analysis.FAILED)


def enqueue_analysis(evidence_ids) -> None:
    """Queue analysis after the current transaction commits.

    ``robust`` keeps a broker outage from failing the upload: the evidence stays
    ``pending`` with its queue time, and the sweeper re-enqueues it later.
    """
    ids = list(evidence_ids)
    if not ids:
        return
    Evidence.objects.filter(pk__in=ids).update(analysis_queued_at=timezone.now())
    transaction.on_commit(lambda: _send_analyses(ids), robust=True)


def _send_analyses(ids: list[int]) -> None:
    """One send after another; the first broker error ends them all (and is logged by
    ``on_commit``): each further file would only wait out the same dead broker's connection
    retries, so a nine-photo upload would hang for seconds. The sweeper sends the rest."""
    from .tasks import analyze_evidence_task

    for pk in ids:
        analyze_evidence_task.delay(pk)


def stale_pending() -> timedelta:
    """How long a queued photo may wait for a worker before its message counts as lost."""
    return timedelta(seconds=settings.EVIDENCE_STALE_PENDING_SECONDS)


def stale_running() -> timedelta:
    """How long an analysis may be ``running``: its task's time limit, then it is dead."""
    return timedelta(seconds=settings.EVIDENCE_ANALYSIS_TIME_LIMIT) + RUNNING_MARGIN


def stale_evidence_ids(*, now=None) -> list[int]:
    """Files whose analysis was queued long ago and never finished: a lost message, a
    broker outage at upload time, or a worker killed mid-analysis."""
    now = now or timezone.now()
    pending = Evidence.objects.filter(analysis=Evidence.Analysis.PENDING).filter(
        analysis_queued_at__lt=now - stale_pending()
    ) | Evidence.objects.filter(analysis=Evidence.Analysis.PENDING, analysis_queued_at__isnull=True)
    running = Evidence.objects.filter(
        analysis=Evidence.Analysis.RUNNING, analysis_queued_at__lt=now - stale_running()
    )
    return list((pending | running).values_list("pk", flat=True)[:500])


def outdated_evidence_ids() -> list[int]:
    """Photos and videos without a report from the current analyzer version."""
    return list(
        Evidence.objects.exclude(reports__analyzer_version=forensics.ANALYZER_VERSION).values_list(
            "pk", flat=True
        )
    )


def reanalyze_with_new_references(order_id: int) -> int:
    """A packing photo came in: the order's buyer photos were judged without it. Their
    current reports are dropped and the photos queued again (after commit)."""
    ids = list(
        Evidence.objects.filter(
            order_id=order_id, role=Evidence.Role.BUYER, kind=Evidence.Kind.IMAGE
        ).values_list("pk", flat=True)
    )
    ForensicReport.objects.filter(
        evidence_id__in=ids, analyzer_version=forensics.ANALYZER_VERSION
    ).delete()
    Evidence.objects.filter(pk__in=ids).update(analysis=Evidence.Analysis.PENDING)
    enqueue_analysis(ids)
    return len(ids)


def requeue(ids) -> int:
    """Send analysis tasks for ``ids`` now (outside any transaction) and note the time."""
    from .tasks import analyze_evidence_task

    ids = list(ids)
    Evidence.objects.filter(pk__in=ids).update(
        analysis=Evidence.Analysis.PENDING, analysis_queued_at=timezone.now()
    )
    return each(ids, partial(_send, analyze_evidence_task), what="Analysis enqueue")


def stale_label_reads(*, now=None) -> list[int]:
    """Current reports whose second stage (the visible-mark reading) never ran: its message
    was lost with a broker or a worker. Oldest first, a bounded batch per sweep."""
    now = now or timezone.now()
    return list(
        ForensicReport.objects.filter(
            analyzer_version=forensics.ANALYZER_VERSION, created_at__lt=now - stale_running()
        )
        .exclude(metadata__has_key=VISIBLE_LABEL_READ)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def requeue_stale(*, now=None) -> int:
    return requeue(stale_evidence_ids(now=now))


def requeue_label_reads(*, now=None) -> int:
    """Re-send the second stages an outage lost (`stale_label_reads`)."""
    from .tasks import read_visible_label_task

    return each(
        stale_label_reads(now=now),
        partial(_send, read_visible_label_task),
        what="Visible-label enqueue",
    )


def _send(task, pk: int) -> bool:
    task.delay(pk)
    return True
