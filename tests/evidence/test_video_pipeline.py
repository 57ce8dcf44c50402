"""Videos through the worker's code: keyframes against the order's listing photos and the
stored evidence, the visible mark on the opening seconds, times stored with each signal."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from arbitration import services
from evidence import analysis
from evidence.models import Evidence, ForensicReport
from evidence.services import evidence_add
from tests.evidence.test_pipeline import product_photo, upload
from tests.factories import OrderFactory
from tests.fixtures import videos
from tests.forensics.test_visible_label import photo, stamp


def clip_upload(data: bytes, name: str = "clip.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="video/mp4")


def clip_of(image: Image.Image, frames: int = 6) -> bytes:
    return videos.clip(size=image.size, frames=frames, picture=videos.still(image), audio=False)


def _claim(buyer, data: bytes, order=None):
    dispute = services.dispute_open(
        order=order or OrderFactory(buyer=buyer),
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="cracked",
        files=[clip_upload(data)],
    )
    return dispute.evidence.get()


def test_a_buyers_clip_of_the_listing_photo_is_reuse_with_its_times(order, merchant, buyer):
    listing = product_photo(seed=21)
    (listed,) = evidence_add(order=order, party=merchant, files=[upload(listing)], role="listing")
    analysis.analyze_evidence(listed.pk)
    shown = Image.open(io.BytesIO(listing)).convert("RGB")
    screen = Image.new("RGB", (shown.width + 40, shown.height + 30), (10, 10, 10))
    screen.paste(shown, (20, 15))
    item = _claim(buyer, clip_of(screen), order=order)
    report = analysis.analyze_evidence(item.pk)
    assert report.verdict == ForensicReport.Verdict.REUSED
    signal = report.signals.get(code="reuse.listing_match")
    assert signal.times == [0.0]
    assert report.metadata["video"]["keyframes"] == [0.0]


def test_a_clip_filed_before_in_another_dispute_is_found(buyer, outsider):
    footage = Image.open(io.BytesIO(product_photo(seed=22))).convert("RGB")
    first = _claim(buyer, clip_of(footage))
    analysis.analyze_evidence(first.pk)
    assert first.fingerprints.count() == 1  # the first keyframe's
    again = _claim(
        outsider, clip_of(footage.resize((footage.width * 9 // 10, footage.height * 9 // 10)))
    )
    report = analysis.analyze_evidence(again.pk)
    reuse = report.signals.get(code="reuse.cross_dispute")
    assert reuse.data["known_id"] == str(first.pk)
    assert reuse.times == [0.0]
    assert report.verdict == ForensicReport.Verdict.REUSED


def test_a_photo_of_a_filed_clips_frame_is_found_too(buyer, outsider):
    footage = Image.open(io.BytesIO(product_photo(seed=23))).convert("RGB")
    first = _claim(buyer, clip_of(footage))
    analysis.analyze_evidence(first.pk)
    buf = io.BytesIO()
    footage.save(buf, "JPEG", quality=85)
    dispute = services.dispute_open(
        order=OrderFactory(buyer=outsider),
        buyer=outsider,
        reason="damaged",
        remedy="refund_only",
        description="cracked",
        files=[upload(buf.getvalue())],
    )
    report = analysis.analyze_evidence(dispute.evidence.get().pk)
    assert report.signals.get(code="reuse.cross_dispute").data["known_id"] == str(first.pk)


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_a_generators_mark_in_the_opening_seconds_is_read_by_the_second_stage(
    order, merchant, eager, django_capture_on_commit_callbacks
):
    stamped = stamp(photo(640, 480), "即梦AI生成")
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = evidence_add(
            order=order, party=merchant, files=[clip_upload(clip_of(stamped, 3))], role="merchant"
        )
    item.refresh_from_db()
    assert item.analysis == Evidence.Analysis.DONE
    report = item.reports.get()
    signal = report.signals.get(code="provenance.visible_label")
    assert signal.times == [0.0]
    assert signal.detail.startswith("At 0 s of the clip: ")
    assert report.verdict == ForensicReport.Verdict.AI_GENERATED
    assert report.metadata[analysis.VISIBLE_LABEL_READ] is True
