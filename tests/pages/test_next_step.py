"""Every dispute page says who acts next, by when (in a zone people name), what silence
costs — in the words of the expiry rule the deadline sweep applies — and where the dispute
stands on the step bar."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from arbitration import services
from arbitration.models import Dispute
from arbitration.services import deadlines
from arbitration.services.deadlines import CONSEQUENCES, consequence, dispute_expire, expiry_outcome
from arbitration.steps import step_bar
from notifications.timefmt import zone_name

pytestmark = pytest.mark.django_db


def page(client, dispute) -> str:
    return client.get(reverse("dispute", args=[dispute.pk])).content.decode()


def said(html: str) -> str:
    found = re.search(r'data-testid="consequence">([^<]+)<', html)
    return found[1] if found else ""


def test_awaiting_the_merchant_says_the_buyer_is_refunded_by_default(
    dispute, buyer_client, merchant_client, monkeypatch
):
    monkeypatch.setattr(deadlines, "needs_arbitrator", lambda d: False)
    assert expiry_outcome(dispute) == "default_decide"
    assert (
        said(page(buyer_client, dispute))
        == "If the merchant does not answer in time, you are refunded as you claimed."
    )
    assert (
        said(page(merchant_client, dispute))
        == "If you do not answer in time, the buyer is refunded as claimed."
    )


def test_a_claim_that_needs_a_human_says_an_arbitrator_decides(dispute, buyer_client):
    """The fixture's photo is not analysed yet: the deadline would escalate, and says so."""
    assert expiry_outcome(dispute) == "escalate"
    assert (
        said(page(buyer_client, dispute))
        == "If the merchant does not answer in time, an arbitrator decides the dispute."
    )


def test_an_offer_waiting_on_the_buyer_says_the_claim_closes(
    offered, buyer_client, merchant_client
):
    assert (
        said(page(buyer_client, offered)) == "If you do not answer in time, this claim is closed."
    )
    assert (
        said(page(merchant_client, offered))
        == "If the buyer does not answer in time, the claim is closed."
    )


def test_the_words_follow_what_the_sweep_then_does(offered):
    promised = expiry_outcome(offered)
    Dispute.objects.filter(pk=offered.pk).update(deadline_at=timezone.now() - timedelta(minutes=1))
    assert dispute_expire(offered.pk) == promised == "expire"


def test_the_chinese_words_are_the_expiry_rule(offered, buyer_client):
    with translation.override("zh-hans"):
        assert consequence(offered, "buyer") == "逾期未回应，本次申请将关闭。"
        offered.waiting_on = "merchant"
        offered.state = Dispute.State.AWAITING_MERCHANT
        assert consequence(offered, "buyer") in (
            "商家超时未处理，将按您的申请自动退款。",
            "商家逾期未回应，将由平台仲裁员裁决。",
        )


def test_every_outcome_the_rule_can_name_has_words():
    outcomes = {"default_decide", "escalate", "expire"} | set(services.remedies.LAPSE.values())
    assert outcomes == set(CONSEQUENCES)


def test_a_dispute_without_a_deadline_says_nothing_about_silence(dispute):
    dispute.deadline_at = None
    assert consequence(dispute, "buyer") == ""
    dispute.deadline_at, dispute.waiting_on = timezone.now(), "arbitrator"
    assert consequence(dispute, "buyer") == ""


def test_the_zone_has_a_plain_name():
    with translation.override("zh-hans"):
        assert zone_name("Asia/Shanghai") == "北京时间"
        assert zone_name("Europe/Paris") == "Paris时间"
    with translation.override("en"):
        assert zone_name("America/New_York") == "New York time"


def test_the_deadline_names_the_zone_in_chinese(dispute, merchant_client):
    merchant_client.cookies["django_language"] = "zh-hans"
    html = page(merchant_client, dispute)
    assert 'title="Asia/Shanghai">北京时间<' in html


def test_the_step_bar_marks_where_the_dispute_stands(dispute, offered):
    assert [(s.key, s.status) for s in step_bar(offered)] == [
        ("submit", "done"),
        ("merchant", "done"),
        ("negotiate", "current"),
        ("arbitrate", "todo"),
        ("done", "todo"),
    ]
    offered.state = Dispute.State.REFUNDED
    assert {s.status for s in step_bar(offered)} == {"done"}
    offered.state, offered.remedy = Dispute.State.AWAITING_RETURN, Dispute.Remedy.RETURN_AND_REFUND
    assert [s.key for s in step_bar(offered) if s.status == "current"] == ["return"]


def test_the_page_draws_the_step_bar(offered, buyer_client):
    html = page(buyer_client, offered)
    assert 'data-step="negotiate" data-status="current" aria-current="step"' in html
