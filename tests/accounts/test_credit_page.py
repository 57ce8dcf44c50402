"""A party's own credit page: score, tier and what it means, reasons, history and appeals."""

import pytest
from django.urls import reverse

from accounts import credit
from accounts.models import CreditAppeal, CreditEvent

Kind = CreditEvent.Kind
PAGE = "/accounts/credit/"


@pytest.fixture
def watched(buyer, dispute):
    """A buyer in the watch tier because of evidence found fabricated in ``dispute``."""
    event, _ = credit.credit_event_record(
        party=buyer,
        kind=Kind.EVIDENCE_FABRICATED,
        reason="The crack was painted on the listing photo.",
        source_key="decision:1:evidence:1",
        dispute=dispute,
    )
    return event


@pytest.fixture
def as_buyer(client, buyer):
    client.force_login(buyer.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_buyer_sees_score_tier_meaning_reasons_and_history(as_buyer, watched, dispute):
    body = as_buyer.get(PAGE).content.decode()
    assert 'data-testid="credit-score"' in body and ">60<" in body
    assert 'data-testid="credit-tier">watch<' in body
    assert "at least 3 different angles" in body
    assert "The crack was painted on the listing photo." in body
    assert f'data-testid="credit-event-{watched.pk}"' in body
    assert dispute.reference in body
    assert f'data-testid="appeal-form-{watched.pk}"' in body
    assert 'data-testid="nav-credit"' in body


def test_a_merchant_reads_what_its_tier_means_for_its_store(client, merchant):
    credit.credit_event_record(
        party=merchant, kind=Kind.LISTING_AI, reason="AI listing", source_key="listing_ai:x"
    )
    credit.credit_event_record(
        party=merchant, kind=Kind.NOT_AS_DESCRIBED_LOST, reason="lost", source_key="decision:2"
    )
    client.force_login(merchant.user)
    body = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="credit-tier">watch<' in body
    assert "An arbitrator reviews every dispute with your store" in body


def test_nobody_sees_another_partys_record(client, outsider, watched):
    client.force_login(outsider.user)
    body = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "painted" not in body and f"credit-event-{watched.pk}" not in body


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_appeal_without_javascript_goes_back_to_the_page(as_buyer, watched):
    url = reverse("credit_appeal", args=[watched.pk])
    response = as_buyer.post(url, {"statement": "I have the camera original."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"{PAGE}#event-{watched.pk}")
    appeal = CreditAppeal.objects.get()
    assert (appeal.event, appeal.statement) == (watched, "I have the camera original.")
    body = as_buyer.get(PAGE).content.decode()
    assert "Appeal waiting for an arbitrator" in body
    assert f'data-testid="appeal-form-{watched.pk}"' not in body  # once per entry


def test_an_appeal_with_htmx_answers_with_the_entry(as_buyer, watched):
    url = reverse("credit_appeal", args=[watched.pk])
    response = as_buyer.post(url, {"statement": "Original attached."}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="card credit-event" id="event-{watched.pk}"')
    assert "Your appeal was sent" in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


@pytest.mark.parametrize("htmx", [True, False])
def test_an_empty_statement_is_refused_and_files_nothing(as_buyer, watched, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = reverse("credit_appeal", args=[watched.pk])
    response = as_buyer.post(url, {"statement": "   "}, **headers)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not CreditAppeal.objects.exists()


def test_a_second_appeal_is_refused_with_the_reason(as_buyer, watched):
    url = reverse("credit_appeal", args=[watched.pk])
    as_buyer.post(url, {"statement": "first"})
    response = as_buyer.post(url, {"statement": "again"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "already waiting for an arbitrator" in response.content.decode()
    assert CreditAppeal.objects.count() == 1


def test_appealing_someone_elses_entry_is_a_404(client, outsider, watched):
    client.force_login(outsider.user)
    response = client.post(reverse("credit_appeal", args=[watched.pk]), {"statement": "x"})
    assert response.status_code == 404
    assert not CreditAppeal.objects.exists()


def test_the_page_reads_in_a_fixed_number_of_queries(
    as_buyer, buyer, watched, django_assert_max_num_queries
):
    for i in range(6):
        credit.credit_event_record(
            party=buyer, kind=Kind.CLAIM_UPHELD, reason="won", source_key=f"decision:{10 + i}"
        )
    with django_assert_max_num_queries(16):
        assert as_buyer.get(PAGE).status_code == 200
