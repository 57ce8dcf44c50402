"""``Idempotency-Key`` on POSTs, the pretix way: claim the key, run once, replay the answer.

The first request with a key inserts its row (the unique constraint is the lock) and runs;
its response (any status below 500) is stored in the same transaction as its writes, so a
request that committed is always replayed, even if its answer never reached the client. The
same key with the same request gets that response again with ``Idempotent-Replayed: true``;
with a different request, or while the first is still running, 409. Keys are per platform
and expire after 24 hours. A 5xx frees the key so the platform can retry.

"Still running" is a lease (``IDEMPOTENCY_LEASE_SECONDS``): a row left without a response
by a process that died (a database crash, a killed web worker) stops blocking its retries
once the lease is over, and the retry runs again; its writes never committed.
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.models import IdempotencyKey

from .errors import error_response

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
EXPIRY = timedelta(hours=24)
MAX_LENGTH = 255


def fingerprint(request) -> str:
    """sha256 of method, path and body.

    A multipart body carries a random boundary and may be large, so for uploads the form
    fields and the sha256 of each file's content stand in for the raw bytes.
    """
    digest = hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n".encode())
    if request.content_type.startswith("multipart/"):
        data = request.data
        for name in sorted(data.keys()):
            for value in data.getlist(name):
                digest.update(f"{name}=".encode())
                if hasattr(value, "chunks"):
                    digest.update(_file_sha256(value).encode())
                else:
                    digest.update(str(value).encode())
                digest.update(b"\n")
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _file_sha256(upload) -> str:
    file_digest = hashlib.sha256()
    for chunk in upload.chunks():
        file_digest.update(chunk)
    upload.seek(0)
    return file_digest.hexdigest()


def _lease() -> timedelta:
    return timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)


def _claim(platform, key: str, digest: str) -> tuple[IdempotencyKey | None, bool]:
    """Insert the key's row (``True``) or return the live row already there (``False``).

    The existing row is read first: a read never waits behind the first request's
    transaction (SQLite holds one write lock), so a duplicate is told at once. A row past the
    replay window is deleted and the insert tried again; a row whose lease ran out without
    a response is taken over (``_take_over``).
    """
    for _attempt in range(2):
        row = IdempotencyKey.objects.filter(platform=platform, key=key).first()
        if row is not None:
            if row.created_at >= timezone.now() - EXPIRY:
                return _take_over(row, digest)
            IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    platform=platform, key=key, request_fingerprint=digest
                )
                return row, True
        except IntegrityError:
            continue
    return IdempotencyKey.objects.filter(platform=platform, key=key).first(), False


def _take_over(row: IdempotencyKey, digest: str) -> tuple[IdempotencyKey | None, bool]:
    """Claim a row whose request left no response within its lease, or return it as it is.

    The request holding the row keeps it locked while it runs (``_run_once``), so a slow but
    living request is skipped and a dead one's row is free. Re-stamping ``created_at`` under
    the lock makes this request the row's only owner.
    """
    stale = row.response_status is None and row.request_fingerprint == digest
    if not stale or row.created_at >= timezone.now() - _lease():
        return row, False
    with transaction.atomic():
        free = (
            IdempotencyKey.objects.select_for_update(skip_locked=True)
            .filter(pk=row.pk, created_at=row.created_at, response_status__isnull=True)
            .first()
        )
        if free is None:
            return IdempotencyKey.objects.filter(pk=row.pk).first(), False
        free.created_at = timezone.now()
        IdempotencyKey.objects.filter(pk=free.pk).update(created_at=free.created_at)
    return free, True


def _replay(row: IdempotencyKey | None, digest: str) -> Response:
    if row is not None and row.request_fingerprint != digest:
        return error_response(
            409,
            "idempotency_conflict",
            _("This Idempotency-Key was already used with a different request."),
            {HEADER: [_("Use a new key for a new request.")]},
        )
    if row is None or row.response_status is None:
        return error_response(
            409,
            "idempotency_in_progress",
            _("A request with this Idempotency-Key is still being processed; retry later."),
        )
    return Response(row.response_body, status=row.response_status, headers={REPLAYED: "true"})


def idempotency_keys_purge(*, batch_size: int = 1000) -> int:
    """Delete keys past their replay window, a batch at a time so no long lock is held.

    A key that expired is never replayed (``_claim`` frees it), so this only reclaims space.
    """
    cutoff = timezone.now() - EXPIRY
    expired = IdempotencyKey.objects.filter(created_at__lt=cutoff).order_by("pk")
    deleted = 0
    while ids := list(expired.values_list("pk", flat=True)[:batch_size]):
        deleted += IdempotencyKey.objects.filter(pk__in=ids).delete()[0]
        if len(ids) < batch_size:
            break
    return deleted


def idempotent(handler):
    """Decorate an APIView's ``post``: authentication has run, so the platform is known."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_LENGTH:
            raise exceptions.ValidationError(
                {HEADER: [_("Use at most %(n)d characters.") % {"n": MAX_LENGTH}]}
            )
        digest = fingerprint(request)
        row, claimed = _claim(request.auth.platform, key, digest)
        if not claimed:
            return _replay(row, digest)
        return _run_once(row, lambda: handler(view, request, *args, **kwargs), view)

    return wrapper


def _run_once(row: IdempotencyKey, run, view) -> Response:
    """Run the request and store its response in one transaction, the key row locked.

    Work queued with ``on_commit`` runs after the response is stored. A 5xx rolls the
    request back and frees the key.
    """
    owned = IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at)
    with transaction.atomic():
        if owned.select_for_update().first() is None:  # a retry took over the lease
            return _replay(None, row.request_fingerprint)
        try:
            response = run()
        except Exception as exc:
            response = view.handle_exception(exc)
        if response.status_code >= 500:
            transaction.set_rollback(True)
        else:
            body = json.loads(JSONRenderer().render(response.data) or b"null")
            owned.update(response_status=response.status_code, response_body=body)
    if response.status_code >= 500:
        owned.delete()
    return response
