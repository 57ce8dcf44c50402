"""Credit proposals in the console: shown with their evidence on the party page, the dispute
page and their own review page; confirmed or dismissed from any of them, by arbitrators only;
bad input is a 4xx that changes nothing. Cross-platform matching is a platform setting a
superuser turns on."""

import pytest
from django.urls import reverse

from accounts import credit
from accounts.models import CreditEvent, CreditProposal, CreditTier
from accounts.proposals import credit_proposal_make, credit_proposal_review
from tests.factories import UserFactory

from .conftest import page_url

pytestmark = pytest.mark.django_db

Status = CreditProposal.Status
PROPOSALS = "/console/accounts/creditproposal/"


def proposal_url(proposal) -> str:
    return reverse("console:accounts_creditproposal_change", args=[proposal.pk])


def party_url(party) -> str:
    return reverse("console:accounts_party_change", args=[party.pk])


@pytest.fixture
def proposal(buyer, dispute):
    """An image-reuse proposal against the buyer, resting on the dispute's photo."""
    photo = dispute.evidence.get()
    proposal, _created = credit_proposal_make(
        party=buyer,
        kind=CreditEvent.Kind.IMAGE_REUSED,
        source_key=f"image_reused:{photo.pk}",
        basis={"evidence": [photo.pk], "disputes": [dispute.pk]},
        dispute=dispute,
        evidence=photo,
        **credit.reason_of("Your photo (evidence #%(pk)d) was filed before.", pk=photo.pk),
    )
    return proposal


def standing(party):
    party.refresh_from_db()
    return party.credit_score, party.credit_tier, party.credit_events.count()


UNTOUCHED = (100, CreditTier.STANDARD, 0)


def test_the_party_page_shows_the_proposal_with_its_evidence_and_a_form(
    console_client, proposal, buyer, dispute
):
    html = console_client.get(party_url(buyer)).content.decode()
    panel = html.split('data-testid="credit-proposals"')[1].split("</section>")[0]
    assert f"Your photo (evidence #{proposal.evidence_id}) was filed before." in panel
    assert "waiting for an arbitrator" in panel
    basis = panel.split('data-testid="proposal-basis"')[1]
    assert f'data-evidence="{proposal.evidence_id}"' in basis
    assert proposal.evidence.uid.hex[:8] in basis.replace("-", "")  # the photo itself is shown
    assert dispute.reference in basis
    assert f'action="{proposal_url(proposal)}"' in panel
    assert f'name="next" value="{party_url(buyer)}"' in panel
    # it weighs nothing yet: not in the ledger, not among the reasons
    assert 'data-testid="credit-events"' not in html
    assert standing(buyer) == UNTOUCHED


def test_confirming_from_the_party_page_books_it_and_comes_back(
    console_client, proposal, buyer, arbitrator
):
    response = console_client.post(
        proposal_url(proposal),
        {"decision": "confirm", "note": "Copied.", "next": party_url(buyer)},
    )
    assert response.status_code == 302 and response.url == party_url(buyer)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reviewed_by) == (Status.CONFIRMED, arbitrator)
    assert standing(buyer) == (75, CreditTier.WATCH, 1)
    page = console_client.get(party_url(buyer)).content.decode()
    assert "confirmed and booked" in page and "Copied." in page
    assert 'data-testid="proposal-form"' not in page


def test_the_dispute_page_shows_it_and_dismissing_there_books_nothing(
    console_client, proposal, buyer, dispute
):
    html = console_client.get(page_url(dispute)).content.decode()
    panel = html.split('data-testid="credit-proposals"')[1].split("</section>")[0]
    assert "Your photo (evidence #" in panel and 'data-testid="proposal-dismiss"' in panel
    response = console_client.post(
        proposal_url(proposal),
        {"decision": "dismiss", "note": "A public review photo.", "next": page_url(dispute)},
    )
    assert response.status_code == 302 and response.url == page_url(dispute)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.event) == (Status.DISMISSED, None)
    assert standing(buyer) == UNTOUCHED
    timeline = console_client.get(page_url(dispute)).content.decode()
    assert "reviewed a credit proposal" in timeline.split('data-testid="timeline"')[1]


def test_the_queue_lists_pending_proposals_first(console_client, proposal, buyer, arbitrator):
    older, _created = credit_proposal_make(
        party=buyer,
        kind=CreditEvent.Kind.REFUND_ONLY_VELOCITY,
        source_key="velocity:1",
        basis={},
        reason="Three refund-only claims.",
    )
    credit_proposal_review(proposal=older, user=arbitrator, confirm=False)
    response = console_client.get(PROPOSALS)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [proposal, older]
    assert f"Your photo (evidence #{proposal.evidence_id}) was filed before." in (
        response.content.decode()
    )
    index = console_client.get("/console/").content.decode()
    card = index.split('data-testid="pending-proposals"')[1].split("</a>")[0]
    assert '<span class="count">1</span>' in card


@pytest.mark.parametrize(
    "data",
    [{}, {"decision": "book it"}, {"decision": ""}, {"decision": "confirm", "note": "x" * 2001}],
    ids=["nothing", "unknown decision", "empty decision", "note too long"],
)
def test_bad_input_is_a_400_and_changes_nothing(console_client, proposal, buyer, data):
    response = console_client.post(proposal_url(proposal), data)
    assert response.status_code == 400
    assert 'data-testid="proposal-error"' in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Status.PENDING
    assert standing(buyer) == UNTOUCHED


def test_a_second_review_is_refused_and_changes_nothing(console_client, proposal, buyer):
    console_client.post(proposal_url(proposal), {"decision": "dismiss"})
    response = console_client.post(proposal_url(proposal), {"decision": "confirm"})
    assert response.status_code == 400
    assert "already been reviewed" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Status.DISMISSED
    assert standing(buyer) == UNTOUCHED


def test_an_unknown_proposal_is_not_found(console_client):
    response = console_client.post(
        reverse("console:accounts_creditproposal_change", args=[999999]), {"decision": "confirm"}
    )
    assert response.status_code == 302  # the admin's "does not exist" redirect to the index
    assert not CreditEvent.objects.exists()


def test_a_next_page_off_the_site_is_ignored(console_client, proposal):
    response = console_client.post(
        proposal_url(proposal), {"decision": "dismiss", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == proposal_url(proposal)


@pytest.mark.parametrize("who", ["anonymous", "buyer", "staff"])
def test_only_arbitrators_review(client, proposal, buyer, who):
    if who == "buyer":
        client.force_login(buyer.user)
    elif who == "staff":
        client.force_login(UserFactory(is_staff=True))
    for url in (proposal_url(proposal), party_url(buyer)):
        assert client.get(url)["Location"].startswith("/console/login/")
    response = client.post(proposal_url(proposal), {"decision": "confirm"})
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")
    proposal.refresh_from_db()
    assert proposal.status == Status.PENDING
    assert standing(buyer) == UNTOUCHED


# --- the platform setting ---------------------------------------------------------------------


def _platform_form(platform, **changes) -> dict:
    fields = {
        "merchant_response_hours": platform.merchant_response_hours,
        "buyer_response_hours": platform.buyer_response_hours,
        "credit_base": platform.credit_base,
        "credit_half_life_days": platform.credit_half_life_days,
        "credit_trusted_from": platform.credit_trusted_from,
        "credit_watch_below": platform.credit_watch_below,
        "credit_restricted_below": platform.credit_restricted_below,
    }
    return {**fields, **changes}


def test_a_superuser_opts_a_platform_in_to_cross_platform_matches(client, platform):
    assert platform.cross_platform_matches is False
    client.force_login(UserFactory(username="root", is_superuser=True))
    url = reverse("console:accounts_platform_change", args=[platform.pk])
    assert 'name="cross_platform_matches"' in client.get(url).content.decode()
    response = client.post(url, _platform_form(platform, cross_platform_matches="on"))
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.cross_platform_matches is True


def test_an_arbitrator_cannot_opt_a_platform_in(console_client, platform):
    url = reverse("console:accounts_platform_change", args=[platform.pk])
    assert 'name="cross_platform_matches"' not in console_client.get(url).content.decode()
    response = console_client.post(url, _platform_form(platform, cross_platform_matches="on"))
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.cross_platform_matches is False


def test_the_proposal_reads_in_chinese_too(console_client, proposal, buyer):
    console_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    for url in (party_url(buyer), proposal_url(proposal)):
        html = console_client.get(url).content.decode()
        assert "信用提议" in html and "等待仲裁员审核" in html and "确认并记入" in html
