"""A video upload end to end with a real Celery worker: through the buyer's web page and
through the platform API, the worker analyses the clip (and reads its opening seconds for a
visible mark) with the same code as `manage.py analyze_image`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import api_key_create
from evidence.models import Evidence
from tests.fixtures import videos
from tests.pages.conftest import client_for
from tests.worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SETTLE_TIMEOUT = 90


def clip_upload() -> SimpleUploadedFile:
    clip = videos.with_boxes(
        videos.clip(size=(96, 64)), moov=videos.mdta_meta({"AIGC": videos.aigc("1")})
    )
    return SimpleUploadedFile("clip.mp4", clip, content_type="video/mp4")


def _analysed(dispute):
    item = dispute.evidence.filter(kind=Evidence.Kind.VIDEO).first()
    if item is None or item.analysis != Evidence.Analysis.DONE:
        return None
    report = item.reports.first()
    return report if report and report.metadata.get("visible_label_read") else None


def test_a_video_sent_from_the_web_page_is_analysed_by_the_worker(worker, dispute, buyer):
    response = client_for(buyer.user).post(
        f"/disputes/{dispute.pk}/evidence/", {"files": [clip_upload()], "caption": "unboxing"}
    )
    assert response.status_code in (200, 302)
    report = wait_until(lambda: _analysed(dispute), SETTLE_TIMEOUT, "the clip's analysis", worker)
    assert report.verdict == "ai_generated"
    assert report.signals.get(code="provenance.aigc_label").times == []
    assert report.metadata["video"]["duration"] == 2.0
    copy = dispute.evidence.get(kind=Evidence.Kind.VIDEO)
    assert copy.safe_copy_mime == "video/mp4"


def test_a_video_sent_through_the_api_is_analysed_by_the_worker(worker, dispute):
    _key, plaintext = api_key_create(platform=dispute.platform, name="e2e")
    client_a = APIClient()
    client_a.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "buyer", "files": [clip_upload()]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    [created] = response.json()
    assert created["analysis"] == "pending"
    wait_until(lambda: _analysed(dispute), SETTLE_TIMEOUT, "the clip's analysis", worker)
    listed = client_a.get(f"/api/v1/disputes/{dispute.pk}/evidence").json()
    video = next(item for item in listed if item["uid"] == created["uid"])
    assert video["analysis"] == "done"
    assert video["report"]["verdict"] == "ai_generated"
