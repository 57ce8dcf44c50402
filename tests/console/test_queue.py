"""The queue: filters by state, platform, age and amount; reference search; bounded queries."""

import pytest

from .conftest import QUEUE

pytestmark = pytest.mark.django_db


def rows(client, query=""):
    response = client.get(f"{QUEUE}?{query}")
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_it_lists_the_queue_columns(console_client, queued):
    dispute = queued(days=3, claimed_yuan=250, risk=0.82)
    body = console_client.get(QUEUE).content.decode()
    for text in (dispute.reference, dispute.order.external_id, "Li Lei", "Good Mugs Store"):
        assert text in body
    assert "¥250.00" in body
    assert "3\xa0" in body  # "3 days" / "3 天" from timesince
    assert ">82<" in body
    assert "Demo Mall" in body


def test_it_puts_disputes_under_review_first_then_by_risk(console_client, queued):
    waiting = queued("awaiting_merchant", risk=0.99)
    low = queued("under_review", risk=0.1)
    high = queued("under_review", risk=0.9)
    assert rows(console_client, "queue=all") == [high, low, waiting]


def test_it_filters_by_state(console_client, queued):
    review = queued("under_review")
    queued("negotiating")
    assert rows(console_client, "state__exact=under_review") == [review]


def test_it_filters_by_platform(console_client, queued, other_platform):
    queued()
    theirs = queued(platform=other_platform)
    assert rows(console_client, f"platform__id__exact={other_platform.pk}") == [theirs]


@pytest.mark.parametrize(
    ("bucket", "expected_days"), [("lt1", 0), ("1to3", 2), ("3to7", 5), ("gt7", 10)]
)
def test_it_filters_by_age(console_client, queued, bucket, expected_days):
    made = {days: queued(days=days) for days in (0, 2, 5, 10)}
    assert rows(console_client, f"age={bucket}") == [made[expected_days]]


@pytest.mark.parametrize(
    ("bucket", "expected_yuan"),
    [("lt100", 99), ("100to500", 100), ("500to2000", 1999), ("gt2000", 2000)],
)
def test_it_filters_by_amount_claimed(console_client, queued, bucket, expected_yuan):
    made = {yuan: queued(claimed_yuan=yuan) for yuan in (99, 100, 1999, 2000)}
    assert rows(console_client, f"amount={bucket}") == [made[expected_yuan]]


def test_it_ignores_an_unknown_bucket(console_client, queued):
    dispute = queued()
    assert rows(console_client, "amount=lots") == [dispute]


@pytest.mark.parametrize("term", ["reference", "number", "order", "buyer"])
def test_it_finds_a_dispute_by_reference_order_or_party(
    console_client, queued, other_platform, term
):
    dispute = queued()
    other = queued(platform=other_platform)
    other.buyer.display_name = "Zhang San"
    other.buyer.save()
    query = {
        "reference": dispute.reference,
        "number": str(dispute.pk),
        "order": dispute.order.external_id,
        "buyer": "Zhang",
    }[term]
    found = rows(console_client, f"q={query}")
    assert (other if term == "buyer" else dispute) in found
    if term != "number":
        assert len(found) == 1


def test_it_reads_the_queue_in_a_bounded_number_of_queries(
    console_client, queued, other_platform, django_assert_max_num_queries
):
    for index in range(4):
        queued(days=index, platform=other_platform if index % 2 else None)
    console_client.get(QUEUE)
    for index in range(20):
        queued(days=index, risk=index / 20, platform=other_platform if index % 2 else None)
    with django_assert_max_num_queries(8):
        response = console_client.get(QUEUE)
    assert len(response.context["cl"].result_list) == 24


def test_the_index_counts_the_work_waiting_by_state(console_client, queued):
    queued("under_review")
    queued("under_review")
    queued("negotiating")
    queued("refunded")
    response = console_client.get("/console/")
    waiting = {state: count for state, _label, count in response.context["waiting"]}
    assert waiting == {"under_review": 2, "awaiting_merchant": 0, "negotiating": 1, "open": 0}
    assert f"{QUEUE}?state__exact=under_review" in response.content.decode()


def test_the_default_queue_is_the_open_work_with_counts(console_client, queued):
    review = queued("under_review")
    queued("awaiting_merchant")
    queued("refunded")
    assert rows(console_client) == [review]
    body = console_client.get(QUEUE).content.decode()
    assert "Open work (1)" in body and "Between the parties (1)" in body and "Finished (1)" in body


def test_finished_disputes_are_behind_a_filter(console_client, queued):
    queued("under_review")
    done = queued("closed")
    assert rows(console_client, "queue=finished") == [done]


def test_a_state_filter_is_not_narrowed_by_the_default(console_client, queued):
    waiting = queued("negotiating")
    assert rows(console_client, "state__exact=negotiating") == [waiting]


def test_the_queue_shows_the_time_left_on_each_review(console_client, queued):
    from datetime import timedelta

    from django.utils import timezone

    queued("under_review", review_due_at=timezone.now() + timedelta(hours=30))
    body = console_client.get(QUEUE).content.decode()
    assert "in 30 h" in body
