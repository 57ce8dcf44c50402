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
from .models import Evidence, Fingerprint, ForensicReport, Signal


@dataclass(frozen=True)
class NearDuplicate:
    evidence_id: int
    fingerprints: fp.Fingerprints
    match: fp.Match


def _view_keys(views) -> list[list[int]]:
    """Per key column, the distinct keys of all views: 74 views share most of their keys, so
    each index is probed once per distinct key, not once per view."""
    per_view = [fp.lookup_keys(view.hashes, view.variant) for view in views]
    return [sorted(set(column)) for column in zip(*per_view, strict=True)]


def lookup_sql(views, vendor: str) -> tuple[str, list]:
    """The distinct stored rows that share a key with a view: per key column an index probe
    for each distinct key, read from the index alone (it includes the hashes), the union
    de-duplicated. PostgreSQL takes one array per column, so the text is the same for every
    query (24 parameters however many keys); SQLite, which has no arrays, an ``IN`` list."""
    table = Fingerprint._meta.db_table
    keys = _view_keys(views)
    selects, params = [], []
    for column, values in zip(Fingerprint.KEYS, keys, strict=True):
        if vendor == "postgresql":
            test, params = "= ANY(%s::int[])", [*params, values]
        else:
            test, params = f"IN ({', '.join(['%s'] * len(values))})", [*params, *values]
        # Only names from the model go into the text; every key is a parameter.
        selects.append(
            f"SELECT evidence_id, variant, phash, dhash, whash FROM {table} "  # noqa: S608
            f"WHERE {column} {test}"
        )
    return " UNION ".join(selects), params


def _execute_prepared(cursor, sql: str, params: list) -> None:
    """Run ``sql`` as a prepared statement on PostgreSQL.

    Planning the lookup (24 index probes) costs about as much as running it. Connections are
    persistent (``CONN_MAX_AGE``), so the statement is prepared once per connection and
    PostgreSQL soon settles on a generic plan, skipping planning altogether. The keys are
    parameters, so the text is the same for every query; its digest names it. (Behind a
    pooler in transaction mode, set ``NEAR_DUPLICATES_PREPARED=false``.) SQLite caches
    statements itself.
    """
    if connection.vendor != "postgresql" or not settings.NEAR_DUPLICATES_PREPARED:
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
    up to 10 % per side, resized or re-encoded (see `fingerprints` for the aligned views),
    closest first.

    One statement fetches the distinct rows sharing a triple key with any view (index
    probes only; the table is never scanned), then the engine's rule is applied to every
    view against every row found (`fingerprints.closest_matches`, one vectorised pass, the
    same code `fingerprints.compare` runs), so a row that one view's key found may be
    accepted through a closer view, as a full scan would accept it.
    """
    views = query.lookup_views()
    sql, params = lookup_sql(views, connection.vendor)
    with connection.cursor() as cursor:
        _execute_prepared(cursor, sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    evidence_ids, variants, *hashes = zip(*rows, strict=True)
    rows_of: dict[int, list[int]] = {}
    for row, evidence_id in enumerate(evidence_ids):
        rows_of.setdefault(evidence_id, []).append(row)
    found: dict[int, NearDuplicate] = {}
    columns = dict(zip(fp.KINDS, hashes, strict=True))
    for row, match in fp.closest_matches(views, variants, columns):
        evidence_id = evidence_ids[row]
        if evidence_id in found:  # another crop of an image found closer
            continue
        crops = {
            variants[i]: fp.Hashes(*(fp.from_signed64(column[i]) for column in hashes))
            for i in rows_of[evidence_id]
        }
        stored = fp.Fingerprints(None, tuple(crops.get(v) for v in range(len(fp.STORED_CROPS))))
        found[evidence_id] = NearDuplicate(evidence_id, stored, match)
        if len(found) == limit:
            break
    return list(found.values())


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
