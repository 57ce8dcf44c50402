"""Video analysis of a 30 s 1080p phone-like clip, against its duration and against the
floor: a bare demux and decode of the keyframes the analysis samples.

Run: .venv/bin/python bench/video.py [--repeat N] [--seconds S]
The clip is made here (H.264, 30 fps, a keyframe every second as phones write them, a
hand-held pan with two cuts, AAC sound). Prints the intake (full demux, first frame), the
analysis by stage, the ratios to the clip's duration (target at most 0.25) and to the floor,
and peak memory (Python's own, and the process's resident set, which includes FFmpeg's).
The floor and the analysis are timed alternately, so a change in host load affects both.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import av
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.forensics import Context, analyze_video, videoio
from evidence.forensics.intake import inspect_file
from tests.fixtures import videos
from tests.fixtures.photos import scene

WIDTH, HEIGHT, FPS = 1920, 1080, 30
TARGET = 0.25


def phone_clip(seconds: int) -> bytes:
    """A hand-held pan over three scenes (cuts at 1/3 and 2/3), 1080p30, GOP 30, AAC."""
    scenes = [scene(WIDTH + 600, HEIGHT, seed=s) for s in (1, 2, 3)]

    def picture(i: int, n: int) -> Image.Image:
        x = (i * 4) % 600
        return Image.fromarray(np.ascontiguousarray(scenes[min(2, 3 * i // n)][:, x : x + WIDTH]))

    return videos.clip(
        size=(WIDTH, HEIGHT), frames=seconds * FPS, fps=FPS, gop=FPS, picture=picture
    )


def floor(data: bytes) -> None:
    """Seek to the times the analysis samples and decode one keyframe at each: nothing
    converted, scaled or analysed."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        duration = float(stream.duration * stream.time_base)
        for at in np.linspace(0.0, duration, videoio.candidate_count(duration)):
            container.seek(int(at / stream.time_base), stream=stream)
            next(container.decode(stream), None)


def ms(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--analyse-only", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.analyse_only:
        analyze_video(Path(args.analyse_only).read_bytes(), Context())
        return
    t = time.perf_counter()
    data = phone_clip(args.seconds)
    made = time.perf_counter() - t
    print(f"clip: {args.seconds} s {WIDTH}x{HEIGHT}@{FPS}, {len(data) / 1e6:.1f} MB "
          f"(made in {made:.1f} s)")  # fmt: skip
    with tempfile.NamedTemporaryFile(suffix=".mp4") as clip:
        clip.write(data)
        clip.flush()
        subprocess.run([sys.executable, __file__, "--analyse-only", clip.name], check=True)
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    intake = min(ms(lambda: inspect_file(io.BytesIO(data))) for _ in range(args.repeat))
    floors, totals, report = [], [], None
    for _ in range(args.repeat):
        floors.append(ms(lambda: floor(data)))
        t = time.perf_counter()
        report = analyze_video(data, Context())
        totals.append((time.perf_counter() - t) * 1000)
    tracemalloc.start()
    analyze_video(data, Context())
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best, base = min(totals), min(floors)
    print(f"intake (box walk, full demux, first frame decoded): {intake:.0f} ms")
    print(f"verdict {report.verdict}, {report.frames_analysed} keyframes analysed")
    for stage, value in report.metadata["timings_ms"].items():
        print(f"  {stage:<10} {value:8.1f} ms")
    print(f"analysis: {best:.0f} ms (best of {args.repeat}); floor: {base:.0f} ms")
    ratio = best / 1000 / report.duration
    print(f"ratio to the clip's duration: {ratio:.3f} (target <= {TARGET}: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")  # fmt: skip
    print(f"ratio to the floor (demux + decode of the sampled keyframes): {best / base:.2f}")
    print(f"peak memory: Python {python_peak / 2**20:.0f} MiB; resident set of a process "
          f"that reads the file and analyses it: {child_rss / 1024:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
