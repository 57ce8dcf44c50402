"""Exporting a case file: who may, what they get, and the audit row it leaves."""

import hashlib
import json
from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import lifecycle
from ..errors import NotAllowed
from ..models import Dispute
from . import archive, signing
from .content import Member, case_content
from .pdf import case_pdf

FULL_PERMISSION = "arbitration.export_full_dossier"
EXPORTED = "dossier_exported"


def _bytes(member: Member) -> bytes:
    if not member.field:
        return b""
    with member.field.open("rb") as handle:
        return handle.read()


def _originals_intact(dispute_data: dict, evidence: list[Member], files: dict, full: bool):
    """Re-hash every stored original: the case file says whether it is still the file that
    was uploaded (its SHA-256 was taken then). A full file packs the originals, so their
    bytes are already read."""
    for item, member in zip(dispute_data["evidence"], evidence, strict=True):
        original = (
            files[member.path]
            if full
            else _bytes(replace(member, field=member.field.instance.original))
        )
        digest = hashlib.sha256(original).hexdigest()
        item["original"]["intact"] = digest == item["original"]["sha256"]


def dossier_export(
    dispute: Dispute, *, actor: str, user=None, full: bool = False
) -> tuple[str, bytes]:
    """The signed case file of ``dispute`` as (file name, zip bytes), and its audit row.

    ``full`` (the buyer's personal data unmasked, the original files) needs the
    ``export_full_dossier`` permission; the platform's API never asks for it."""
    if full and not (user is not None and user.has_perm(FULL_PERMISSION)):
        raise NotAllowed(_("You may not export a case file with the buyer's personal data."))
    dispute = Dispute.objects.select_related("platform", "order", "buyer", "merchant").get(
        pk=dispute.pk
    )
    data, members = case_content(dispute, full=full)
    files = {m.path: _bytes(m) for m in members}
    evidence = [m for m in members if m.path.startswith("evidence/")]
    _originals_intact(data, evidence, files, full)
    generated = {
        "at": timezone.now().isoformat(),
        "by": user.get_username() if user is not None else _("the platform (API)"),
        "full": full,
        "key_id": signing.key_id(),
    }
    data = {"generated": generated, **data}
    files["case.json"] = json.dumps(data, ensure_ascii=False, indent=2).encode()
    files["case.pdf"] = case_pdf(data, files, generated=generated)
    packed = archive.pack(files, reference=dispute.reference)
    lifecycle.record(
        dispute,
        EXPORTED,
        actor=actor,
        user=user,
        payload={"full": full, "sha256": hashlib.sha256(packed).hexdigest()},
    )
    return f"{dispute.reference}-case-file.zip", packed
