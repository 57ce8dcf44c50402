"""Photos taken with the in-app camera page, and when one counts as captured live.

**The token.** The capture page embeds a token signed with ``django.core.signing`` (its own
salt) naming the dispute, the party, a random nonce and the time it was issued, valid for
``TOKEN_MAX_AGE``. The upload must bring it back. Every shot sent with a valid token is
stored as the party's evidence with ``capture_nonce`` set (unique: a token stores at most one
file, a replay is refused and stores nothing); none is refused for failing the checks below.

**What the server checks** before it sets ``captured_live_at`` (else it records
``capture_problems`` for the arbitrator and the file is ordinary evidence):

- the token is genuine, unexpired, for this dispute and party, unused, and the order has
  been delivered (otherwise the shot is refused);
- the bytes are the page's own encoding (``evidence.forensics.page_capture``): a baseline
  JPEG as canvas encoders write it, with no camera EXIF (make, model, dates, exposure, GPS,
  maker notes, thumbnail), no EXIF date before the token was issued, no XMP, IPTC, comment,
  MPF index or bytes after the end;
- its size is the canvas size the page reported, with the long side at most
  ``CAPTURE_MAX_SIDE``, the bound the page was given;
- it is not stored evidence again: no stored file has the same sha256, and no analysed one
  is a near-duplicate (``evidence.selectors.near_duplicates``), other than the same party's
  live captures in this dispute (several shots of the same damage look alike).

**What it cannot know.** All of the above is what an honest page produces, and anyone who
controls the browser can produce it too: a modified page or browser, or a script that posts
a canvas drawn from an old or generated picture at the right size, passes every check; so
does the camera pointed at a screen or a print showing another photo. Nothing proves that
the scene is the parcel, or that it was photographed at that moment. A live capture
therefore lowers suspicion in the suggestion and counts toward the watch tier's evidence
rule; it never removes a forgery finding, and the forensic analysis runs on it as on any
photo.
"""

import secrets
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Party
from evidence.forensics import fingerprints
from evidence.forensics.page_capture import Problem, page_capture_problems
from evidence.models import Evidence
from evidence.selectors import near_duplicates

from ..errors import DomainError, NotAllowed
from ..models import Dispute
from .disputes import party_add_evidence

SALT = "tianping.capture"
TOKEN_MAX_AGE = timedelta(minutes=10)
# The long side the page may draw (the counterparty copy keeps 2048 too).
CAPTURE_MAX_SIDE = 2048
Problems = Evidence.CaptureProblem


class CaptureRefused(DomainError):
    code = "capture_refused"


class CaptureReplayed(CaptureRefused):
    """The token's photo is already stored: the one-time nonce was used."""

    code = "capture_used"
    status = 409


def capture_token_make(*, dispute: Dispute, party: Party, now=None) -> str:
    """A fresh one-time token for one shot of ``party`` in ``dispute``."""
    issued = int((now or timezone.now()).timestamp())
    return signing.dumps(
        {"d": dispute.pk, "p": party.pk, "n": secrets.token_urlsafe(24), "t": issued}, salt=SALT
    )


def capture_token_read(token: str, *, dispute: Dispute, party: Party) -> tuple[str, datetime]:
    """The nonce and issue time of a valid token for this dispute and party, or a
    ``DomainError``."""
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
    issued = datetime.fromtimestamp(int(data.get("t", 0)), tz=UTC)
    return str(data["n"]), issued


@transaction.atomic
def evidence_capture_add(
    *,
    dispute: Dispute,
    party: Party,
    token: str,
    upload,
    drawn: tuple[int, int] | None = None,
    user=None,
    now=None,
) -> Evidence:
    """Store a shot from the camera page, once per token, after delivery; mark it captured
    live only if it passes the checks above (``drawn``: the canvas size the page reported)."""
    now = now or timezone.now()
    nonce, issued = capture_token_read(token, dispute=dispute, party=party)
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
    problems = capture_problems(item, drawn=drawn, opened_at=issued)
    fields = {"capture_nonce": nonce, "capture_problems": problems}
    if problems:
        fields["caption"] = _("Sent from the camera page")
    else:
        fields["captured_live_at"] = now
    try:
        with transaction.atomic():
            Evidence.objects.filter(pk=item.pk).update(**fields)
    except IntegrityError as exc:  # the same token sent twice at once
        raise CaptureReplayed(_("This photo was already sent. Take a new one.")) from exc
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def capture_problems(
    item: Evidence, *, drawn: tuple[int, int] | None, opened_at: datetime
) -> list[dict]:
    """Why the stored shot ``item`` is not the page's fresh photo, as ``{code, detail}``."""
    with item.original.open("rb") as handle:
        data = handle.read()
    found = page_capture_problems(data, drawn=drawn, max_side=CAPTURE_MAX_SIDE, opened_at=opened_at)
    same = Evidence.objects.filter(sha256=item.sha256).exclude(pk=item.pk).first()
    if same is not None:
        found.append(Problem(Problems.KNOWN_FILE, f"evidence #{same.pk}"))
    else:
        found += _near_duplicates(item, data)
    return [{"code": str(p.code), "detail": p.detail} for p in found]


def _near_duplicates(item: Evidence, data: bytes) -> list[Problem]:
    matches = {m.evidence_id for m in near_duplicates(fingerprints.of_bytes(data))}
    own_live = Evidence.objects.filter(
        dispute_id=item.dispute_id, submitted_by_id=item.submitted_by_id
    ).exclude(captured_live_at=None)
    others = (
        Evidence.objects.filter(pk__in=matches - {item.pk})
        .exclude(pk__in=own_live.values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [Problem(Problems.NEAR_DUPLICATE, f"evidence #{pk}") for pk in others]
