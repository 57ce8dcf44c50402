"""How often the forensic engine is right on real files: the calibration harness.

Usage:

    .venv/bin/python bench/accuracy.py ../shared/corpus/real [--jobs 2] [--cases 'glob']
        [--no-messenger] [--show-failures] [--json out.json]

The folder holds `manifest.json` and `files/` (see the corpus README). Every case runs the
way `manage.py analyze_image` runs it (the same upload rules, context and engine: both call
`evidence.forensics.files`). Besides the manifest's cases the harness derives one
*messenger re-save* per camera or phone original: the pixels re-encoded as WeChat/WhatsApp
do (long side at most 1280 px, JPEG quality 75, metadata dropped), which must also come out
`no_findings`.

It prints the verdicts per category (a confusion table), the cases that hold per category,
the false positives on originals with the signals behind each, the detection rate per AI and
edit category, each signal's firing rate on authentic versus manipulated material, the
targets of issue 12 and a one-line summary. It exits 1 when a required case fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import io
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arbitration.settings")

import django  # noqa: E402

django.setup()

from PIL import Image, ImageOps  # noqa: E402

from evidence.engine_settings import (  # noqa: E402
    detector_model_path,
    trust_anchors,
    tsa_anchors,
    upload_limits,
)
from evidence.forensics.files import analyze_path, context_for, read_image  # noqa: E402
from evidence.forensics.intake import RejectedFile  # noqa: E402
from evidence.forensics.types import VERDICTS as ENGINE_VERDICTS  # noqa: E402

FIRE = 0.5
VERDICTS = tuple(reversed(ENGINE_VERDICTS))  # mildest first, as the tables read
ORIGINALS = {"authentic_camera", "authentic_phone"}
MESSENGER = "messenger_resave"
AUTHENTIC = ORIGINALS | {
    MESSENGER,
    "authentic_vendor_sw",
    "authentic_odd_metadata",
    "authentic_converted",
    "scan",
    "screenshot",
    "copy_move_original",
    "copy_move_negative",
    "reuse_negative",
    "c2pa_capture",
}
EDITED = {"authentic_edited", "copy_move", "c2pa_invalid"}
AI = {
    "ai_c2pa",
    "ai_iptc_metadata",
    "ai_aigc_label",
    "ai_metadata_comfyui",
    "ai_unlabelled",
    "ai_c2pa_video",
}
MESSENGER_SIDE, MESSENGER_QUALITY = 1280, 75


# ---------------------------------------------------------------- running one case


def run_case(case: dict, corpus: str) -> dict:
    """The command's outcome for one case: accepted with a report, refused, or crashed."""
    files = Path(corpus) / "files"
    started = time.perf_counter()
    try:
        context = context_for(
            listing=[_real(files, p) for p in case.get("listing", [])],
            known=[_real(files, p) for p in case.get("known", [])],
            delivered_at=dt.date.fromisoformat(case["delivered_at"])
            if case.get("delivered_at")
            else None,
            limits=upload_limits(),
            trust_anchors_pem=trust_anchors(),
            tsa_anchors_pem=tsa_anchors(),
            detector_model_path=detector_model_path(),
        )
        report = analyze_path(case["_path"], context, upload_limits())
    except RejectedFile as exc:
        return {"outcome": "rejected", "error": exc.code, "message": exc.message}
    except Exception as exc:
        return {"outcome": "crash", "error": repr(exc)}
    return {
        "outcome": "accepted",
        "verdict": report.verdict,
        "score": report.forgery_score,
        "signals": {s.code: round(float(s.score), 3) for s in report.signals},
        "regions": {s.code: s.regions or ([s.region] if s.region else []) for s in report.signals},
        "ms": round((time.perf_counter() - started) * 1000),
    }


def _real(files: Path, ref: str) -> str:
    return str(files / ref.removeprefix("real:"))


def messenger_cases(cases: list[dict], corpus: str, out_dir: Path) -> list[dict]:
    """A messenger re-save of every original (one file per original, written to out_dir)."""
    derived = []
    for case in cases:
        if case["category"] not in ORIGINALS or case["id"] != case["file"]:
            continue
        try:
            data = read_image(Path(corpus) / "files" / case["file"], upload_limits())
        except RejectedFile:
            continue
        img = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        img.thumbnail((MESSENGER_SIDE, MESSENGER_SIDE), Image.Resampling.LANCZOS)
        target = out_dir / (case["file"].replace("/", "__") + ".messenger.jpg")
        img.save(target, "JPEG", quality=MESSENGER_QUALITY)
        derived.append(
            {
                "id": case["id"] + "+messenger",
                "file": case["file"],
                "_path": str(target),
                "category": MESSENGER,
                "allowed_verdicts": ["no_findings"],
                "must_not_fire": case.get("must_not_fire", []),
            }
        )
    return derived


# ---------------------------------------------------------------- judging one case


def judge(case: dict, result: dict) -> list[str]:
    """What is wrong with the result for this case (empty when the case holds)."""
    accept = case.get("accept", "must")
    outcome = result["outcome"]
    if outcome == "crash":
        return [f"crashed: {result['error']}"]
    if outcome == "rejected":
        return [] if accept in ("reject", "either") else [f"refused ({result['error']})"]
    if accept == "reject":
        return ["accepted, should be refused"]
    fired = {code for code, score in result["signals"].items() if score >= FIRE}
    problems = []
    for code in case.get("must_fire", []) + case.get("must_fire_if_accepted", []):
        if code not in fired:
            problems.append(f"{code} did not fire")
    for code in case.get("must_not_fire", []):
        if code in fired:
            problems.append(f"{code} fired ({result['signals'][code]:.2f})")
    verdict = result["verdict"]
    if case.get("allowed_verdicts") and verdict not in case["allowed_verdicts"]:
        problems.append(f"verdict {verdict}")
    if verdict in case.get("forbidden_verdicts", []):
        problems.append(f"verdict {verdict} (forbidden)")
    truth = case.get("ground_truth_mask")
    if truth and "pixel.copy_move" in fired:
        found = result["regions"].get("pixel.copy_move", [])
        boxes = truth.get("boxes", [])
        if not any(_iou(r, _box(b)) >= 0.2 for r in found for b in boxes):
            problems.append("pixel.copy_move region misses the ground truth")
    return problems


def _box(b) -> dict:
    if isinstance(b, dict):
        return b
    x, y, w, h = b
    return {"x": x, "y": y, "w": w, "h": h}


def _iou(a: dict, b: dict) -> float:
    ix = max(0.0, min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]))
    iy = max(0.0, min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]))
    inter = ix * iy
    union = a["w"] * a["h"] + b["w"] * b["h"] - inter
    return inter / union if union > 0 else 0.0


# ---------------------------------------------------------------- tables


def table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join(
        f"{h:<{w}}" if i == 0 else f"{h:>{w}}"
        for i, (h, w) in enumerate(zip(header, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        print(
            "  ".join(
                f"{v!s:<{w}}" if i == 0 else f"{v!s:>{w}}"
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f} %" if d else "-"


def report(cases: list[dict], results: dict[str, dict], show_failures: bool) -> bool:
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for case in cases:
        by_cat[case["category"]].append(case)
    cats = sorted(by_cat, key=lambda c: (c not in AUTHENTIC, c not in EDITED, c))

    rows = []
    for cat in cats:
        counts = Counter(_outcome_label(results[c["id"]]) for c in by_cat[cat])
        rows.append(
            [cat, len(by_cat[cat]), *(counts.get(v, 0) for v in (*VERDICTS, "refused", "crash"))]
        )
    table("Verdicts per category", ["category", "cases", *VERDICTS, "refused", "crash"], rows)

    failures: dict[str, list[str]] = {}
    rows = []
    for cat in cats:
        required = [c for c in by_cat[cat] if not c.get("stretch")]
        stretch = [c for c in by_cat[cat] if c.get("stretch")]
        bad = [c for c in required if judge(c, results[c["id"]])]
        bad_s = [c for c in stretch if judge(c, results[c["id"]])]
        for c in bad + bad_s:
            failures[c["id"]] = judge(c, results[c["id"]])
        rows.append(
            [
                cat,
                f"{len(required) - len(bad)}/{len(required)}",
                f"{len(stretch) - len(bad_s)}/{len(stretch)}" if stretch else "",
            ]
        )
    table("Cases that hold (required / stretch)", ["category", "required", "stretch"], rows)

    originals = [c for c in cases if c["category"] in ORIGINALS]
    messenger = [c for c in cases if c["category"] == MESSENGER]
    print("\nFalse positives on unedited originals and their messenger re-saves")
    fp_orig = _false_positives(originals, results)
    fp_msg = _false_positives(messenger, results)
    for c in fp_orig + fp_msg:
        r = results[c["id"]]
        behind = ", ".join(f"{k} {v:.2f}" for k, v in r.get("signals", {}).items()) or r.get(
            "error", ""
        )
        print(f"  {c['id']}: {_outcome_label(r)} <- {behind}")
    if not fp_orig + fp_msg:
        print("  none")

    rows = []
    for cat in cats:
        if cat not in AI | EDITED and cat != "timeline_before_delivery":
            continue
        group = [c for c in by_cat[cat] if results[c["id"]]["outcome"] == "accepted"]
        if cat in AI:
            hit = sum(results[c["id"]]["verdict"] == "ai_generated" for c in group)
            what = "called ai_generated"
        else:
            hit = sum(_detected(c, results[c["id"]]) for c in group)
            what = "expected signal fires"
        rows.append([cat, len(group), hit, pct(hit, len(group)), what])
    table(
        "Detection per AI / edit category",
        ["category", "accepted", "detected", "rate", "counted as"],
        rows,
    )

    groups = {
        "authentic": [c for c in cases if c["category"] in AUTHENTIC],
        "edited": [c for c in cases if c["category"] in EDITED],
        "ai": [c for c in cases if c["category"] in AI],
    }
    accepted = {
        g: [c for c in cs if results[c["id"]]["outcome"] == "accepted"] for g, cs in groups.items()
    }
    codes = sorted({code for r in results.values() for code in r.get("signals", {})})
    rows = []
    for code in codes:
        row = [code]
        for g in groups:
            n = sum(results[c["id"]]["signals"].get(code, 0) >= FIRE for c in accepted[g])
            row.append(f"{n}/{len(accepted[g])}")
        rows.append(row)
    table("Signal firing rate (score >= 0.5)", ["signal", *groups], rows)

    if show_failures and failures:
        print("\nCases that do not hold")
        for cid, problems in failures.items():
            print(f"  {cid}: {'; '.join(problems)}")

    originals_ok = len(fp_orig) <= len(originals) / 100 and not _accusations(originals, results)
    messenger_ok = len(fp_msg) <= len(messenger) / 100 and not _accusations(messenger, results)
    edited_as_ai = [
        c
        for c in by_cat.get("authentic_edited", [])
        if results[c["id"]].get("verdict") == "ai_generated"
    ]
    provenance = [
        c
        for cat in ("ai_c2pa", "ai_iptc_metadata", "ai_aigc_label", "ai_metadata_comfyui")
        for c in by_cat.get(cat, [])
        if not c.get("stretch")
    ]
    ai_hits = sum(results[c["id"]].get("verdict") == "ai_generated" for c in provenance)
    targets = [
        (
            "originals: <= 1 % not no_findings, none edited/ai_generated",
            _flagged(fp_orig, originals, results),
            originals_ok,
        ),
        (
            "messenger re-saves: the same",
            _flagged(fp_msg, messenger, results),
            messenger_ok or not messenger,
        ),
        (
            "edited photos never ai_generated",
            f"{len(edited_as_ai)} called ai_generated",
            not edited_as_ai,
        ),
        (
            "AI files with provenance: >= 95 % ai_generated",
            f"{ai_hits}/{len(provenance)}",
            ai_hits >= 0.95 * len(provenance),
        ),
    ]
    table(
        "Targets (issue 12)",
        ["target", "measured", "met"],
        [[t, m, "yes" if ok else "NO"] for t, m, ok in targets],
    )

    required = [c for c in cases if not c.get("stretch")]
    failed_required = [c for c in required if c["id"] in failures]
    all_targets = all(ok for *_, ok in targets)
    print(
        f"\nSummary: {len(required) - len(failed_required)}/{len(required)} required cases hold; "
        f"false positives on originals {pct(len(fp_orig), len(originals))}, on messenger re-saves "
        f"{pct(len(fp_msg), len(messenger))}; AI with provenance {pct(ai_hits, len(provenance))} "
        f"ai_generated; targets {'met' if all_targets else 'NOT met'}."
    )
    return not failed_required and all_targets


def _outcome_label(result: dict) -> str:
    if result["outcome"] == "accepted":
        return result["verdict"]
    return "refused" if result["outcome"] == "rejected" else "crash"


def _false_positives(cases: list[dict], results: dict) -> list[dict]:
    return [c for c in cases if _outcome_label(results[c["id"]]) != "no_findings"]


def _flagged(false_positives: list[dict], cases: list[dict], results: dict) -> str:
    return (
        f"{len(false_positives)}/{len(cases)} flagged, {len(_accusations(cases, results))} accused"
    )


def _accusations(cases: list[dict], results: dict) -> list[dict]:
    return [c for c in cases if results[c["id"]].get("verdict") in ("edited", "ai_generated")]


def _detected(case: dict, result: dict) -> bool:
    wanted = (
        case.get("must_fire", [])
        + case.get("must_fire_if_accepted", [])
        + case.get("should_fire", [])
    )
    return any(result["signals"].get(code, 0) >= FIRE for code in wanted)


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "corpus",
        nargs="?",
        default=str(DEFAULT_CORPUS),
        help="folder with manifest.json and files/ (default: ../shared/corpus/real)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cases", default="*", help="only case ids matching this glob")
    parser.add_argument("--no-messenger", action="store_true", help="skip the derived re-saves")
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="write every case's result here")
    args = parser.parse_args()

    corpus = str(Path(args.corpus).resolve())
    manifest = json.loads((Path(corpus) / "manifest.json").read_text())
    cases = [c for c in manifest["cases"] if fnmatch.fnmatch(c["id"], args.cases)]
    for case in cases:
        case["_path"] = str(Path(corpus) / "files" / case["file"])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tianping-accuracy-") as tmp:
        if not args.no_messenger:
            cases += messenger_cases(cases, corpus, Path(tmp))
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {c["id"]: pool.submit(run_case, c, corpus) for c in cases}
            results = {cid: f.result() for cid, f in futures.items()}
    print(
        f"{len(cases)} cases from {corpus} in {time.perf_counter() - started:.0f} s "
        f"({args.jobs} jobs)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True))
    ok = report(cases, results, args.show_failures)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
