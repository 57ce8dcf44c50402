"""Signed, expiring, revocable links that open one dispute's pages for one of its parties.

A platform hands them to its buyer and merchant (by SMS, in its app) so they reach the hosted
page without a Tianping password. A link names a ``HostedLink`` row (the dispute and the
party), is signed with ``SECRET_KEY`` under its own salt and lives ``HOSTED_LINK_MAX_AGE``
seconds. Opening it logs the browser in as that party's user (a passwordless one is made on
first use), never as anyone who could see more than that party's own disputes on that
platform, and the session it opens reaches that dispute's pages only
(``arbitration.middleware.HostedLinkScope``).

A link dies early when a new one is minted for the same party and dispute, when the
party's links are revoked (``hosted_links_revoke``, from the API or the console), or when
the account's password changes; the sessions it opened end with it.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from arbitration.errors import DomainError
from arbitration.models import Dispute

from .models import HostedLink, Party, User

SALT = "tianping.hosted-link"


class InvalidLink(DomainError):
    code = "invalid_link"
    status = 400


class ExpiredLink(InvalidLink):
    code = "expired_link"
    status = 410


class RevokedLink(InvalidLink):
    """Revoked, replaced by a newer link, or minted before the password changed."""

    code = "revoked_link"
    status = 410


class LinkRefused(InvalidLink):
    """A genuine link whose party's account must not be entered this way."""

    code = "link_refused"
    status = 403


@dataclass(frozen=True)
class HostedLinks:
    buyer: str
    merchant: str
    expires_at: datetime


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def _password_marker(user: User | None) -> str:
    """Changes whenever the account's password does; empty for an account with none."""
    if user is None or not user.has_usable_password():
        return ""
    return salted_hmac(SALT, user.password).hexdigest()


def hosted_link_url(*, dispute: Dispute, party: Party, expires_at: datetime) -> str:
    """A new link for one party of the dispute, ending that party's earlier links to it
    (``SITE_URL`` is what parties reach)."""
    now = timezone.now()
    HostedLink.objects.filter(party=party, dispute=dispute, revoked_at__isnull=True).update(
        revoked_at=now
    )
    link = HostedLink.objects.create(
        party=party,
        dispute=dispute,
        nonce=secrets.token_hex(16),
        password_marker=_password_marker(party.user),
        expires_at=expires_at,
    )
    token = _signer().sign_object({"d": dispute.pk, "l": link.pk, "n": link.nonce})
    path = reverse("hosted_link", kwargs={"pk": dispute.pk, "token": token})
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def hosted_links_make(*, dispute: Dispute) -> HostedLinks:
    """Fresh links for both parties; they stay valid until ``expires_at`` unless revoked."""
    issued = timezone.now().replace(microsecond=0)
    expires_at = issued + timedelta(seconds=settings.HOSTED_LINK_MAX_AGE)
    return HostedLinks(
        buyer=hosted_link_url(dispute=dispute, party=dispute.buyer, expires_at=expires_at),
        merchant=hosted_link_url(dispute=dispute, party=dispute.merchant, expires_at=expires_at),
        expires_at=expires_at,
    )


def hosted_links_revoke(*, party: Party, dispute: Dispute | None = None) -> int:
    """End the party's live links (to ``dispute`` only, if given) and the sessions they
    opened; how many links there were."""
    live = HostedLink.objects.filter(party=party, revoked_at__isnull=True)
    if dispute is not None:
        live = live.filter(dispute=dispute)
    return live.update(revoked_at=timezone.now())


def _link_of(token: str, dispute_pk: int) -> HostedLink:
    try:
        payload = _signer().unsign_object(token, max_age=settings.HOSTED_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ExpiredLink(
            _("This link has expired. Ask the shop or platform for a new one.")
        ) from error
    except (signing.BadSignature, ValueError) as error:
        raise InvalidLink(_("This link is not valid. Check that it was copied whole.")) from error
    if not isinstance(payload, dict) or payload.get("d") != dispute_pk:
        raise InvalidLink(_("This link is not valid. Check that it was copied whole."))
    link = (
        HostedLink.objects.select_related("party__user")
        .filter(pk=payload.get("l"), dispute_id=dispute_pk)
        .first()
    )
    if link is None or not secrets.compare_digest(link.nonce, str(payload.get("n", ""))):
        raise InvalidLink(_("This link is not valid. Check that it was copied whole."))
    return link


def hosted_link_live(link_id) -> bool:
    """Whether the link (and the session it opened) still stands: not revoked or expired,
    and the account's password unchanged since it was minted."""
    link = HostedLink.objects.select_related("party__user").filter(pk=link_id).first()
    return link is not None and _still_valid(link)


def _still_valid(link: HostedLink) -> bool:
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        return False
    return link.password_marker == _password_marker(link.party.user)


def _check_enterable(party: Party, user: User) -> None:
    """A link opens one party's pages: staff, arbitrators and accounts that span other
    platforms or both sides of the dispute log in with their password instead."""
    refused = _("This link cannot open this account. Please log in with your password.")
    if not user.is_active or user.is_staff or user.is_superuser or user.is_arbitrator:
        raise LinkRefused(refused)
    other = Party.objects.filter(user=user).exclude(platform_id=party.platform_id)
    if other.exists():
        raise LinkRefused(refused)
    kinds = set(Party.objects.filter(user=user).values_list("kind", flat=True))
    if kinds - {party.kind}:
        raise LinkRefused(refused)


@transaction.atomic
def hosted_link_open(*, token: str, dispute_pk: int) -> tuple[User, HostedLink]:
    """The user to log in for this link (made passwordless for the party on first use) and
    the link, which the session keeps so that revoking it ends the session too.

    Raises ``InvalidLink`` (tampered, another dispute's, revoked, the password changed),
    ``ExpiredLink`` or ``LinkRefused``; nothing is changed then.
    """
    link = _link_of(token, dispute_pk)
    if link.revoked_at is None and link.expires_at <= timezone.now():
        raise ExpiredLink(_("This link has expired. Ask the shop or platform for a new one."))
    if not _still_valid(link):
        raise RevokedLink(
            _("This link is no longer valid. Ask the shop or platform for a new one.")
        )
    party = (
        Party.objects.select_for_update(of=("self",)).select_related("user").get(pk=link.party_id)
    )
    if party.user is None:
        user = User(username=f"{party.kind}-{party.pk}-{secrets.token_hex(4)}")
        user.first_name = party.display_name[:150]
        user.set_unusable_password()
        user.save()
        party.user = user
        party.save(update_fields=["user"])
    _check_enterable(party, party.user)
    return party.user, link
