"""Forensic analysis of a 12-MP JPEG against the floor: a bare Pillow decode of the file.

Run: .venv/bin/python bench/forensics.py [--repeat N]
Prints per-analyzer time (best of N) and the ratio to the decode, plus peak memory. The floor
and the total are timed alternately, so a change in host load affects both.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.forensics import ANALYZERS, Context, analyze
from evidence.forensics.decoded import decode
from tests.fixtures.photos import camera_exif, scene, thumbnail_jpeg

WIDTH, HEIGHT = 4000, 3000


def camera_jpeg() -> bytes:
    """A 12-MP camera-like JPEG (the test scene rendered at full size: multi-scale texture,
    edges, sensor noise) with full EXIF and a 160-px EXIF thumbnail of the same frame, as a
    phone writes it, at a phone's usual quality."""
    arr = scene(WIDTH, HEIGHT, seed=7)
    img = Image.fromarray(arr)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=camera_exif(thumbnail=thumbnail_jpeg(arr)))
    return out.getvalue()


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def best(fn, repeat: int) -> float:
    return min(timed(fn, repeat))


def bare_decode(data: bytes):
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    load = os.getloadavg()[0]
    data = camera_jpeg()
    context = Context()
    floors, totals = [], []
    for _ in range(repeat):  # interleaved, so host load shifts hit floor and total alike
        floors += timed(lambda: bare_decode(data), 1)
        totals += timed(lambda: analyze(data, context), 1)
    floor, total = min(floors), min(totals)
    decoded_bytes = WIDTH * HEIGHT * 3
    rows = [("bare decode (Pillow RGB, the floor)", floor)]
    rows.append(("engine decode (luma)", best(lambda: decode(data), repeat)))
    for name, run in ANALYZERS.items():

        def one(run=run):
            img = decode(data)  # fresh bundle: no cached intermediates from a previous run
            t = time.perf_counter()
            run(img, context)
            return time.perf_counter() - t

        rows.append((f"  {name}", min(one() for _ in range(repeat)) * 1000))
    rows.append(("analyze() total, default analyzers", total))
    rows.append((f"analyze() median of {repeat} (shows host noise)", statistics.median(totals)))
    tracemalloc.start()
    analyze(data, context)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"12-MP JPEG {WIDTH}x{HEIGHT}, {len(data) / 1e6:.1f} MB, best of {repeat}\n")
    print("| step | ms | x decode |")
    print("|---|---:|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.0f} | {ms / floor:.2f} |")
    print(f"\nload average (1 min) before the run: {load:.2f} on {os.cpu_count()} cores")
    print(
        f"peak traced memory during analyze(): {peak / 1e6:.0f} MB = "
        f"{peak / decoded_bytes:.2f}x the decoded RGB size ({decoded_bytes / 1e6:.0f} MB)"
    )
    print(f"target: total <= 4x decode -> {'met' if total <= 4 * floor else 'NOT met'}")


if __name__ == "__main__":
    main()
