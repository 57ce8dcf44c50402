"""Credit tiers with consequences in the service layer (``services/credit_rules.py``)."""

import io
import random
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.credit import credit_event_record
from accounts.models import CreditEvent, CreditTier
from arbitration import lifecycle, services
from arbitration.errors import DomainError
from arbitration.models import Decision, Dispute, DisputeEvent, Offer, Refund
from arbitration.services import credit_rules
from evidence import analysis
from evidence.models import Evidence
from tests.conftest import jpeg_upload
from tests.fixtures import uploads, videos

# Points that move a party from the default base (100) into each tier (defaults 110/80/50).
TIER_POINTS = {CreditTier.TRUSTED: 20, CreditTier.WATCH: -30, CreditTier.RESTRICTED: -60}


def put_in_tier(party, tier):
    credit_event_record(
        party=party,
        kind=CreditEvent.Kind.ADJUSTMENT,
        reason="test",
        source_key=f"test:{tier}",
        points=TIER_POINTS[tier],
    )
    party.refresh_from_db()
    assert party.credit_tier == tier


def angle_photo(seed: int, *, name=None, quality=90, size=(640, 480)):
    """A photo-like JPEG: a smooth random scene, different for every seed."""
    rng = random.Random(seed)
    grid = Image.new("RGB", (8, 6))
    grid.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(48)])
    img = grid.resize(size, Image.BICUBIC)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return SimpleUploadedFile(name or f"angle{seed}.jpg", buf.getvalue(), "image/jpeg")


def claim(order, buyer, files=None, **kwargs):
    fields = {
        "order": order,
        "buyer": buyer,
        "reason": "damaged",
        "remedy": "refund_only",
        "description": "Cracked.",
        "files": [jpeg_upload()] if files is None else files,
    }
    return services.dispute_open(**{**fields, **kwargs})


def actions(dispute):
    return list(DisputeEvent.objects.filter(dispute=dispute).values_list("action", flat=True))


# --- opening records the tiers -------------------------------------------------------------


def test_a_standard_claim_records_the_tier_and_needs_no_review(order, buyer):
    dispute = claim(order, buyer)

    assert dispute.buyer_tier == CreditTier.STANDARD
    assert not dispute.review_required
    assert dispute.review_reason == ""
    assert dispute.state == Dispute.State.AWAITING_MERCHANT


def test_a_merchant_in_watch_puts_its_disputes_under_review(order, buyer, merchant):
    put_in_tier(merchant, CreditTier.WATCH)

    dispute = claim(order, buyer)

    assert dispute.review_required
    assert "merchant" in dispute.review_reason


# --- trusted: fast refund ------------------------------------------------------------------


def test_a_trusted_buyers_small_claim_is_refunded_without_waiting(
    order, buyer, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    put_in_tier(buyer, CreditTier.TRUSTED)
    order.platform.fast_refund_cap_fen = 10000
    order.platform.save()

    with django_capture_on_commit_callbacks(execute=True):
        dispute = claim(order, buyer)

    dispute.refresh_from_db()
    decision = Decision.objects.get(dispute=dispute)
    assert decision.source == Decision.Source.FAST_REFUND
    assert decision.outcome == Decision.Outcome.FULL_REFUND
    assert decision.amount_fen == 10000
    assert Refund.objects.get(dispute=dispute).status == Refund.Status.SUCCEEDED
    assert dispute.state == Dispute.State.REFUNDED
    assert actions(dispute)[:5] == ["opened", "evidence_added", "submit", "fast_refund", "decision"]


def test_a_fast_refund_of_part_of_the_price_is_a_partial_refund(order, buyer):
    put_in_tier(buyer, CreditTier.TRUSTED)

    dispute = claim(order, buyer, claimed_amount_fen=3000, remedy="partial_refund")

    decision = Decision.objects.get(dispute=dispute)
    assert (decision.outcome, decision.amount_fen) == (Decision.Outcome.PARTIAL_REFUND, 3000)
    assert decision.source == Decision.Source.FAST_REFUND


def test_a_trusted_claim_above_the_cap_waits_for_the_merchant(order, buyer):
    put_in_tier(buyer, CreditTier.TRUSTED)  # default cap 5000 fen; the order is 10000

    dispute = claim(order, buyer)

    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert not Decision.objects.filter(dispute=dispute).exists()


def test_a_trusted_claim_for_a_return_is_not_fast_refunded(order, buyer):
    put_in_tier(buyer, CreditTier.TRUSTED)

    dispute = claim(order, buyer, remedy="return_and_refund", claimed_amount_fen=3000)

    assert dispute.state == Dispute.State.AWAITING_MERCHANT


def test_a_standard_buyers_small_claim_is_not_fast_refunded(order, buyer):
    dispute = claim(order, buyer, claimed_amount_fen=1000, remedy="partial_refund")

    assert dispute.state == Dispute.State.AWAITING_MERCHANT


# --- watch: more evidence, always reviewed --------------------------------------------------


def test_a_watch_claim_with_one_photo_is_refused_and_stores_nothing(order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)

    with pytest.raises(DomainError) as caught:
        claim(order, buyer, files=[angle_photo(1)])

    assert caught.value.code == "more_evidence_needed"
    assert caught.value.field == "files"
    assert "3 different angles" in caught.value.message
    assert "add 2 more" in caught.value.message
    assert not Dispute.objects.exists()
    assert not Evidence.objects.exists()


def test_three_copies_of_one_photo_are_one_angle(order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)
    copies = [
        angle_photo(1),
        angle_photo(1, quality=60, name="again.jpg"),
        angle_photo(1, size=(512, 384), name="smaller.jpg"),
    ]

    with pytest.raises(DomainError) as caught:
        claim(order, buyer, files=copies)

    assert "show 1 distinct" in caught.value.message


def test_a_watch_claim_with_three_angles_goes_through_under_review(order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)

    dispute = claim(order, buyer, files=[angle_photo(1), angle_photo(2), angle_photo(3)])

    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert dispute.buyer_tier == CreditTier.WATCH
    assert dispute.review_required
    assert "buyer's credit tier is watch" in dispute.review_reason


def test_a_watch_claims_video_counts_once_analysed_without_a_forgery_finding(order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)
    video = SimpleUploadedFile("clip.mp4", uploads.mp4(), "video/mp4")
    with pytest.raises(DomainError) as refused:
        claim(order, buyer, files=[video])
    assert refused.value.code == "video_not_analysed"
    assert "Save the claim now" in refused.value.message

    video.seek(0)
    draft = claim(order, buyer, files=[video], submit=False)
    with pytest.raises(DomainError) as waiting:
        services.dispute_submit(dispute=draft, party=buyer)
    assert waiting.value.code == "video_not_analysed"
    analysis.analyze_evidence(draft.evidence.get().pk)
    dispute = services.dispute_submit(dispute=draft, party=buyer)

    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert dispute.review_required


def test_a_watch_claims_video_with_a_forgery_finding_does_not_count(order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)
    labelled = videos.with_boxes(videos.clip(), moov=videos.mdta_meta({"AIGC": videos.aigc("1")}))
    draft = claim(
        order, buyer, files=[SimpleUploadedFile("clip.mp4", labelled, "video/mp4")], submit=False
    )
    report = analysis.analyze_evidence(draft.evidence.get().pk)
    assert report.verdict == "ai_generated"
    with pytest.raises(DomainError) as refused:
        services.dispute_submit(dispute=draft, party=buyer)
    assert refused.value.code == "more_evidence_needed"


def test_a_watch_claim_of_a_parcel_never_received_needs_no_photos_but_a_review(order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)

    dispute = claim(order, buyer, files=[], reason="not_received")

    assert dispute.state == Dispute.State.AWAITING_MERCHANT
    assert dispute.review_required


def test_a_watch_draft_is_sent_once_a_live_capture_is_added(order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)
    dispute = claim(order, buyer, files=[angle_photo(1)], submit=False)
    assert dispute.state == Dispute.State.OPEN
    assert dispute.waiting_on == Dispute.Side.BUYER

    with pytest.raises(DomainError):
        services.dispute_submit(dispute=dispute, party=buyer)

    Evidence.objects.filter(dispute=dispute).update(
        captured_live_at=timezone.now(), capture_nonce="n1"
    )
    services.dispute_submit(dispute=dispute, party=buyer)

    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.AWAITING_MERCHANT


def test_only_the_buyer_sends_a_draft(order, buyer, merchant):
    dispute = claim(order, buyer, submit=False)

    with pytest.raises(DomainError):
        services.dispute_submit(dispute=dispute, party=merchant)


def test_a_merchant_silent_on_a_watch_claim_sends_it_to_an_arbitrator(order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)
    dispute = claim(order, buyer, files=[angle_photo(1), angle_photo(2), angle_photo(3)])
    # the photos are analysed and clean: only the tier asks for a human
    Evidence.objects.filter(dispute=dispute).update(analysis=Evidence.Analysis.DONE)

    assert services.dispute_expire(dispute.pk, now=dispute.deadline_at + timedelta(seconds=1)) == (
        "escalate"
    )
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.UNDER_REVIEW
    assert not Decision.objects.filter(dispute=dispute).exists()


# --- restricted: no refund only, every step reviewed ----------------------------------------


def test_a_restricted_buyer_cannot_ask_for_a_refund_only(order, buyer):
    put_in_tier(buyer, CreditTier.RESTRICTED)

    with pytest.raises(DomainError) as caught:
        claim(order, buyer, remedy="refund_only")

    assert caught.value.code == "remedy_not_allowed"
    assert caught.value.field == "remedy"
    assert "return and refund" in caught.value.message
    assert not Dispute.objects.exists()


def test_a_restricted_buyer_cannot_ask_for_a_partial_refund_either(order, buyer):
    put_in_tier(buyer, CreditTier.RESTRICTED)

    with pytest.raises(DomainError):
        claim(order, buyer, remedy="partial_refund", claimed_amount_fen=2000)


def test_a_restricted_buyers_return_claim_is_opened_under_review(order, buyer):
    put_in_tier(buyer, CreditTier.RESTRICTED)

    dispute = claim(order, buyer, remedy="return_and_refund")

    assert dispute.review_required
    assert dispute.buyer_tier == CreditTier.RESTRICTED
    assert credit_rules.allowed_remedies(CreditTier.RESTRICTED) == ["return_and_refund"]


def test_a_merchant_accepting_a_restricted_claim_sends_it_for_confirmation(order, buyer, merchant):
    put_in_tier(buyer, CreditTier.RESTRICTED)
    dispute = claim(order, buyer, remedy="return_and_refund")

    services.merchant_accept_claim(dispute=dispute, party=merchant)

    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.UNDER_REVIEW
    assert dispute.waiting_on == Dispute.Side.ARBITRATOR
    assert not Decision.objects.filter(dispute=dispute).exists()
    event = DisputeEvent.objects.filter(dispute=dispute).latest("pk")
    assert event.action == "accept_claim_for_review"
    assert event.payload["outcome"] == "return_and_refund"


def test_an_accepted_offer_under_review_waits_for_the_arbitrator(
    order, buyer, merchant, arbitrator
):
    put_in_tier(merchant, CreditTier.RESTRICTED)
    dispute = claim(order, buyer)
    services.offer_make(dispute=dispute, party=merchant, amount_fen=4000)

    assert services.offer_accept(dispute=dispute, party=buyer) is None

    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.UNDER_REVIEW
    assert Offer.objects.get(dispute=dispute).status == Offer.Status.ACCEPTED
    event = DisputeEvent.objects.filter(dispute=dispute).latest("pk")
    assert (event.action, event.payload["amount_fen"]) == ("accept_offer_for_review", 4000)
    decision = services.dispute_decide(
        dispute=dispute,
        user=arbitrator,
        outcome="partial_refund",
        amount_fen=4000,
        reasoning="Confirming what the parties agreed.",
    )
    assert decision.amount_fen == 4000


def test_without_review_an_accepted_offer_settles_at_once(order, buyer, merchant):
    dispute = claim(order, buyer)
    services.offer_make(dispute=dispute, party=merchant, amount_fen=4000)

    decision = services.offer_accept(dispute=dispute, party=buyer)

    assert decision.source == Decision.Source.AGREEMENT


def test_the_review_transitions_are_in_the_state_machine():
    assert lifecycle.TRANSITIONS["fast_refund"].target == Dispute.State.DECIDED
    assert lifecycle.TRANSITIONS["accept_offer_for_review"].target == Dispute.State.UNDER_REVIEW
    assert lifecycle.TRANSITIONS["accept_claim_for_review"].target == Dispute.State.UNDER_REVIEW


# --- the open-form notice -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "words"),
    [
        (CreditTier.TRUSTED, "refunded as soon as you send it"),
        (CreditTier.WATCH, "at least 3 different angles"),
        (CreditTier.RESTRICTED, "only ask for a return and refund"),
    ],
)
def test_the_notice_says_what_applies(order, buyer, tier, words):
    put_in_tier(buyer, tier)

    assert words in credit_rules.open_notice(buyer, order)["text"]


def test_a_standard_buyer_gets_no_notice(order, buyer):
    assert credit_rules.open_notice(buyer, order) is None


# --- the API goes through the same rules ----------------------------------------------------


@pytest.fixture
def api(platform):
    from rest_framework.test import APIClient

    from accounts.services import api_key_create

    _key, plaintext = api_key_create(platform=platform, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def api_body(order, **changes):
    body = {
        "order": order.external_id,
        "reason": "damaged",
        "remedy": "refund_only",
        "description": "The cup arrived cracked.",
        "files": [angle_photo(1)],
    }
    return {**body, **changes}


def test_the_api_refuses_a_refund_only_claim_of_a_restricted_buyer(api, order, buyer):
    put_in_tier(buyer, CreditTier.RESTRICTED)

    response = api.post("/api/v1/disputes", api_body(order), format="multipart")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "remedy_not_allowed"
    assert "remedy" in error["details"]
    assert not Dispute.objects.exists()


def test_the_api_asks_a_watch_buyer_for_more_angles(api, order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)

    response = api.post("/api/v1/disputes", api_body(order), format="multipart")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "more_evidence_needed"
    assert "files" in error["details"]
    assert not Evidence.objects.exists()


def test_the_api_opens_a_watch_claim_with_three_angles_under_review(api, order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)
    files = [angle_photo(1), angle_photo(2), angle_photo(3)]

    response = api.post("/api/v1/disputes", api_body(order, files=files), format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert (body["buyer_tier"], body["review_required"]) == ("watch", True)
    assert body["review_reason"] == "buyer's credit tier is watch"
    assert Dispute.objects.get(pk=body["id"]).review_required


# --- the claim page -------------------------------------------------------------------------


@pytest.fixture
def buyer_page(buyer):
    from django.conf import settings as django_settings
    from django.test import Client

    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(buyer.user)
    return client


def test_the_claim_page_tells_a_watch_buyer_the_requirement_first(buyer_page, order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)

    body = buyer_page.get(f"/orders/{order.pk}/dispute/").content.decode()

    assert 'data-testid="tier-notice"' in body
    assert "at least 3 different angles" in body
    assert body.index("tier-notice") < body.index("dispute-form")
    assert 'data-testid="dispute-capture"' in body


def test_the_claim_page_offers_a_restricted_buyer_no_refund_only(buyer_page, order, buyer):
    put_in_tier(buyer, CreditTier.RESTRICTED)

    body = buyer_page.get(f"/orders/{order.pk}/dispute/").content.decode()

    assert 'value="refund_only"' not in body
    assert 'value="return_and_refund"' in body
    assert "only ask for a return and refund" in body


def test_a_refund_only_post_of_a_restricted_buyer_is_refused_clearly(buyer_page, order, buyer):
    put_in_tier(buyer, CreditTier.RESTRICTED)

    response = buyer_page.post(
        f"/orders/{order.pk}/dispute/",
        {"reason": "damaged", "remedy": "refund_only", "description": "x", "files": angle_photo(1)},
    )

    assert response.status_code == 400
    assert "you can only ask for: return and refund" in response.content.decode()
    assert not Dispute.objects.exists()


def test_a_watch_claim_with_one_photo_is_sent_back_asking_for_more_angles(buyer_page, order, buyer):
    put_in_tier(buyer, CreditTier.WATCH)

    response = buyer_page.post(
        f"/orders/{order.pk}/dispute/",
        {"reason": "damaged", "remedy": "refund_only", "description": "x", "files": angle_photo(1)},
    )

    assert response.status_code == 400
    assert "add 2 more from other angles" in response.content.decode()
    assert not Dispute.objects.exists()


def test_the_dispute_page_shows_a_fast_refund_plainly(buyer_page, order, buyer, merchant):
    put_in_tier(buyer, CreditTier.TRUSTED)
    dispute = claim(order, buyer, claimed_amount_fen=3000, remedy="partial_refund")

    body = buyer_page.get(f"/disputes/{dispute.pk}/").content.decode()
    assert 'data-testid="fast-refund"' in body
    assert "without waiting for the merchant" in body

    from django.conf import settings as django_settings
    from django.test import Client

    merchant_page = Client()
    merchant_page.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    merchant_page.force_login(merchant.user)
    body = merchant_page.get(f"/disputes/{dispute.pk}/").content.decode()
    assert "report the buyer" in body


def test_the_other_side_hears_of_an_agreement_sent_for_review(
    order, buyer, merchant, settings, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    settings.CELERY_TASK_ALWAYS_EAGER = True
    put_in_tier(buyer, CreditTier.RESTRICTED)
    dispute = claim(order, buyer, remedy="return_and_refund")

    with django_capture_on_commit_callbacks(execute=True):
        services.merchant_accept_claim(dispute=dispute, party=merchant)

    assert Notification.objects.filter(
        recipient=buyer, dispute=dispute, kind=Notification.Kind.ESCALATED
    ).exists()
