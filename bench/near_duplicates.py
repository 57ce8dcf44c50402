"""Near-duplicate lookup among N stored fingerprints: banded index lookup vs. a full scan.

Usage (PostgreSQL is what the target is about; the script refuses SQLite for N > 100k):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        python bench/near_duplicates.py [--rows 1000000] [--queries 200]

It creates its own database ``tianping_bench`` (dropped and recreated each run), migrates it,
COPYs N random fingerprints plus fingerprints of planted photos into the real
``evidence_fingerprint`` table, then queries with edited copies of the planted photos
(re-encoded, resized, cropped up to 10 % per side, mirrored) through the production
``evidence.selectors.near_duplicates`` and through a sequential scan with the same distance
bounds. It prints a table: p50/p95 latency of each, their ratio, and recall.
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


def _bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/tianping_bench"))


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS tianping_bench")
        conn.execute("CREATE DATABASE tianping_bench")


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
    """What an abuser does to a reused photo: crop, resize, maybe mirror, re-encode."""
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
    return Image.open(io.BytesIO(_jpeg(out, rng.choice([60, 75, 90]))))


def _timed(fn, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scan-queries", type=int, default=10)
    args = parser.parse_args()

    url = _bench_database_url()
    _recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arbitration.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from evidence.forensics import fingerprints as fp
    from evidence.models import Fingerprint
    from evidence.selectors import (
        LOOKUP_BITS,
        LOOKUP_RADIUS,
        _could_match,
        _distances,
        near_duplicates,
    )

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'evidence_fingerprint'::regclass"
            " AND contype = 'f'"
        )
        for (name,) in cur.fetchall():
            # Rows here stand alone: the lookup reads only this table.
            cur.execute(f'ALTER TABLE evidence_fingerprint DROP CONSTRAINT "{name}"')

    rng = random.Random(20261123)
    planted = [_photo(seed) for seed in range(args.queries)]
    planted_fps = [fp.compute(img) for img in planted]

    started = time.perf_counter()
    columns = "evidence_id, phash, dhash, whash, p0, p1, p2, p3"
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cur,
        cur.copy(f"COPY evidence_fingerprint ({columns}) FROM STDIN") as copy,
    ):
        planted_ids = {}
        for i in range(args.rows):
            if i < len(planted_fps):
                f = planted_fps[i]
                phash, dhash, whash = f.phash, f.dhash, f.whash
                planted_ids[i] = i + 1
            else:
                phash, dhash, whash = (rng.getrandbits(64) for _ in range(3))
            copy.write_row(
                (
                    i + 1,
                    fp.to_signed64(phash),
                    fp.to_signed64(dhash),
                    fp.to_signed64(whash),
                    *fp.bands(phash),
                )
            )
    with connection.cursor() as cur:
        # Autovacuum would do this in production: it sets the visibility map that lets the
        # band lookups be index-only scans.
        cur.execute("VACUUM ANALYZE evidence_fingerprint")
    load_s = time.perf_counter() - started

    def scan(q):
        """The same distance filter and rule over every row: what the bands save us from."""
        rows = (
            Fingerprint.objects.alias(**_distances(q))
            .filter(_could_match(q))
            .values_list("evidence_id", "phash", "dhash", "whash")
        )
        return [
            r[0]
            for r in rows
            if fp.compare(q, fp.Fingerprints(None, *(fp.from_signed64(v) for v in r[1:])))
        ]

    def pct(values, p):
        return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]

    print(f"\nNear-duplicate lookup among {args.rows:,} fingerprints (PostgreSQL)")
    print(
        f"load: {load_s:.1f} s; pHash band radius {LOOKUP_RADIUS} (exact up to {LOOKUP_BITS} bits)"
    )
    print(f"\n{'edits':<28}{'method':<14}{'p50 ms':>9}{'p95 ms':>9}{'recall':>8}{'= scan':>9}")
    for label, max_crop in (("re-encode/resize/mirror, crop ≤3 %", 0.03), ("… crop ≤10 %", 0.10)):
        queries = [fp.compute(_edited(img, rng, max_crop)) for img in planted]
        index_ms, index_hits, agree = [], [], 0
        for i, q in enumerate(queries):
            ms, matches = _timed(near_duplicates, q)
            index_ms.append(ms)
            index_hits.append(any(m.evidence_id == planted_ids[i] for m in matches))
        scan_ms, scan_hits = [], []
        for i, q in enumerate(queries[: args.scan_queries]):
            ms, ids = _timed(scan, q)
            scan_ms.append(ms)
            scan_hits.append(planted_ids[i] in ids)
            agree += scan_hits[-1] == index_hits[i]
        print(
            f"{label:<28}{'index':<14}{pct(index_ms, 50):>9.2f}{pct(index_ms, 95):>9.2f}"
            f"{sum(index_hits) / len(index_hits):>8.3f}{agree / len(scan_ms):>9.3f}"
        )
        print(
            f"{'':<28}{'seq. scan':<14}{pct(scan_ms, 50):>9.2f}{pct(scan_ms, 95):>9.2f}"
            f"{sum(scan_hits) / len(scan_hits):>8.3f}"
        )
        print(f"{'':<28}scan ÷ index (p50): {pct(scan_ms, 50) / pct(index_ms, 50):.0f}×")
    print(
        "\ntargets: p95 < 20 ms; ≥ 20× (issue) / ≥ 100× (design) faster than a scan; recall ≥ 0.99"
    )


if __name__ == "__main__":
    main()
