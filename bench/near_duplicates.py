"""Near-duplicate lookup among N stored images: banded index lookup vs. a full scan.

Usage (PostgreSQL is what the target is about):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        python bench/near_duplicates.py [--rows 1000000] [--queries 200] [--database NAME]

It creates its own database (``--database``, default ``tianping_bench``; dropped and
recreated each run), migrates it, COPYs the fingerprints of N images (one row per stored
crop) into the real ``evidence_fingerprint`` table: random ones plus those of planted
photos. It then queries with edited copies of the planted photos (resized,
re-encoded, EXIF changed, mirrored; uncropped, cropped up to 3 % and up to 10 % per side)
through the production ``evidence.selectors.near_duplicates``, and with unrelated photos to
count false positives. Two scans are the baseline: the same rule over every row for all the
lookup's views (what the index saves: the same answer without it), and for the uncropped
view and its mirror only (two of the 74 views), a lower bound for any scan. It prints p50/p95
latency, their ratios, recall, and the plan's node types.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from PIL import Image, ImageDraw, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bench_database_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _photo(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    base = rng.normal(128, 45, (24, 32, 3)).clip(0, 255).astype("uint8")
    img = Image.fromarray(base).resize((640, 480), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(4):
        x, y = rng.integers(0, 560), rng.integers(0, 400)
        draw.ellipse((x, y, x + 80, y + 80), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return img


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _edited(img: Image.Image, rng: random.Random, max_crop: float) -> Image.Image:
    """What an abuser does to a reused photo: crop, resize, maybe mirror, re-encode with
    other EXIF."""
    w, h = img.size
    box = (
        int(w * rng.uniform(0, max_crop)),
        int(h * rng.uniform(0, max_crop)),
        int(w * (1 - rng.uniform(0, max_crop))),
        int(h * (1 - rng.uniform(0, max_crop))),
    )
    scale = rng.uniform(0.5, 1.2)
    out = img.crop(box)
    out = out.resize((int(out.width * scale), int(out.height * scale)))
    if rng.random() < 0.3:
        out = ImageOps.mirror(out)
    exif = Image.Exif()
    exif[0x0132] = f"2026:0{rng.randint(1, 9)}:1{rng.randint(0, 9)} 10:00:00"  # DateTime
    exif[0x0131] = rng.choice(["Snapseed 2.0", "Meitu 9.1", "V14.0.6.0"])  # Software
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=rng.choice([60, 75, 90]), exif=exif)
    return Image.open(io.BytesIO(buf.getvalue()))


def _timed(fn, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def _load(connection, rows: int, planted: list, rng: random.Random) -> float:
    """COPY the stored crops of ``rows`` images (the planted ones first) with the indexes
    dropped, then rebuild them and VACUUM ANALYZE, as a long-lived table would be."""
    from evidence.forensics import fingerprints as fp
    from evidence.models import Fingerprint

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'evidence_fingerprint'"
            " AND indexname LIKE 'fp_%%' AND indexname <> 'fp_evidence_variant'"
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    columns = "evidence_id, variant, phash, dhash, whash, " + ", ".join(Fingerprint.BANDS)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cur,
        cur.copy(f"COPY evidence_fingerprint ({columns}) FROM STDIN") as copy,
    ):
        for i in range(rows):
            if i < len(planted):
                crops = planted[i].stored
            else:
                crops = [
                    fp.Hashes(*(rng.getrandbits(64) for _ in fp.KINDS)) for _ in fp.STORED_CROPS
                ]
            for variant, h in enumerate(crops):
                copy.write_row(
                    (
                        i + 1,
                        variant,
                        *(fp.to_signed64(getattr(h, kind)) for kind in fp.KINDS),
                        *fp.band_keys(h, variant),
                    )
                )
    with connection.cursor() as cur:
        for _, definition in indexes:
            cur.execute(definition)
        # Autovacuum would do this in production: it sets the visibility map that lets the
        # band lookups be index-only scans.
        cur.execute("VACUUM ANALYZE evidence_fingerprint")
    return time.perf_counter() - started


def _stored_shape(url: str) -> tuple[int, int] | None:
    """(stored images, planted photos) of an earlier run's database, or None."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT count(*) FROM evidence_fingerprint").fetchone()[0]
            return rows, conn.execute("SELECT planted FROM bench_shape").fetchone()[0]
    except psycopg.Error:
        return None


def _prepare(connection, rows: int, planted: list) -> float:
    """Migrate the fresh database, drop the foreign keys and load the rows."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'evidence_fingerprint'::regclass"
            " AND contype = 'f'"
        )
        for (name,) in cur.fetchall():
            # Rows here stand alone: the lookup reads only this table.
            cur.execute(f'ALTER TABLE evidence_fingerprint DROP CONSTRAINT "{name}"')
        cur.execute("CREATE TABLE bench_shape AS SELECT %s AS planted", [len(planted)])
    return _load(connection, rows, planted, random.Random(20261122))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="stored images")
    parser.add_argument("--queries", type=int, default=500, help="planted photos")
    parser.add_argument("--scan-queries", type=int, default=10, help="per row, 2-view scan")
    parser.add_argument(
        "--full-scan-queries", type=int, default=3, help="per row, scan with every view"
    )
    parser.add_argument("--database", default="tianping_bench")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of an earlier run with the same --rows and --queries (the"
        " stored side is unchanged; only query-side changes are measured)",
    )
    args = parser.parse_args()

    url = _bench_database_url(args.database)
    if not (args.reuse and _stored_shape(url) == (args.rows, args.queries)):
        args.reuse = False
        _recreate_database(url, args.database)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arbitration.settings")
    import django

    django.setup()
    from django.db import connection

    from evidence.forensics import fingerprints as fp
    from evidence.selectors import _rule_sql, _views_sql, lookup_sql, near_duplicates

    planted = [_photo(seed) for seed in range(args.queries)]
    planted_fps = [fp.compute(img, views=False) for img in planted]
    load_s = 0.0 if args.reuse else _prepare(connection, args.rows, planted_fps)
    rng = random.Random(20261123)  # the edits; the same queries whether reused or not

    def scan(q, every_view: bool):
        """The rule over every row, for all the lookup's views or for the uncropped view and
        its mirror only."""
        views = q.lookup_views()
        if not every_view:
            views = [v for v in views if v.box == fp.centred(fp.STORED_CROPS[v.variant])]
        values, params = _views_sql(views, "postgresql")
        sql = (
            f"WITH {values} SELECT f.evidence_id FROM evidence_fingerprint f, q "  # noqa: S608
            f"WHERE {_rule_sql('postgresql')}"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [row[0] for row in cur.fetchall()]

    def pct(values, p):
        return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]

    print(f"\nNear-duplicate lookup among {args.rows:,} images (PostgreSQL)")
    load = os.getloadavg()[0]
    print(f"load average (1 min) before the queries: {load:.1f} on {os.cpu_count()} cores")
    print(
        f"{len(fp.STORED_CROPS)} stored crops per image ({args.rows * len(fp.STORED_CROPS):,}"
        f" rows), {len(fp.view_boxes()) * 2} query views, exact match on 12 bands"
        f" (4 each of pHash, dHash, wHash); "
        + ("database reused" if args.reuse else f"load + index: {load_s:.0f} s")
    )
    # The band indexes (about 56 MB each) are hot in a running service; warm them (and the
    # prepared statement) with lookups of photos that are not measured.
    for seed in range(50):
        near_duplicates(fp.compute(_photo(20_000 + seed)))
    print(f"\n{'edits':<34}{'method':<12}{'p50 ms':>9}{'p95 ms':>9}{'recall':>8}")
    cases = (
        ("resize/re-encode/EXIF/mirror", 0.0),
        ("  + crop ≤3 % per side", 0.03),
        ("  + crop ≤10 % per side", 0.10),
    )
    hash_ms, wrong = [], 0
    for label, max_crop in cases:
        queries = []
        for img in planted:
            ms, q = _timed(fp.compute, _edited(img, rng, max_crop))
            hash_ms.append(ms)
            queries.append(q)
        index_ms, index_hits = [], []
        for i, q in enumerate(queries):
            ms, matches = _timed(near_duplicates, q)
            index_ms.append(ms)
            index_hits.append(any(m.evidence_id == i + 1 for m in matches))
            wrong += sum(m.evidence_id != i + 1 for m in matches)
        full_ms = [_timed(scan, q, True)[0] for q in queries[: args.full_scan_queries]]
        scan_ms = [_timed(scan, q, False)[0] for q in queries[: args.scan_queries]]
        print(
            f"{label:<34}{'index':<12}{pct(index_ms, 50):>9.2f}{pct(index_ms, 95):>9.2f}"
            f"{sum(index_hits) / len(index_hits):>8.3f}"
        )
        for name, ms in (("scan, all", full_ms), ("scan, 2", scan_ms)):
            print(f"{'':<34}{name:<12}{pct(ms, 50):>9.2f}{pct(ms, 95):>9.2f}")
        print(
            f"{'':<34}p50 ratio: all-view scan ÷ index {pct(full_ms, 50) / pct(index_ms, 50):.0f}×,"
            f" 2-view scan ÷ index {pct(scan_ms, 50) / pct(index_ms, 50):.0f}×"
        )

    unrelated = [fp.compute(_photo(10_000 + seed)) for seed in range(args.queries)]
    false_hits = sum(len(near_duplicates(q)) for q in unrelated)
    print(
        f"\nfalse positives: {false_hits} matches for {len(unrelated)} unrelated photos;"
        f" {wrong} wrong matches for the {len(cases) * args.queries} edited copies"
    )
    print(f"hashing a query (all views): p50 {pct(hash_ms, 50):.1f} ms")
    with connection.cursor() as cur:
        sql, params = lookup_sql(unrelated[0].views, "postgresql")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    nodes = sorted(
        {
            line.strip().split(" on ")[0].split(" using ")[0].lstrip("-> ")
            for line in plan.splitlines()
            if "Scan" in line
        }
    )
    print(
        f"plan scan nodes: {', '.join(nodes)}; seq. scan of the table: "
        f"{'yes' if 'Seq Scan on evidence_fingerprint' in plan else 'no'}"
    )
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        "\ntargets: p95 < 20 ms; ≥ 20× (issue) / ≥ 100× (design) faster than a scan;"
        " recall ≥ 0.99 on light edits"
    )


if __name__ == "__main__":
    main()
