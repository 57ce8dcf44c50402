"""Perceptual fingerprints for near-duplicate search, and the banding that makes the
search an index lookup (multi-index hashing) instead of a scan.

Global hashes (pHash, dHash, wHash) survive resizing, re-encoding and EXIF edits, but a crop
of more than a few percent per side moves the picture under them and they break. Crops are
handled by comparing *aligned views* instead of whole frames:

* Each stored image keeps the hashes of its centred crop without `INNER` (10 %) of each side
  (`STORED_CROPS`; one crop, so one row and one index entry per key).
* A query image is looked at through `views`, each a crop of itself that is the stored inner
  crop under an assumption about how much the query lost on each side. The assumptions are
  made per axis (`AXIS`, six each): 2.5 % or 7.5 % off either end (`GRID`, four), so any
  crop of 0-10 % per side lies within 2.5 % per edge of one of them; and the two pure
  shifts, 10 % off one end and nothing off the other (`SHIFTS`), where the grid's 2.5 %
  would be a shift, which the hashes tolerate less than a change of scale. Every pair of an
  x and a y assumption is a view (36), plus the uncropped one, which lines up an uncropped
  copy exactly. Shifting along one axis while cropping oddly along the other is the common
  case this product covers; the earlier set (the grid plus only the diagonal shifts, 21
  assumptions) missed about 1.5 % of random 10 % crops.
* Each view is also taken of the mirrored query, since flipping is the cheapest evasion.

A view is only ever compared with the stored crop it is aligned to (`View.variant`), and a
match needs two hash kinds to agree (`compare`), which keeps false positives down although a
query is tried 74 ways (37 assumptions, mirrored or not). Down, not out: global hashes
collide on plain-background product photos (617 of the 6,006 ordered pairs of distinct
product photos in the real corpus, bench/reuse_precision.py), so a hash match is only a
candidate, and `verify` decides on the pixels.

Hashes are unsigned 64-bit ints, bits row-major, most significant first. PostgreSQL `bigint`
is signed: store `to_signed64(h)` and read back with `from_signed64(v)`.

The lookup is multi-index hashing with *triple keys* (`lookup_keys`): each hash is cut into
eight bytes, and key i is bytes (i, i+2, i+5) mod 8, 24 bits, eight keys per hash and 24 per
stored crop, each with its own index; a key column holds ``variant << 24 | key`` so one index
per key position serves every stored crop. A key survives as long as its three bytes are
clean, which the 5-8 scattered bit errors left between a 10 %-cropped copy and its best view
usually allow for some key; 16-bit bands needed a clean quarter, which such a copy often has
not, and a pair of them lost 2-5 % of copies (bench/RESULTS-near-duplicates.txt). A 24-bit
key is also selective where a 16-bit band is not: plain-background packshots give
near-constant bands, and one band value stood for 18-85 rows of a realistic million. The
lookup fetches the distinct rows sharing any key with any view, and the rule
(`closest_matches`) is applied to every view against every row found.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import cache, reduce

import numpy as np
from PIL import Image, ImageOps

KEY_TRIPLES = tuple((i, (i + 2) % 8, (i + 5) % 8) for i in range(8))  # bytes of each key
KEY_BITS = 24
KINDS = ("phash", "dhash", "whash")

# Near-duplicate thresholds (Hamming distance out of 64), calibrated on resized, re-encoded,
# EXIF-stripped, mirrored and up to 10 %-per-side cropped copies (through the aligned view)
# versus unrelated photos, whose closest view stays above 50 in sum (synthetic photos). On
# real product photos they are a screen, with full recall on the corpus's edited copies and
# a 10 % false-match rate among different products that `verify` removes.
PHASH_THRESHOLD = 12
DHASH_THRESHOLD = 14
WHASH_THRESHOLD = 12
STRICT_THRESHOLD = 4  # one hash this close is enough on its own
THRESHOLDS = {"phash": PHASH_THRESHOLD, "dhash": DHASH_THRESHOLD, "whash": WHASH_THRESHOLD}
MIN_AGREEING = 2  # hash kinds that must be within threshold for a loose match

INNER = 0.1  # the largest crop a view assumes: every view box stays inside the query
STORED_CROPS = (INNER,)  # per side, centred; a view's `variant` indexes this
GRID = (0.025, 0.075)  # per-side crops a query view assumes; cells of ±0.025 cover 0-10 %
SHIFTS = ((0.1, 0.0), (0.0, 0.1))  # (low, high) side crops of a pure shift along one axis
AXIS = tuple((low, high) for low in GRID for high in GRID) + SHIFTS  # per axis: (low, high)

_SIDE = 256
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class Hashes:
    phash: int
    dhash: int
    whash: int

    def distances(self, other: Hashes) -> dict[str, int]:
        return {kind: hamming(getattr(self, kind), getattr(other, kind)) for kind in KINDS}


@dataclass(frozen=True)
class View:
    """The query cut by `box` (fractions of the query, after mirroring when `mirrored`),
    aligned with the stored crop `variant`."""

    variant: int
    mirrored: bool
    box: tuple[float, float, float, float]
    hashes: Hashes


@dataclass(frozen=True)
class Fingerprints:
    """`stored[v]` are the hashes of the centred crop `STORED_CROPS[v]` (None when unknown);
    `views` are what a query is looked up with (empty for fingerprints read back from the
    database, which are only ever the stored side)."""

    sha256: str | None
    stored: tuple[Hashes | None, ...]
    views: tuple[View, ...] = ()

    def lookup_views(self) -> tuple[View, ...]:
        """The views to search with; fingerprints without views search with their stored
        crops, which line up with an uncropped copy."""
        return self.views or tuple(
            View(variant, False, centred(crop), hashes)
            for variant, (crop, hashes) in enumerate(zip(STORED_CROPS, self.stored, strict=True))
        )

    def to_dict(self) -> dict:
        out: dict = {"sha256": self.sha256}
        for variant, hashes in enumerate(self.stored):
            if hashes is None:
                continue
            suffix = "" if variant == 0 else f"_{variant}"
            for kind in KINDS:
                out[f"{kind}{suffix}"] = f"{getattr(hashes, kind):016x}"
        return out


def _ints(bits: np.ndarray) -> list[int]:
    """Rows of booleans (n x 64) as 64-bit ints, first bit most significant."""
    packed = np.packbits(bits.reshape(len(bits), -1), axis=1)
    return [int(v) for v in packed.view(">u8").ravel()]


@cache
def _dct_matrix(n: int = 32, k: int = 8) -> np.ndarray:
    """The first `k` rows of an (unnormalised) DCT-II on `n` points, as pHash uses."""
    i = np.arange(k)[:, None]
    j = np.arange(n)[None, :]
    return 2 * np.cos(np.pi * i * (2 * j + 1) / (2 * n))


def _hash_boxes(crops: list[tuple[Image.Image, tuple[float, float, float, float]]]) -> list[Hashes]:
    """pHash (DCT 8x8 of a 32x32 reduction vs. its median), dHash (9x8, left < right) and
    wHash (Haar LL at 8x8, i.e. 4x4 block means of the 32x32 reduction vs. their median) of
    the part of each image inside its box (pixels). The reductions are Pillow's; the rest
    runs on all boxes at once."""
    p = np.stack(
        [np.asarray(img.resize((32, 32), Image.Resampling.BOX, box=box)) for img, box in crops]
    ).astype(np.float64)
    d = np.stack(
        [np.asarray(img.resize((9, 8), Image.Resampling.BOX, box=box)) for img, box in crops]
    ).astype(np.int16)
    c = _dct_matrix()
    low = (c @ p @ c.T).reshape(len(crops), -1)
    blocks = p.reshape(len(crops), 8, 4, 8, 4).mean(axis=(2, 4)).reshape(len(crops), -1)
    phash = _ints(low > np.median(low, axis=1, keepdims=True))
    dhash = _ints(d[:, :, 1:] > d[:, :, :-1])
    whash = _ints(blocks > np.median(blocks, axis=1, keepdims=True))
    return [Hashes(*h) for h in zip(phash, dhash, whash, strict=True)]


def _prepared(img: Image.Image) -> Image.Image:
    if img.mode != "L":
        img = img.convert("L")
    if max(img.size) > _SIDE:
        img = img.copy()
        img.thumbnail((_SIDE, _SIDE), Image.Resampling.BILINEAR)
    return img


def _pixels(img: Image.Image, box: tuple[float, float, float, float]):
    w, h = img.size
    return (box[0] * w, box[1] * h, box[2] * w, box[3] * h)


def centred(crop: float) -> tuple[float, float, float, float]:
    return (crop, crop, 1 - crop, 1 - crop)


@cache
def view_boxes() -> tuple[tuple[int, tuple[float, float, float, float]], ...]:
    """(variant, box) of every view: the part of the query that is the stored inner crop
    (variant 0) if the query lost nothing, then if it lost (left, right) and (top, bottom)
    for every pair of `AXIS` assumptions."""

    def axis(lo: float, hi: float) -> tuple[float, float]:
        kept = 1 - lo - hi  # of the original, along this axis
        return (INNER - lo) / kept, 1 - (INNER - hi) / kept

    out = [(0, centred(INNER))]
    for x in AXIS:
        for y in AXIS:
            x0, x1 = axis(*x)
            y0, y1 = axis(*y)
            out.append((0, (x0, y0, x1, y1)))
    return tuple(out)


def compute(img: Image.Image, sha256: str | None = None, views: bool = True) -> Fingerprints:
    """Fingerprints of `img`: the stored crops, and (unless `views=False`) the query views of
    the image and of its mirror. Pass the original file's sha256 when you have it."""
    img = _prepared(img)
    crops = [(img, _pixels(img, centred(c))) for c in STORED_CROPS]
    assumed = []
    if views:
        mirror = ImageOps.mirror(img)
        for mirrored, source in ((False, img), (True, mirror)):
            for variant, box in view_boxes():
                assumed.append((variant, mirrored, box))
                crops.append((source, _pixels(source, box)))
    hashed = _hash_boxes(crops)
    stored = tuple(hashed[: len(STORED_CROPS)])
    out = [
        View(variant, mirrored, box, h)
        for (variant, mirrored, box), h in zip(assumed, hashed[len(STORED_CROPS) :], strict=True)
    ]
    return Fingerprints(sha256=sha256, stored=stored, views=tuple(out))


def of_bytes(data: bytes, views: bool = True) -> Fingerprints:
    from .decoded import decode

    img = decode(data, max_side=512)
    return compute(img.small, sha256=img.sha256, views=views)


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


def _bytes(h: int) -> tuple[int, ...]:
    """The eight bytes of a 64-bit hash, most significant first."""
    return tuple((h & _MASK64).to_bytes(8, "big"))


def keys(h: int) -> tuple[int, ...]:
    """The eight triple keys of one hash (`KEY_TRIPLES`), each its three bytes in order."""
    b = _bytes(h)
    return tuple(b[i] << 16 | b[j] << 8 | b[k] for i, j, k in KEY_TRIPLES)


def lookup_keys(h: Hashes, variant: int) -> tuple[int, ...]:
    """What the key columns store for stored crop `variant`: ``variant << 24 | key`` for the
    keys of pHash, dHash and wHash in order (24)."""
    return tuple(variant << KEY_BITS | key for kind in KINDS for key in keys(getattr(h, kind)))


def to_signed64(h: int) -> int:
    h &= _MASK64
    return h - (1 << 64) if h >= 1 << 63 else h


def from_signed64(v: int) -> int:
    return v & _MASK64


@dataclass(frozen=True)
class Match:
    distances: dict[str, int]
    mirrored: bool
    agreeing: int
    cropped: bool = False  # the closest view assumed the query had been cropped


def accepts(d):
    """The rule: two hash kinds within their thresholds, or one within STRICT_THRESHOLD.

    ``d`` maps each kind to a distance, or to an array of them (`closest_matches`); the
    answer is then an array too. Returns (accepted, agreeing kinds)."""
    agreeing = sum(d[k] <= THRESHOLDS[k] for k in KINDS)
    strict = reduce(operator.or_, (d[k] <= STRICT_THRESHOLD for k in KINDS))
    return (agreeing >= MIN_AGREEING) | strict, agreeing


def _signed_to_unsigned(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).view(np.uint64)


def closest_matches(views, variants, hashes, limit: int | None = None) -> list[tuple[int, Match]]:
    """The rule for every view against every stored row at once: per row that some aligned
    view is accepted for (`accepts`), the closest such view's `Match`, as (row index,
    match), closest first, at most ``limit``.

    A row is stored crop ``variants[i]`` with hashes ``hashes[kind][i]`` (signed 64-bit, as
    the database holds them). Vectorised because a plain-background query meets thousands
    of rows, most of which the rule turns away."""
    if not views or not len(variants):
        return []
    aligned = np.array([v.variant for v in views])[:, None] == np.asarray(variants)[None, :]
    d = {}
    for kind in KINDS:
        query = np.array([getattr(v.hashes, kind) for v in views], dtype=np.uint64)
        d[kind] = np.bitwise_count(query[:, None] ^ _signed_to_unsigned(hashes[kind])[None, :])
    accepted, agreeing = accepts(d)
    accepted &= aligned
    total = np.where(accepted, sum(d[kind].astype(np.int32) for kind in KINDS), 1 << 20)
    best = total.argmin(axis=0)  # the first closest view, as a loop over views would pick
    rows = np.flatnonzero(accepted[best, np.arange(len(best))])
    rows = rows[np.argsort(total[best[rows], rows], kind="stable")][:limit]
    out = []
    for row in rows.tolist():
        view = views[best[row]]
        out.append(
            (
                row,
                Match(
                    {kind: int(d[kind][best[row], row]) for kind in KINDS},
                    view.mirrored,
                    int(agreeing[best[row], row]),
                    view.box != centred(STORED_CROPS[view.variant]),
                ),
            )
        )
    return out


def compare(query: Fingerprints, stored: Fingerprints, views=None) -> Match | None:
    """Near-duplicate test: the same file, or a query view close to the stored crop it is
    aligned with (`accepts`). Returns the closest accepted view's match, or None.

    `views` narrows the views tried."""
    if query.sha256 and query.sha256 == stored.sha256:
        return Match({"phash": 0, "dhash": 0, "whash": 0}, False, 3)
    crops = [(variant, h) for variant, h in enumerate(stored.stored) if h is not None]
    hashes = {kind: [to_signed64(getattr(h, kind)) for _, h in crops] for kind in KINDS}
    tried = query.lookup_views() if views is None else views
    found = closest_matches(tried, [variant for variant, _ in crops], hashes, limit=1)
    return found[0][1] if found else None
