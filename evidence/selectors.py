"""Reads of evidence: near-duplicate search over stored fingerprints."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from .forensics import fingerprints as fp
from .models import Fingerprint

# Each 16-bit band is probed within this many bit flips. By the pigeonhole principle a hash
# within 4 * (radius + 1) - 1 = 11 bits of the query shares a band within the radius, so the
# index lookup finds every stored pHash or wHash within 11 bits — no table scan.
LOOKUP_RADIUS = 2


@dataclass(frozen=True)
class NearDuplicate:
    evidence_id: int
    fingerprints: fp.Fingerprints
    match: fp.Match


def _band_filter(query: fp.Fingerprints, radius: int) -> Q:
    clauses = []
    for _mirrored, variant in query.variants():
        for algorithm, columns in Fingerprint.BANDED.items():
            for column, band in zip(columns, fp.bands(variant[algorithm]), strict=True):
                clauses.append(Q(**{f"{column}__in": fp.band_probes(band, radius)}))
    return reduce(or_, clauses)


def stored_fingerprints(row) -> fp.Fingerprints:
    return fp.Fingerprints(
        sha256=None,
        phash=fp.from_signed64(row["phash"]),
        dhash=fp.from_signed64(row["dhash"]),
        whash=fp.from_signed64(row["whash"]),
    )


def near_duplicates(
    query: fp.Fingerprints, *, radius: int = LOOKUP_RADIUS, limit: int = 50
) -> list[NearDuplicate]:
    """Stored images that are near-duplicates of ``query`` (or of its mirror image).

    Candidates come from the band indexes; each is then verified with the engine's own
    ``fingerprints.compare`` rule, so the database and the CLI agree on what a match is.
    """
    rows = Fingerprint.objects.filter(_band_filter(query, radius)).values(
        "evidence_id", "phash", "dhash", "whash"
    )
    found = []
    for row in rows:
        stored = stored_fingerprints(row)
        match = fp.compare(query, stored)
        if match is not None:
            found.append(NearDuplicate(row["evidence_id"], stored, match))
    found.sort(key=lambda item: sum(item.match.distances.values()))
    return found[:limit]
