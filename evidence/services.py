"""Storing evidence: validate every file first, then store all of them, or none."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Party
from arbitration.errors import DomainError

from .analysis import enqueue_analysis
from .engine_settings import upload_limits
from .forensics.intake import Inspected, RejectedFile, inspect_file
from .forensics.safe_copy import make_safe_copy
from .models import Evidence


class RejectedUpload(DomainError):
    code = "rejected_file"


def _inspect(upload) -> Inspected:
    try:
        return inspect_file(upload, **upload_limits())
    except RejectedFile as exc:
        name = getattr(upload, "name", "") or "file"
        raise RejectedUpload(f"{name}: {exc.message}", code=exc.code, field="files") from exc


def evidence_validate(files) -> list[Inspected]:
    """Inspect every upload; the first bad one rejects the whole batch before anything is kept."""
    if len(files) > settings.EVIDENCE_MAX_FILES_PER_UPLOAD:
        raise RejectedUpload(
            f"Upload at most {settings.EVIDENCE_MAX_FILES_PER_UPLOAD} files at a time.",
            code="too_many_files",
            field="files",
        )
    return [_inspect(upload) for upload in files]


def _check_dispute_room(dispute, party: Party, adding: int) -> None:
    """Each side files at most ``EVIDENCE_MAX_PER_DISPUTE`` files on one dispute."""
    limit = settings.EVIDENCE_MAX_PER_DISPUTE
    filed = Evidence.objects.filter(dispute=dispute, submitted_by=party).count()
    if filed + adding > limit:
        raise RejectedUpload(
            _("A dispute takes at most %(limit)d files from each side; %(filed)d are filed.")
            % {"limit": limit, "filed": filed},
            code="dispute_full",
            field="files",
        )


@transaction.atomic
def evidence_add(
    *, order, party: Party, files, role: str, dispute=None, caption: str = ""
) -> list[Evidence]:
    """Validate and store uploads as evidence of ``party`` on ``order`` (and ``dispute``).

    Originals stay private; a copy without EXIF/GPS/XMP (a video's re-muxed without any
    metadata) is made now, so the counterparty can see it at once. Photos and videos alike
    are queued for analysis after commit.
    """
    if dispute is not None:
        _check_dispute_room(dispute, party, len(files))
    inspected = evidence_validate(files)
    stored, written = [], []
    try:
        for upload, info in zip(files, inspected, strict=True):
            copy_bytes, copy_mime = make_safe_copy(upload, info)
            upload.seek(0)
            item = Evidence(
                order=order,
                dispute=dispute,
                submitted_by=party,
                role=role,
                kind=info.kind,
                caption=caption[:200],
                original_name=(getattr(upload, "name", "") or "")[:255],
                format=info.format,
                mime=info.mime,
                size=info.size,
                sha256=info.sha256,
                width=info.width,
                height=info.height,
                safe_copy_mime=copy_mime,
                analysis=Evidence.Analysis.PENDING,
            )
            item.original.save("original", upload, save=False)
            written.append(item.original)
            item.safe_copy.save("copy", ContentFile(copy_bytes), save=False)
            written.append(item.safe_copy)
            item.save()
            stored.append(item)
    except Exception:
        # the rows roll back with this error: the files written so far go with them
        # (a failure after this returns is left to ``orphans``, the beat sweep)
        for field in written:
            field.storage.delete(field.name)
        raise
    enqueue_analysis(item.pk for item in stored)
    return stored
