"""A video's analysis in the console and on the parties' pages, shown like a photo's: the
verdict, the signals with their times in the clip, a strip of the analysed keyframes and a
player for the arbitrator; the short plain explanation for the party who sent it."""

import io

import pytest
from PIL import Image

from evidence import analysis
from evidence.models import Evidence
from evidence.services import evidence_add
from tests.evidence.test_pipeline import product_photo, upload
from tests.evidence.test_video_pipeline import _claim, clip_of
from tests.pages.conftest import client_for

from .conftest import page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def video_claim(order, merchant, buyer):
    """A buyer's clip that shows the order's listing photo, analysed."""
    listing = product_photo(seed=31)
    (listed,) = evidence_add(order=order, party=merchant, files=[upload(listing)], role="listing")
    analysis.analyze_evidence(listed.pk)
    item = _claim(buyer, clip_of(Image.open(io.BytesIO(listing)).convert("RGB")), order=order)
    analysis.analyze_evidence(item.pk)
    return item


def test_the_arbitrator_sees_keyframes_signal_times_and_a_player(console_client, video_claim):
    body = console_client.get(page_url(video_claim.dispute)).content.decode()
    assert 'data-testid="player"' in body
    assert 'data-testid="keyframes"' in body
    keyframe = f"/evidence/{video_claim.uid}/keyframe/0"
    assert keyframe in body
    assert "The video shows the merchant&#x27;s own listing photo." in body
    assert "in the clip at 0:00.0" in body
    assert "not analysed" not in body
    response = console_client.get(keyframe)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8")
    assert console_client.get(f"/evidence/{video_claim.uid}/keyframe/9").status_code == 404


def test_the_parties_never_get_the_keyframes(video_claim, buyer, merchant):
    for party in (buyer, merchant):
        response = client_for(party.user).get(f"/evidence/{video_claim.uid}/keyframe/0")
        assert response.status_code == 404


def test_the_buyer_is_told_in_plain_words_about_their_own_video(video_claim, buyer):
    video_claim.refresh_from_db()
    assert video_claim.analysis == Evidence.Analysis.DONE
    page = client_for(buyer.user).get(f"/disputes/{video_claim.dispute_id}/").content.decode()
    assert "This video shows a picture or footage already on file." in page
    assert "The video shows the merchant&#x27;s own listing photo." in page
