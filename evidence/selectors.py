"""Reads of evidence: near-duplicate search over stored fingerprints."""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import FilteredRelation, Q

from arbitration.prepared import Prepared

from . import forensics
from .forensics import fingerprints as fp
from .hamming import hamming_sql
from .models import Evidence, Fingerprint, ForensicReport, Signal

# Every view of the query is looked up by the exact value of each of its twelve bands (four
# each of pHash, dHash and wHash): a stored crop within 3 bits of a view on any hash shares a
# band with it (pigeonhole), and in practice nearly every true copy shares one with one of
# its neighbouring views. Probing neighbouring band values too (radius 1) would find every
# pHash within 7 bits but cost 17 times the index lookups.


@dataclass(frozen=True)
class NearDuplicate:
    evidence_id: int
    fingerprints: fp.Fingerprints
    match: fp.Match


def _rule_sql(vendor: str) -> str:
    """`fingerprints.accepts` in SQL, for the row ``f`` against the view ``q``, behind the
    cheaper `fingerprints.screen` that nearly every candidate row fails. (Neither database
    shares a distance computed twice in one expression, so the screen's three distances
    are what most rows cost.)"""
    d = {kind: hamming_sql(vendor, f"f.{kind}", f"q.{kind[0]}h") for kind in fp.KINDS}
    screen = " OR ".join(f"{d[kind]} <= {bound}" for kind, bound in fp.screen())
    within = " + ".join(
        f"CASE WHEN {d[kind]} <= {fp.THRESHOLDS[kind]} THEN 1 ELSE 0 END" for kind in fp.KINDS
    )
    strict = " OR ".join(f"{d[kind]} <= {fp.STRICT_THRESHOLD}" for kind in fp.KINDS)
    return f"({screen}) AND (({within}) >= {fp.MIN_AGREEING} OR {strict})"


def _views_sql(views, vendor: str) -> tuple[str, list]:
    """The views as a relation ``q`` with one row per view: its index, its band keys and its
    hashes. PostgreSQL gets one array per column (sixteen parameters, whatever the number
    of views: binding a thousand scalars cost more than the lookup's index probes); SQLite,
    which has no arrays, a VALUES list."""
    columns = ["vi", *Fingerprint.BANDS, "ph", "dh", "wh"]
    types = ["int"] * (1 + len(Fingerprint.BANDS)) + ["bigint"] * len(fp.KINDS)
    rows = [
        (
            index,
            *fp.band_keys(view.hashes, view.variant),
            *(fp.to_signed64(getattr(view.hashes, kind)) for kind in fp.KINDS),
        )
        for index, view in enumerate(views)
    ]
    names = ", ".join(columns)
    if vendor == "postgresql":
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        columns_of_rows = [list(column) for column in zip(*rows, strict=True)]
        return f"q ({names}) AS (SELECT * FROM unnest({arrays}))", columns_of_rows  # noqa: S608
    values = ", ".join(f"({', '.join(['%s'] * len(types))})" for _ in rows)
    return f"q ({names}) AS (VALUES {values})", [v for row in rows for v in row]


def lookup_sql(views, vendor: str) -> tuple[str, list]:
    """The lookup statement for ``views``: per band column, the views joined with the
    fingerprint rows that share that band (an index lookup each), the rule applied to them."""
    values, params = _views_sql(views, vendor)
    rule = _rule_sql(vendor)
    table = Fingerprint._meta.db_table
    # Only names from the model and the engine's constants go into the text; every value
    # is a parameter.
    selects = [
        f"SELECT q.vi, f.evidence_id, f.phash, f.dhash, f.whash FROM q "  # noqa: S608
        f"JOIN {table} f ON f.{band} = q.{band} WHERE {rule}"
        for band in Fingerprint.BANDS
    ]
    return f"WITH {values} " + " UNION ALL ".join(selects), params


def _execute_prepared(cursor, sql: str, params: list) -> None:
    """Run ``sql`` as a prepared statement on PostgreSQL.

    Planning the lookup (twelve joins) costs more than running it. Connections are
    persistent (``CONN_MAX_AGE``), so the statement is prepared once per connection and
    PostgreSQL soon settles on a generic plan, skipping planning altogether. The views are
    parameters, so the text is the same for every query; its digest names it. (Behind a
    pooler in transaction mode, set ``NEAR_DUPLICATES_PREPARED = False``.) SQLite caches
    statements itself.
    """
    if connection.vendor != "postgresql" or not getattr(settings, "NEAR_DUPLICATES_PREPARED", True):
        cursor.execute(sql, params)
        return
    name = f"tp_near_duplicates_{hashlib.blake2s(sql.encode(), digest_size=6).hexdigest()}"
    raw = connection.connection
    prepared = raw.__dict__.setdefault("tianping_prepared", set())
    if name not in prepared:
        numbered = iter(range(1, len(params) + 1))
        text = re.sub(r"%s", lambda _: f"${next(numbered)}", sql)
        cursor.execute(f"PREPARE {name} AS {text}")
        prepared.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


def near_duplicates(query: fp.Fingerprints, *, limit: int = 50) -> list[NearDuplicate]:
    """Stored images that are near-duplicates of ``query`` (or of its mirror image), cropped
    up to 10 % per side, resized or re-encoded (see `fingerprints` for the aligned views).

    One statement: per band column, a nested loop of index lookups (``f.<band> = q.<band>``
    for every view) with the engine's rule applied to the rows found, so only matches leave
    the database and the table is never scanned. Matches are verified again with
    ``fingerprints.compare`` so the database and the CLI agree on what a match is.
    """
    views = query.lookup_views()
    sql, params = lookup_sql(views, connection.vendor)
    with connection.cursor() as cursor:
        _execute_prepared(cursor, sql, params)
        rows = cursor.fetchall()
    hits: dict[int, dict] = {}
    for view_index, evidence_id, *hashes in rows:
        view = views[view_index]
        entry = hits.setdefault(evidence_id, {"views": set(), "stored": {}})
        entry["views"].add(view_index)
        entry["stored"][view.variant] = fp.Hashes(*(fp.from_signed64(v) for v in hashes))
    found = []
    for evidence_id, entry in hits.items():
        crops = entry["stored"]
        stored = fp.Fingerprints(None, tuple(crops.get(v) for v in range(len(fp.STORED_CROPS))))
        match = fp.compare(query, stored, [views[i] for i in sorted(entry["views"])])
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


_SIDES = (Evidence.Role.BUYER, Evidence.Role.MERCHANT)
_FILES = Prepared(
    lambda dispute: (
        Evidence.objects.filter(dispute_id=dispute, role__in=_SIDES)
        .annotate(
            current=FilteredRelation(
                "reports", condition=Q(reports__analyzer_version=forensics.ANALYZER_VERSION)
            )
        )
        .order_by()
        .values_list("role", "analysis", "current__verdict", "current__forgery_score")
    ),
    "dispute",
)
_FORGERY_CODES = Prepared(
    lambda dispute: (
        Signal.objects.filter(
            report__evidence__dispute_id=dispute,
            report__evidence__role__in=_SIDES,
            report__analyzer_version=forensics.ANALYZER_VERSION,
            polarity=Signal.Polarity.FORGERY,
        )
        .values_list("report__evidence__role", "code")
        .distinct()
        .order_by("report__evidence__role", "code")
    ),
    "dispute",
)


def findings_summary(dispute_id: int) -> dict:
    """What the forensic analysis found in a dispute's evidence, per side: how many files,
    where their analysis stands, the current reports' verdicts and highest forgery score, and
    the distinct forgery signal codes. The API's dispute body carries it, so a platform
    sees at a glance whether the photos are in doubt without fetching every report.

    Two reads, whatever the number of files (each file with its current report, if any;
    then the current reports' forgery signal codes), compiled once per connection: the API
    answers every dispute read with this."""
    out = {
        side.value: {
            "evidence": 0,
            "analysis": {status.value: 0 for status in Evidence.Analysis},
            "verdicts": {verdict.value: 0 for verdict in ForensicReport.Verdict},
            "highest_forgery_score": None,
            "signals": [],
        }
        for side in _SIDES
    }
    for role, analysis, verdict, score in _FILES.rows(dispute=dispute_id):
        side = out[role]
        side["evidence"] += 1
        side["analysis"][analysis] += 1
        if verdict is not None:
            side["verdicts"][verdict] += 1
            highest = max(score, side["highest_forgery_score"] or 0.0)
            side["highest_forgery_score"] = round(float(highest), 3)
    for role, code in _FORGERY_CODES.rows(dispute=dispute_id):
        out[role]["signals"].append(code)
    return out
