"""The party page: score, tier, the score chart, the ledger (reversals struck), linked
accounts, disputes and appeals; for arbitrators only."""

from itertools import pairwise

import pytest
from django.urls import reverse

from accounts.charts import score_chart
from accounts.credit import credit_event_record, credit_event_reverse
from accounts.models import CreditEvent, Party
from accounts.services import credit_appeal_file
from arbitration import services
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory, PartyFactory, UserFactory

from .conftest import page_url

pytestmark = pytest.mark.django_db


def party_url(party) -> str:
    return reverse("console:accounts_party_change", args=[party.pk])


def fabricated(party, dispute, key="test:1", points=None):
    event, _created = credit_event_record(
        party=party,
        kind=CreditEvent.Kind.EVIDENCE_FABRICATED,
        reason="The stain was painted on by an image model.",
        source_key=key,
        dispute=dispute,
        points=points,
    )
    return event


def test_it_shows_score_tier_chart_and_the_ledger(console_client, buyer, dispute, arbitrator):
    fabricated(buyer, dispute)
    struck = fabricated(buyer, dispute, key="test:2", points=-5)
    credit_event_reverse(event=struck, user=arbitrator, note="Duplicate booking.")
    buyer.refresh_from_db()
    response = console_client.get(party_url(buyer))
    assert response.status_code == 200
    html = response.content.decode()
    assert buyer.credit_score == 60
    assert 'data-testid="party-score">60<' in html
    assert "watch" in html.split('data-testid="party-tier"')[1].split("</span>")[0]
    chart = html.split('data-testid="score-chart"')[1].split("</figure>")[0]
    assert "<svg" in chart and "<polyline" in chart
    assert "trusted from 110" in chart and "restricted below 50" in chart
    assert "<script" not in html.split('data-testid="score-chart"')[1].split("</figure>")[0]
    ledger = html.split('data-testid="credit-events"')[1].split("</table>")[0]
    assert "The stain was painted on by an image model." in ledger
    assert f'<tr class="reversed" data-event="{struck.pk}">' in ledger
    assert "<s>-5</s>" in ledger
    assert "Duplicate booking." in ledger
    assert "The stain was painted on" in html.split('data-testid="top-reasons"')[1]


def test_the_chart_draws_a_step_at_each_event(buyer, dispute):
    fabricated(buyer, dispute)
    chart = score_chart(buyer)
    points = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    drops = [b for a, b in pairwise(points) if a[0] == b[0] and b[1] > a[1]]
    assert len(drops) == 1  # the -40: same x, lower on the page (larger y)
    assert [dot[2] for dot in chart.dots][-1] == 60


def test_it_lists_the_party_s_disputes_as_buyer_and_as_merchant(
    console_client, buyer, merchant, dispute
):
    html = console_client.get(party_url(buyer)).content.decode()
    table = html.split('data-testid="party-disputes"')[1].split("</table>")[0]
    assert dispute.reference in table
    assert page_url(dispute) in table
    assert "Good Mugs Store" in table
    assert "awaiting merchant" in table
    merchant_html = console_client.get(party_url(merchant)).content.decode()
    assert dispute.reference in merchant_html.split('data-testid="party-disputes"')[1]


def test_it_groups_accounts_linked_by_one_photo(console_client, platform, buyer, merchant):
    ring = [buyer] + [
        PartyFactory(platform=platform, kind=Party.Kind.BUYER, display_name=name)
        for name in ("Wang", "Zhao")
    ]
    for party in ring:
        order = OrderFactory(buyer=party, merchant=merchant)
        services.dispute_open(
            order=order,
            buyer=party,
            reason="damaged",
            remedy="refund_only",
            description="Stain.",
            files=[jpeg_upload(color=(120, 80, 40))],
        )
    html = console_client.get(party_url(buyer)).content.decode()
    group = html.split('data-testid="linked-accounts"')[1].split("</section>")[0]
    for party in ring[1:]:
        assert party_url(party) in group
        assert party.display_name in group
    assert "shared image" in group


def test_it_shows_the_party_s_appeals(console_client, buyer, dispute):
    event = fabricated(buyer, dispute)
    credit_appeal_file(party=buyer, event=event, statement="I took this photo myself.")
    html = console_client.get(party_url(buyer)).content.decode()
    appeals = html.split('id="appeals"')[1].split("</section>")[0]
    assert "I took this photo myself." in appeals
    assert "pending review" in appeals


def test_the_dispute_page_links_to_both_parties(console_client, dispute, buyer, merchant):
    html = console_client.get(page_url(dispute)).content.decode()
    assert f'href="{party_url(buyer)}" data-testid="buyer-party-link"' in html
    assert f'href="{party_url(merchant)}" data-testid="merchant-party-link"' in html


def test_it_renders_in_chinese(client, arbitrator, buyer, dispute):
    fabricated(buyer, dispute)
    client.force_login(arbitrator)
    response = client.get(party_url(buyer), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_anonymous_visitors_go_to_the_console_login(client, buyer):
    response = client.get(party_url(buyer))
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


@pytest.mark.parametrize("who", ["buyer", "staff"])
def test_a_non_arbitrator_is_turned_away(client, buyer, who):
    user = buyer.user if who == "buyer" else UserFactory(is_staff=True, is_arbitrator=False)
    client.force_login(user)
    response = client.get(party_url(buyer))
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


def test_an_unknown_party_goes_back_to_the_list(console_client):
    response = console_client.get(reverse("console:accounts_party_change", args=[99999]))
    assert response.status_code == 302


def test_the_page_reads_in_a_bounded_number_of_queries(
    console_client, buyer, dispute, django_assert_max_num_queries
):
    for n in range(5):
        fabricated(buyer, dispute, key=f"test:{n}", points=-3)
    console_client.get(party_url(buyer))
    with django_assert_max_num_queries(25):
        console_client.get(party_url(buyer))


def test_an_arbitrator_books_a_manual_adjustment(console_client, buyer, arbitrator):
    response = console_client.post(
        party_url(buyer), {"points": "-12", "reason": "Confirmed by the platform's risk team."}
    )
    assert response.status_code == 302
    event = buyer.credit_events.get()
    assert (event.kind, event.points, event.created_by) == (
        CreditEvent.Kind.ADJUSTMENT,
        -12,
        arbitrator,
    )
    buyer.refresh_from_db()
    assert buyer.credit_score == 88
    assert "Confirmed by the platform" in console_client.get(party_url(buyer)).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"points": "0", "reason": "Nothing."},
        {"points": "500", "reason": "Too much."},
        {"points": "-5", "reason": "   "},
        {"points": "many", "reason": "Not a number."},
    ],
)
def test_a_bad_adjustment_is_refused_and_books_nothing(console_client, buyer, data):
    response = console_client.post(party_url(buyer), data)
    assert response.status_code == 400
    assert 'data-testid="adjust-error"' in response.content.decode()
    assert not buyer.credit_events.exists()


def test_a_non_arbitrator_cannot_adjust(client, buyer):
    client.force_login(UserFactory(is_staff=True, is_arbitrator=False))
    response = client.post(party_url(buyer), {"points": "30", "reason": "Friend."})
    assert response.status_code == 302
    assert not buyer.credit_events.exists()
