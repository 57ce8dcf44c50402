"""Photos captured live with the in-app camera: a one-time server nonce per shot.

The capture page embeds a token signed with ``django.core.signing`` (its own salt) naming the
dispute, the party and a random nonce, valid for ``TOKEN_MAX_AGE``. The upload must bring it
back: the photo is stored as the party's evidence with ``capture_nonce`` set to the nonce
(unique, so a token stores at most one photo: a replay is refused and stores nothing) and
``captured_live_at`` set to now — never before the order was delivered. A live capture counts
for authenticity in the findings and toward the watch tier's evidence rule.
"""

import secrets
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Party
from evidence.models import Evidence

from ..errors import DomainError, NotAllowed
from ..models import Dispute
from .disputes import party_add_evidence

SALT = "tianping.capture"
TOKEN_MAX_AGE = timedelta(minutes=10)


class CaptureRefused(DomainError):
    code = "capture_refused"


class CaptureReplayed(CaptureRefused):
    """The token's photo is already stored: the one-time nonce was used."""

    code = "capture_used"
    status = 409


def capture_token_make(*, dispute: Dispute, party: Party) -> str:
    """A fresh one-time token for one shot of ``party`` in ``dispute``."""
    return signing.dumps(
        {"d": dispute.pk, "p": party.pk, "n": secrets.token_urlsafe(24)}, salt=SALT
    )


def capture_token_read(token: str, *, dispute: Dispute, party: Party) -> str:
    """The nonce of a valid token for this dispute and party, or a ``DomainError``."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise CaptureRefused(
            _("The camera page has expired. Reload it and take the photo again."),
            code="capture_expired",
        ) from exc
    except signing.BadSignature as exc:
        raise CaptureRefused(
            _("This photo was not taken with the in-app camera."), code="capture_invalid"
        ) from exc
    if data.get("d") != dispute.pk or data.get("p") != party.pk:
        raise NotAllowed(_("This camera page belongs to another dispute or person."))
    return str(data["n"])


@transaction.atomic
def evidence_capture_add(
    *, dispute: Dispute, party: Party, token: str, upload, user=None, now=None
) -> Evidence:
    """Store a photo taken with the in-app camera, once per token, after delivery."""
    now = now or timezone.now()
    nonce = capture_token_read(token, dispute=dispute, party=party)
    delivered_at = dispute.order.delivered_at
    if delivered_at is not None and now < delivered_at:
        raise CaptureRefused(
            _("The order has not been delivered yet: photos can be taken after delivery."),
            code="capture_before_delivery",
        )
    if Evidence.objects.filter(capture_nonce=nonce).exists():
        raise CaptureReplayed(_("This photo was already sent. Take a new one."))
    if upload is None:
        raise DomainError(_("Take a photo first."), field="photo")
    items = party_add_evidence(
        dispute=dispute, party=party, files=[upload], caption=_("Captured live"), user=user
    )
    item = items[0]
    if item.kind != Evidence.Kind.IMAGE:
        raise CaptureRefused(_("The in-app camera takes photos only."), code="capture_not_photo")
    try:
        with transaction.atomic():
            Evidence.objects.filter(pk=item.pk).update(captured_live_at=now, capture_nonce=nonce)
    except IntegrityError as exc:  # the same token sent twice at once
        raise CaptureReplayed(_("This photo was already sent. Take a new one.")) from exc
    item.captured_live_at, item.capture_nonce = now, nonce
    return item
