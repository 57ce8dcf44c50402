"""Reads of evidence: near-duplicate search over stored fingerprints."""

from dataclasses import dataclass

from django.db.models import Q

from . import forensics
from .forensics import fingerprints as fp
from .hamming import HammingDistance
from .models import Fingerprint, ForensicReport

# Each 16-bit pHash band is probed within this many bit flips. By the pigeonhole principle a
# hash within 4 * (radius + 1) - 1 = 7 bits of the query shares a band within the radius, so
# the lookup finds every stored pHash within 7 bits. Radius 2 (11 bits) would fetch ~8x more
# candidates: 2,192 probes on 16-bit bands reach ~3 % of a large table, which is a scan.
LOOKUP_RADIUS = 1
LOOKUP_BITS = 4 * (LOOKUP_RADIUS + 1) - 1


@dataclass(frozen=True)
class NearDuplicate:
    evidence_id: int
    fingerprints: fp.Fingerprints
    match: fp.Match


def _band_probes(query: fp.Fingerprints, radius: int) -> dict[str, list[int]]:
    """For each band column, the values to look up: the query's band (and its mirror's)
    and every value within ``radius`` bit flips."""
    probes: dict[str, set[int]] = {column: set() for column in Fingerprint.BANDS}
    for _mirrored, variant in query.variants():
        for column, band in zip(Fingerprint.BANDS, fp.bands(variant["phash"]), strict=True):
            probes[column].update(fp.band_probes(band, radius))
    return {column: sorted(values) for column, values in probes.items()}


def _could_match(query: fp.Fingerprints) -> Q:
    """A necessary condition for ``fingerprints.compare`` to accept a row, in SQL.

    compare() accepts when two hash kinds are within their thresholds or one is within
    STRICT_THRESHOLD; any such row has pHash within its threshold, or dHash and wHash both
    within theirs, or dHash or wHash within the strict bound. Rows failing this never reach
    Python; compare() still makes the final call on the rest.
    """
    limit, strict = fp.THRESHOLDS, fp.STRICT_THRESHOLD
    condition = Q()
    for index in range(len(query.variants())):
        d = {kind: f"d{kind[0]}{index}" for kind in ("phash", "dhash", "whash")}
        condition |= (
            Q(**{f"{d['phash']}__lte": limit["phash"]})
            | Q(**{f"{d['dhash']}__lte": limit["dhash"], f"{d['whash']}__lte": limit["whash"]})
            | Q(**{f"{d['dhash']}__lte": strict})
            | Q(**{f"{d['whash']}__lte": strict})
        )
    return condition


def _distances(query: fp.Fingerprints) -> dict:
    return {
        f"d{kind[0]}{index}": HammingDistance(kind, variant[kind])
        for index, (_mirrored, variant) in enumerate(query.variants())
        for kind in ("phash", "dhash", "whash")
    }


def near_duplicates(
    query: fp.Fingerprints, *, radius: int = LOOKUP_RADIUS, limit: int = 50
) -> list[NearDuplicate]:
    """Stored images that are near-duplicates of ``query`` (or of its mirror image).

    Candidates come from the band indexes; each is then verified with the engine's own
    ``fingerprints.compare`` rule, so the database and the CLI agree on what a match is.
    """
    distances, could_match = _distances(query), _could_match(query)
    # One index-only scan per band (the band indexes include every column read here),
    # glued with UNION ALL; OR-ing the bands instead makes PostgreSQL visit the heap.
    per_band = [
        Fingerprint.objects.filter(**{f"{column}__in": values})
        .alias(**distances)
        .filter(could_match)
        .values_list("evidence_id", "phash", "dhash", "whash")
        for column, values in _band_probes(query, radius).items()
    ]
    rows = {row[0]: row for row in per_band[0].union(*per_band[1:], all=True)}.values()
    found = []
    for evidence_id, *hashes in rows:
        stored = fp.Fingerprints(None, *(fp.from_signed64(value) for value in hashes))
        match = fp.compare(query, stored)
        if match is not None:
            found.append(NearDuplicate(evidence_id, stored, match))
    found.sort(key=lambda item: sum(item.match.distances.values()))
    return found[:limit]


def current_reports(evidence_ids) -> dict[int, ForensicReport]:
    """The current analyzer version's report of each evidence id, signals prefetched."""
    reports = ForensicReport.objects.filter(
        evidence_id__in=list(evidence_ids), analyzer_version=forensics.ANALYZER_VERSION
    ).prefetch_related("signals")
    return {report.evidence_id: report for report in reports}
