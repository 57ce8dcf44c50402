"""Accounts linked by shared images (a ring of buyers passing one photo around) or by a
shared identity across platforms are one group."""

import pytest

from accounts.models import Party
from accounts.selectors import IDENTITY, IMAGE, linked_parties
from arbitration import services
from evidence import forensics
from evidence.models import ForensicReport
from tests.conftest import jpeg_upload
from tests.factories import OrderFactory, PartyFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def buyer_named(platform, name: str) -> Party:
    return PartyFactory(platform=platform, kind=Party.Kind.BUYER, display_name=name)


def claim_with(buyer, merchant, upload):
    order = OrderFactory(buyer=buyer, merchant=merchant)
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="Cracked.",
        files=[upload],
    )
    return dispute.evidence.get()


def copy_of(item, known) -> None:
    """The engine's finding that ``item`` is a near-duplicate of the earlier ``known``."""
    report = ForensicReport.objects.create(
        evidence=item,
        analyzer_version=forensics.ANALYZER_VERSION,
        forgery_score=0.9,
        verdict="edited",
    )
    report.signals.create(
        code="reuse.cross_dispute",
        score=0.85,
        polarity="forgery",
        data={"known_id": str(known.pk), "mirrored": True},
    )


def names(links) -> set[str]:
    return {link.party.display_name for link in links}


def test_a_ring_of_three_buyers_reusing_one_photo_is_linked(platform, merchant, outsider):
    ring = [buyer_named(platform, name) for name in ("Wang", "Zhao", "Qian")]
    for party in ring:
        claim_with(party, merchant, jpeg_upload("stain.jpg", color=(120, 80, 40)))
    claim_with(outsider, merchant, jpeg_upload("mine.jpg", color=(10, 200, 10)))
    for party in ring:
        links = linked_parties(party)
        assert names(links) == {"Wang", "Zhao", "Qian"} - {party.display_name}
        assert all(link.via == {IMAGE} and link.evidence_ids for link in links)
    assert linked_parties(outsider) == []


def test_near_duplicates_link_a_ring_through_its_middle(platform, merchant, outsider):
    first, second, third = (buyer_named(platform, n) for n in ("Sun", "Li", "Zhou"))
    a = claim_with(first, merchant, jpeg_upload(color=(1, 2, 3)))
    b = claim_with(second, merchant, jpeg_upload(color=(4, 5, 6)))
    c = claim_with(third, merchant, jpeg_upload(color=(7, 8, 9)))
    claim_with(outsider, merchant, jpeg_upload(color=(200, 1, 1)))
    copy_of(b, a)  # Li mirrored Sun's photo
    copy_of(c, b)  # Zhou cropped Li's copy
    assert names(linked_parties(first)) == {"Li", "Zhou"}
    assert names(linked_parties(second)) == {"Sun", "Zhou"}
    assert names(linked_parties(third)) == {"Sun", "Li"}
    assert linked_parties(outsider) == []


def test_the_same_photo_on_another_platform_is_not_an_image_link(platform, merchant):
    other = PlatformFactory(name="Other Mall", slug="other-mall")
    here = buyer_named(platform, "Here")
    there = buyer_named(other, "There")
    there_merchant = PartyFactory(platform=other, kind=Party.Kind.MERCHANT)
    claim_with(here, merchant, jpeg_upload(color=(50, 50, 50)))
    claim_with(there, there_merchant, jpeg_upload(color=(50, 50, 50)))
    assert linked_parties(here) == []


def test_one_identity_links_accounts_across_platforms(platform, buyer):
    other = PlatformFactory(name="Other Mall", slug="other-mall")
    Party.objects.filter(pk=buyer.pk).update(identity_hash="h" * 64)
    twin = PartyFactory(platform=other, kind=Party.Kind.BUYER, identity_hash="h" * 64)
    PartyFactory(platform=other, kind=Party.Kind.BUYER, identity_hash="x" * 64)
    buyer.refresh_from_db()
    (link,) = linked_parties(buyer)
    assert link.party == twin
    assert link.via == {IDENTITY}
    assert link.party.platform == other


def test_one_buyer_reusing_their_own_photo_links_nobody(buyer, merchant):
    claim_with(buyer, merchant, jpeg_upload(color=(9, 9, 9)))
    claim_with(buyer, merchant, jpeg_upload(color=(9, 9, 9)))
    assert linked_parties(buyer) == []
