"""``Idempotency-Key`` on POSTs, the pretix way: claim the key, run once, replay the answer.

The first request with a key inserts its row (the unique constraint is the lock) and runs;
its response (any status below 500) is stored. The same key with the same request gets that
response again with ``Idempotent-Replayed: true``; with a different request, or while the
first is still running, 409. Keys are per platform and expire after 24 hours. A 5xx frees
the key so the platform can retry.
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

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


def _claim(platform, key: str, digest: str) -> tuple[IdempotencyKey | None, bool]:
    """Insert the key's row (``True``) or return the live row already there (``False``).

    The insert goes first, so a new key (nearly every POST) costs one statement; only when
    the key is taken is a row past the replay window deleted and the insert tried again.
    """
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    platform=platform, key=key, request_fingerprint=digest
                )
                return row, True
        except IntegrityError:
            expired = IdempotencyKey.objects.filter(
                platform=platform, key=key, created_at__lt=timezone.now() - EXPIRY
            )
            if not expired.delete()[0]:
                break
    return IdempotencyKey.objects.filter(platform=platform, key=key).first(), False


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
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception as exc:
            response = view.handle_exception(exc)
        if response.status_code >= 500:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
        else:
            body = json.loads(JSONRenderer().render(response.data) or b"null")
            IdempotencyKey.objects.filter(pk=row.pk).update(
                response_status=response.status_code, response_body=body
            )
        return response

    return wrapper
