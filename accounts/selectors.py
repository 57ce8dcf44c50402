"""Reads about parties: who is linked to whom, for the arbitrator's party page."""

from dataclasses import dataclass, field

from django.db.models import Q

from .models import Party, Platform

IMAGE, IDENTITY = "image", "identity"
CROSS_DISPUTE = "reuse.cross_dispute"
MAX_GROUP = 50  # a ring larger than this is shown cut off; the arbitrator has seen enough


@dataclass
class Link:
    """Another account in a party's group, how it was reached and the images in common."""

    party: Party
    via: set[str] = field(default_factory=set)
    evidence_ids: set[int] = field(default_factory=set)

    @property
    def by_image(self) -> bool:
        return IMAGE in self.via

    @property
    def by_identity(self) -> bool:
        return IDENTITY in self.via


def matching_platform_ids(platform_id: int) -> set[int]:
    """The platforms whose evidence may be compared with ``platform_id``'s: itself, and, if it
    opted in to cross-platform matches, every other platform that opted in too. Both must
    agree: a buyer on one platform is never judged by uploads through another that did not."""
    shared = set(Platform.objects.filter(cross_platform_matches=True).values_list("pk", flat=True))
    return shared if platform_id in shared else {platform_id}


def _image_edges(party_ids: set[int], platform_id: int) -> dict[int, set[int]]:
    """Buyer accounts on the platform whose evidence shares an image with ``party_ids``'
    evidence: the same file (sha256), or a near-duplicate the forensic engine matched
    (``reuse.cross_dispute`` points from the later copy to the earlier one, both ways here)."""
    from evidence.models import Evidence, Signal

    buyer_evidence = Evidence.objects.filter(
        role=Evidence.Role.BUYER, order__platform_id=platform_id
    )
    own = list(buyer_evidence.filter(submitted_by_id__in=party_ids).values_list("pk", "sha256"))
    if not own:
        return {}
    own_ids = [pk for pk, _sha in own]
    pointed_to = {
        str(known)
        for known in Signal.objects.filter(
            report__evidence_id__in=own_ids, code=CROSS_DISPUTE
        ).values_list("data__known_id", flat=True)
        if known is not None
    }
    pointing_here = Signal.objects.filter(
        code=CROSS_DISPUTE, data__known_id__in=[str(pk) for pk in own_ids]
    ).values("report__evidence_id")
    others = (
        buyer_evidence.filter(
            Q(sha256__in={sha for _pk, sha in own})
            | Q(pk__in=[int(k) for k in pointed_to if k.isdigit()])
            | Q(pk__in=pointing_here)
        )
        .exclude(submitted_by_id__in=party_ids)
        .values_list("submitted_by_id", "pk")
    )
    edges: dict[int, set[int]] = {}
    for party_id, evidence_id in others:
        edges.setdefault(party_id, set()).add(evidence_id)
    return edges


def _identity_edges(party_ids: set[int]) -> set[int]:
    hashes = set(
        Party.objects.filter(pk__in=party_ids)
        .exclude(identity_hash="")
        .values_list("identity_hash", flat=True)
    )
    if not hashes:
        return set()
    return set(
        Party.objects.filter(identity_hash__in=hashes)
        .exclude(pk__in=party_ids)
        .values_list("pk", flat=True)
    )


def linked_parties(party: Party) -> list[Link]:
    """The accounts linked to ``party``, directly or through each other (a ring of buyers
    passing one photo around is one group): buyers on its platform who filed the same or a
    near-duplicate image, and accounts on any platform with the same identity hash.

    Walks the links breadth-first, a few queries per step, up to ``MAX_GROUP`` accounts.
    """
    links: dict[int, Link] = {}
    seen, frontier = {party.pk}, {party.pk}
    while frontier and len(seen) < MAX_GROUP:
        found: dict[int, Link] = {}
        for other, evidence_ids in _image_edges(frontier, party.platform_id).items():
            link = found.setdefault(other, Link(party=None))
            link.via.add(IMAGE)
            link.evidence_ids |= evidence_ids
        for other in _identity_edges(frontier):
            found.setdefault(other, Link(party=None)).via.add(IDENTITY)
        for other, link in found.items():
            if other in links:
                links[other].via |= link.via
                links[other].evidence_ids |= link.evidence_ids
            elif other not in seen:
                links[other] = link
        frontier = set(found) - seen
        seen |= frontier
    parties = Party.objects.select_related("platform").in_bulk(list(links)[: MAX_GROUP - 1])
    result = []
    for pk, party_row in parties.items():
        links[pk].party = party_row
        result.append(links[pk])
    return sorted(result, key=lambda link: (link.party.platform_id, link.party.display_name))
