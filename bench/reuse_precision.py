"""Near-duplicate precision and recall on real photos: the hash screen alone vs. the hash
screen plus the geometric verification (`evidence.forensics.verify`).

Usage:

    python bench/reuse_precision.py ../shared/corpus/real [--edits 3] [--worst 12]

* **False matches**: every ordered pair of distinct product-style photos of the corpus
  (GroceryStoreDataset catalog packshots on white and shop-floor photos, ABO catalog
  photos: different products, many in the same packaging template and framing). A pair is
  a false match when the query is taken for a copy of the other.
* **Recall**: random edits of real corpus photos (the product photos and the camera and
  phone originals) against their own original: crop 0-10 % per side, mirror, rescale
  0.5-1.2 and JPEG quality 50-90, alone and combined, plus a painted-on stain.
* Timing: verification features per image and verification per candidate pair.
"""

import argparse
import io
import itertools
import json
import random
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real"
sys.path.insert(0, str(ROOT))

from evidence.forensics import fingerprints, verify  # noqa: E402

PRODUCTS = ("GroceryStoreDataset/", "ABO-samples/")
PHOTO_CATEGORIES = ("authentic_camera", "authentic_phone")


def _rgb(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return verify._rgb(img)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _crop(img: Image.Image, rng: random.Random, most: float = 0.10) -> Image.Image:
    w, h = img.size
    left, top, right, bottom = (rng.uniform(0, most) for _ in range(4))
    box = (w * left, h * top, w * (1 - right), h * (1 - bottom))
    return img.crop(tuple(round(v) for v in box))


def _rescale(img: Image.Image, rng: random.Random) -> Image.Image:
    k = rng.uniform(0.5, 1.2)
    return img.resize((max(16, round(img.width * k)), max(16, round(img.height * k))))


def _stain(img: Image.Image, rng: random.Random) -> Image.Image:
    """A brown ellipse over 3.5 % of the picture, somewhere inside it."""
    out = img.copy()
    w, h = out.size
    x, y = rng.uniform(0.1, 0.68), rng.uniform(0.1, 0.7)
    ImageDraw.Draw(out).ellipse((x * w, y * h, (x + 0.22) * w, (y + 0.2) * h), fill=(120, 80, 40))
    return out


EDITS = {
    "re-encode (JPEG 50-90)": lambda img, rng: img,
    "rescale 0.5-1.2": _rescale,
    "mirror": lambda img, rng: ImageOps.mirror(img),
    "crop ≤10 % per side": _crop,
    "crop + mirror + rescale": lambda img, rng: _rescale(ImageOps.mirror(_crop(img, rng)), rng),
    "painted stain (3.5 %)": lambda img, rng: _rescale(_stain(img, rng), rng),
}


def _files(corpus: Path) -> tuple[list[str], list[str]]:
    manifest = json.loads((corpus / "manifest.json").read_text())
    products, photos = set(), set()
    for case in manifest["cases"]:
        name = case["file"]
        if name.startswith(PRODUCTS) and not name.endswith(".png"):
            products.add(name)
        elif case["category"] in PHOTO_CATEGORIES and name.lower().endswith((".jpg", ".jpeg")):
            photos.add(name)
    return sorted(products), sorted(photos)


def _pct(values, p):
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "corpus",
        type=Path,
        nargs="?",
        default=DEFAULT_CORPUS,
        help="default: ../shared/corpus/real",
    )
    parser.add_argument("--edits", type=int, default=3, help="random edits per photo and kind")
    parser.add_argument("--worst", type=int, default=12, help="closest false pairs to list")
    args = parser.parse_args()
    files = args.corpus / "files"
    products, photos = _files(args.corpus)
    raw = {name: (files / name).read_bytes() for name in products + photos}

    feature_ms = []
    features, hashes = {}, {}
    for name in products + photos:
        started = time.perf_counter()
        f = verify.Features.of_bytes(raw[name])
        _ = f.keypoints, f.mirrored_keypoints
        feature_ms.append((time.perf_counter() - started) * 1000)
        features[name] = f
        hashes[name] = fingerprints.of_bytes(raw[name])

    print(f"\nFalse matches among {len(products)} distinct product photos (ordered pairs)")
    stages = dict.fromkeys(("features", "geometry", "agreement", "accepted"), 0)
    hash_false, both_false, verify_ms, closest = 0, 0, [], []
    pairs = list(itertools.permutations(products, 2))
    for a, b in pairs:
        hashed = fingerprints.compare(hashes[a], hashes[b]) is not None
        started = time.perf_counter()
        seen = [verify.measure(features[a], features[b], m) for m in (False, True)]
        verify_ms.append((time.perf_counter() - started) * 1000)
        order = ("features", "geometry", "agreement", "accepted")
        best = max(seen, key=lambda m: order.index(m.stage))
        stages[best.stage] += 1
        hash_false += hashed
        both_false += hashed and best.stage == "accepted"
        for m in seen:
            if m.change is not None:
                closest.append((m.change, m.inliers, m.matches, a, b))
    n = len(pairs)
    print(f"{'screen':<44}{'false matches':>14}{'rate':>9}")
    print(f"{'perceptual hashes alone (today)':<44}{hash_false:>14}{hash_false / n:>9.3%}")
    print(f"{'verification alone':<44}{stages['accepted']:>14}{stages['accepted'] / n:>9.3%}")
    print(f"{'hashes, then verification (the engine)':<44}{both_false:>14}{both_false / n:>9.3%}")
    print(
        "where the verification stopped: "
        + ", ".join(f"{stage} {count}" for stage, count in stages.items())
    )
    print(
        "\nclosest pairs that reached the agreement test (a copy changes at most"
        f" {verify.MAX_CHANGED} of its content cells)"
    )
    print(f"{'changed':>8}{'inliers':>8}{'matches':>8}  pair")
    for change, inliers, matches, a, b in sorted(closest)[: args.worst]:
        print(f"{change:>8.3f}{inliers:>8}{matches:>8}  {a} -> {b}")

    rng = random.Random(20261204)
    print(
        f"\nRecall on edited copies of {len(products)} product and {len(photos)} camera/phone"
        " photos"
    )
    print(f"{'edit':<28}{'copies':>7}{'hashes':>8}{'verified':>9}{'both':>7}{'changed p95':>12}")
    copies_worst = []
    for label, edit in EDITS.items():
        total = hashed = verified = both = 0
        changes = []
        for name in products + photos:
            original = _rgb(raw[name])
            for _ in range(args.edits):
                data = _jpeg(edit(original, rng), rng.choice((50, 60, 75, 90)))
                q_hash = fingerprints.of_bytes(data)
                q_feat = verify.Features.of_bytes(data)
                ok_hash = fingerprints.compare(q_hash, hashes[name]) is not None
                found = verify.verify(q_feat, features[name])
                total += 1
                hashed += ok_hash
                verified += found is not None
                both += ok_hash and found is not None
                if found is not None:
                    changes.append(found.changed)
                else:
                    copies_worst.append((label, name))
        p95 = f"{_pct(changes, 95):.3f}" if changes else "-"
        print(
            f"{label:<28}{total:>7}{hashed / total:>8.3f}{verified / total:>9.3f}"
            f"{both / total:>7.3f}{p95:>12}"
        )
    if copies_worst:
        missed = ", ".join(f"{name} ({label})" for label, name in copies_worst[: args.worst])
        print(f"copies the verification missed (first {args.worst}): {missed}")
    print(
        f"\nverification features per image (decode, both orientations): p50"
        f" {_pct(feature_ms, 50):.1f} ms, p95 {_pct(feature_ms, 95):.1f} ms; verifying one"
        f" candidate pair: p50 {_pct(verify_ms, 50):.1f} ms, p95 {_pct(verify_ms, 95):.1f} ms"
    )


if __name__ == "__main__":
    main()
