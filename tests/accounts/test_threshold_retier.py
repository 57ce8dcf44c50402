"""Changing a platform's credit settings re-tiers all its parties, events or not, and each tier
change is announced as usual; only a superuser changes them, and a bad set changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import credit
from accounts.models import CreditEvent, CreditTier, Platform
from accounts.services import platform_credit_settings_update
from arbitration.errors import DomainError, NotAllowed
from tests.factories import PartyFactory, PlatformFactory, UserFactory
from webhooks.models import EventType, WebhookEvent


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, is_arbitrator=True)


@pytest.fixture
def denied(merchant):
    """The merchant lost a claim: 92 points, standard."""
    credit.credit_event_record(
        party=merchant, kind=CreditEvent.Kind.CLAIM_DENIED, reason="x", source_key="d:1"
    )
    merchant.refresh_from_db()
    assert (merchant.credit_score, merchant.credit_tier) == (92, CreditTier.STANDARD)
    return merchant


def tiers(*parties):
    for party in parties:
        party.refresh_from_db()
    return [(p.credit_score, p.credit_tier) for p in parties]


def changes():
    rows = WebhookEvent.objects.filter(type=EventType.CREDIT_TIER_CHANGED).order_by("pk")
    return [(r.payload["party"]["external_id"], r.payload["tier"]) for r in rows]


def test_new_thresholds_re_tier_every_party_of_the_platform(
    admin_user, platform, buyer, denied, django_capture_on_commit_callbacks
):
    elsewhere = PartyFactory(platform=PlatformFactory(slug="other-mall"))
    received = []

    def listener(sender, **kwargs):
        received.append((kwargs["party"].pk, kwargs["old_tier"], kwargs["new_tier"]))

    credit.credit_tier_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            moved = platform_credit_settings_update(
                platform=platform, user=admin_user, credit_trusted_from=100, credit_watch_below=95
            )
    finally:
        credit.credit_tier_changed.disconnect(listener)

    assert moved == 2
    # the buyer never had an event: the base alone now reaches trusted
    assert tiers(buyer, denied) == [(100, CreditTier.TRUSTED), (92, CreditTier.WATCH)]
    assert buyer.credit_scored_at is not None
    assert sorted(received) == sorted(
        [(buyer.pk, "standard", "trusted"), (denied.pk, "standard", "watch")]
    )
    assert sorted(changes()) == sorted(
        [(buyer.external_id, "trusted"), (denied.external_id, "watch")]
    )
    elsewhere.refresh_from_db()
    assert elsewhere.credit_scored_at is None  # another platform's party is left alone


def test_a_new_base_moves_scores_too(admin_user, platform, buyer, denied):
    platform_credit_settings_update(platform=platform, user=admin_user, credit_base=70)
    assert tiers(buyer, denied) == [(70, CreditTier.WATCH), (62, CreditTier.WATCH)]
    platform.refresh_from_db()
    assert platform.credit_base == 70


def test_bad_settings_change_nothing(admin_user, platform, buyer):
    with pytest.raises(DomainError) as caught:
        platform_credit_settings_update(
            platform=platform, user=admin_user, credit_watch_below=200
        )  # above trusted
    assert caught.value.code == "invalid_credit_settings"
    with pytest.raises(DomainError):
        platform_credit_settings_update(platform=platform, user=admin_user, name="Renamed")
    with pytest.raises(NotAllowed):
        platform_credit_settings_update(
            platform=platform, user=UserFactory(is_arbitrator=True), credit_base=0
        )
    platform.refresh_from_db()
    assert (platform.credit_watch_below, platform.credit_base, platform.name) == (
        80,
        100,
        "Demo Mall",
    )
    assert tiers(buyer) == [(100, CreditTier.STANDARD)]


def form_data(platform, **changes):
    data = {
        "merchant_response_hours": platform.merchant_response_hours,
        "buyer_response_hours": platform.buyer_response_hours,
        "credit_base": platform.credit_base,
        "credit_half_life_days": platform.credit_half_life_days,
        "credit_trusted_from": platform.credit_trusted_from,
        "credit_watch_below": platform.credit_watch_below,
        "credit_restricted_below": platform.credit_restricted_below,
    }
    return {**data, **changes}


def console(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_superuser_changes_thresholds_in_the_console_and_parties_move(
    admin_user, platform, buyer, denied
):
    url = reverse("console:accounts_platform_change", args=[platform.pk])
    response = console(admin_user).post(
        url, form_data(platform, credit_watch_below=95), follow=True
    )
    assert response.status_code == 200
    assert "1 party changed tier" in response.content.decode()
    assert tiers(buyer, denied) == [(100, CreditTier.STANDARD), (92, CreditTier.WATCH)]


def test_the_console_refuses_disordered_thresholds(admin_user, platform, denied):
    url = reverse("console:accounts_platform_change", args=[platform.pk])
    response = console(admin_user).post(url, form_data(platform, credit_restricted_below=99))
    assert response.status_code == 200  # the form again, with the error
    assert Platform.objects.get(pk=platform.pk).credit_restricted_below == 50
    assert tiers(denied) == [(92, CreditTier.STANDARD)]


def test_an_arbitrator_sees_but_cannot_change_credit_settings(arbitrator, platform, denied):
    url = reverse("console:accounts_platform_change", args=[platform.pk])
    response = console(arbitrator).post(url, form_data(platform, credit_watch_below=95))
    assert response.status_code == 302  # the deadline windows saved; the credit field ignored
    assert Platform.objects.get(pk=platform.pk).credit_watch_below == 80
    assert tiers(denied) == [(92, CreditTier.STANDARD)]
