"""Private files with no evidence row: what a failed upload leaves behind.

``evidence_add`` writes the files before its transaction commits. When the database fails
in between (the insert, the commit, or the caller's transaction around it), the row is
rolled back and the file stays on disk, private data nobody can reach or delete. The upload
removes what it wrote when it sees the error itself; this sweep (beat) finds the rest: a
file in ``originals/``, ``copies/`` or ``heatmaps/`` whose name's evidence uid has no row,
older than a grace period so an upload still in flight is never touched.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from .models import Evidence

log = logging.getLogger(__name__)

FOLDERS = ("originals", "copies", "heatmaps")
UID_LENGTH = 32  # uuid4().hex starts every stored file's name
LOOKUP_BATCH = 500


def _stored_files(storage):
    for folder in FOLDERS:
        if not storage.exists(folder):
            continue
        shards, _files = storage.listdir(folder)
        for shard in sorted(shards):
            _dirs, names = storage.listdir(f"{folder}/{shard}")
            yield from (f"{folder}/{shard}/{name}" for name in sorted(names))


def orphan_files_delete(*, now=None, storage=None) -> int:
    """Delete stored files no evidence row owns, past the grace; returns how many."""
    storage = storage or default_storage
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EVIDENCE_ORPHAN_GRACE_SECONDS)
    files = {path: path.rsplit("/", 1)[1][:UID_LENGTH] for path in _stored_files(storage)}
    uids = _uuids(files.values())
    known = set()
    for start in range(0, len(uids), LOOKUP_BATCH):
        rows = Evidence.objects.filter(uid__in=uids[start : start + LOOKUP_BATCH])
        known.update(uid.hex for uid in rows.values_list("uid", flat=True))
    deleted = 0
    for path, uid in files.items():
        if uid in known or storage.get_modified_time(path) > cutoff:
            continue
        storage.delete(path)
        log.warning("Deleted %s: no evidence row owns it", path)
        deleted += 1
    return deleted


def _uuids(hexes) -> list[str]:
    return sorted(h for h in set(hexes) if len(h) == UID_LENGTH and _is_hex(h))


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True
