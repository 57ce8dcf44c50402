"""Queueing analysis after an upload: a dead broker costs the upload one failed send, not
one per file, and every file is left ``pending`` for the sweeper."""

import logging

from kombu.exceptions import OperationalError as BrokerDown

from evidence.models import Evidence
from evidence.services import evidence_add
from evidence.tasks import analyze_evidence_task
from tests.conftest import jpeg_upload


def test_a_dead_broker_is_tried_once_per_upload(
    dispute, merchant, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    attempts = []

    def broker_down(pk):
        attempts.append(pk)
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(analyze_evidence_task, "delay", broker_down)
    files = [jpeg_upload(f"{n}.jpg", color=(n * 40, 10, 10)) for n in range(3)]

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        items = evidence_add(
            order=dispute.order, party=merchant, files=files, role="merchant", dispute=dispute
        )

    assert len(attempts) == 1
    assert "Connection refused" in caplog.text
    rows = Evidence.objects.filter(pk__in=[item.pk for item in items])
    assert [(e.analysis, e.analysis_queued_at is not None) for e in rows] == [("pending", True)] * 3


def test_a_live_broker_gets_every_file(
    dispute, merchant, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(analyze_evidence_task, "delay", sent.append)
    files = [jpeg_upload(f"{n}.jpg", color=(n * 40, 10, 10)) for n in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        items = evidence_add(
            order=dispute.order, party=merchant, files=files, role="merchant", dispute=dispute
        )

    assert sent == [item.pk for item in items]
