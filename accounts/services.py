"""Use cases of the accounts app."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration import lifecycle
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import DisputeEvent

from .models import ApiKey, MerchantReport, Platform

KEY_PREFIX = "tp"
# last_used_at is a hint for the console, not an audit log: write it at most once a minute.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@transaction.atomic
def merchant_report_review(
    *, report: MerchantReport, user, upheld: bool, note: str = ""
) -> MerchantReport:
    """An arbitrator upholds or rejects a merchant's report of a buyer, once.

    The note goes into the dispute's audit trail; what an upheld report costs the buyer's
    credit is decided by the credit ledger, not here.
    """
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can review a merchant report."))
    report = MerchantReport.objects.select_for_update().select_related("dispute").get(pk=report.pk)
    if report.status != MerchantReport.Status.PENDING:
        raise DomainError(
            _("This report has already been reviewed (%(status)s).")
            % {"status": report.get_status_display()},
            code="already_reviewed",
        )
    report.status = MerchantReport.Status.UPHELD if upheld else MerchantReport.Status.REJECTED
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    lifecycle.record(
        report.dispute,
        "report_reviewed",
        actor=DisputeEvent.Actor.ARBITRATOR,
        user=user,
        payload={"report": report.pk, "status": report.status, "note": note.strip()},
    )
    return report


def _hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, platform: Platform, name: str) -> tuple[ApiKey, str]:
    """Make a key for ``platform``; the plaintext is returned here once and never stored."""
    if not name.strip():
        raise DomainError(_("Name the key (e.g. the system that will use it)."), field="name")
    while True:
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    plaintext = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        platform=platform, name=name.strip(), prefix=prefix, hashed_key=_hash_key(plaintext)
    )
    return key, plaintext


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Stop a key from working at once; revoking twice keeps the first time."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db(fields=["revoked_at"])
    return key


def api_key_verify(plaintext: str) -> ApiKey | None:
    """The live key ``plaintext`` names, or None (unknown, malformed, revoked).

    The prefix only finds the row; the full key is compared by hash in constant time.
    """
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8 or not parts[2]:
        return None
    key = ApiKey.objects.select_related("platform").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.hashed_key, _hash_key(plaintext)):
        return None
    if key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
