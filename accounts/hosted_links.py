"""Signed, expiring links that open a dispute's browser page for one of its two parties.

A platform hands them to its buyer and merchant (by SMS, in its app) so they reach the hosted
page without a Tianping password. A link names the dispute and the party, is signed with
``SECRET_KEY`` under its own salt and lives ``HOSTED_LINK_MAX_AGE`` seconds. Opening it logs
the browser in as that party's user (a passwordless one is made on first use), and never as
anyone who could see more than that party's own disputes on that platform.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration.errors import DomainError
from arbitration.models import Dispute

from .models import Party, User

SALT = "tianping.hosted-link"


class InvalidLink(DomainError):
    code = "invalid_link"
    status = 400


class ExpiredLink(InvalidLink):
    code = "expired_link"
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


def hosted_link_url(*, dispute: Dispute, party: Party) -> str:
    """The absolute link for one party of the dispute (``SITE_URL`` is what parties reach)."""
    token = _signer().sign_object({"d": dispute.pk, "p": party.pk})
    path = reverse("hosted_link", kwargs={"pk": dispute.pk, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def hosted_links_make(*, dispute: Dispute) -> HostedLinks:
    """Fresh links for both parties; they stay valid at least until ``expires_at``."""
    issued = timezone.now().replace(microsecond=0)
    return HostedLinks(
        buyer=hosted_link_url(dispute=dispute, party=dispute.buyer),
        merchant=hosted_link_url(dispute=dispute, party=dispute.merchant),
        expires_at=issued + timedelta(seconds=settings.HOSTED_LINK_MAX_AGE),
    )


def _party_of(token: str, dispute_pk: int) -> Party:
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
    dispute = Dispute.objects.select_related("buyer", "merchant").filter(pk=dispute_pk).first()
    if dispute is None or payload.get("p") not in (dispute.buyer_id, dispute.merchant_id):
        raise InvalidLink(_("This link is not valid. Check that it was copied whole."))
    return dispute.buyer if payload["p"] == dispute.buyer_id else dispute.merchant


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
def hosted_link_open(*, token: str, dispute_pk: int) -> User:
    """The user to log in for this link, made passwordless for the party on first use.

    Raises ``InvalidLink`` (tampered, another dispute's), ``ExpiredLink`` or ``LinkRefused``;
    nothing is changed then.
    """
    party = _party_of(token, dispute_pk)
    party = Party.objects.select_for_update(of=("self",)).select_related("user").get(pk=party.pk)
    if party.user is None:
        user = User(username=f"{party.kind}-{party.pk}-{secrets.token_hex(4)}")
        user.first_name = party.display_name[:150]
        user.set_unusable_password()
        user.save()
        party.user = user
        party.save(update_fields=["user"])
    _check_enterable(party, party.user)
    return party.user
