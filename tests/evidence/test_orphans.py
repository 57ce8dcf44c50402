"""A database failure mid-upload leaves no private file without its row: the upload deletes
what it wrote, and the beat sweep deletes what a later rollback stranded."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from evidence import orphans
from evidence.models import Evidence
from evidence.services import evidence_add
from evidence.tasks import sweep_orphan_files
from tests.conftest import jpeg_upload


def stored_files() -> set[str]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def add(dispute, party, count=2):
    files = [jpeg_upload(f"{n}.jpg", color=(n * 50, 20, 20)) for n in range(count)]
    return evidence_add(
        order=dispute.order, party=party, files=files, role="merchant", dispute=dispute
    )


def test_a_failed_insert_mid_upload_deletes_the_files_already_written(
    dispute, merchant, monkeypatch
):
    before = stored_files()
    real_save = Evidence.save
    saves = []

    def save(self, *args, **kwargs):
        saves.append(self)
        if len(saves) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Evidence, "save", save)

    with pytest.raises(OperationalError):
        add(dispute, merchant)

    assert stored_files() == before
    assert not Evidence.objects.filter(role="merchant").exists()


def test_the_sweep_deletes_files_a_rollback_after_the_upload_stranded(dispute, merchant):
    kept = stored_files()  # the opening photo's, whose row exists
    with pytest.raises(OperationalError), transaction.atomic():
        add(dispute, merchant)
        raise OperationalError("the commit failed")
    stranded = stored_files() - kept
    assert len(stranded) == 4  # two originals, two copies, no rows
    assert not Evidence.objects.filter(role="merchant").exists()

    assert orphans.orphan_files_delete() == 0  # within the grace: maybe still uploading
    later = timezone.now() + timedelta(seconds=settings.EVIDENCE_ORPHAN_GRACE_SECONDS + 1)
    assert orphans.orphan_files_delete(now=later) == 4

    assert stored_files() == kept
    item = Evidence.objects.get()
    assert item.original.storage.exists(item.original.name)


def test_the_beat_task_runs_the_sweep(dispute, merchant, settings):
    settings.EVIDENCE_ORPHAN_GRACE_SECONDS = 0
    kept = stored_files()
    with pytest.raises(OperationalError), transaction.atomic():
        add(dispute, merchant, count=1)
        raise OperationalError("the commit failed")

    assert sweep_orphan_files() == 2
    assert stored_files() == kept
