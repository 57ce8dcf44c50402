"""Perceptual fingerprints for near-duplicate search, and the banding that makes the
search an index lookup (multi-index hashing) instead of a scan.

Hashes are unsigned 64-bit ints. PostgreSQL `bigint` is signed: store `to_signed64(h)`
and read back with `from_signed64(v)`. Bands are 16-bit, so they fit any integer column.
If two hashes differ in at most `t` bits, then at least one of the `n` bands differs in at
most `t // n` bits (pigeonhole): look up each band and its neighbours within that radius
(`band_probes`), then verify the full Hamming distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import imagehash
from PIL import Image, ImageOps

HASH_BITS = 64
BANDS = 4
BAND_BITS = HASH_BITS // BANDS

# Near-duplicate thresholds (Hamming distance out of 64), calibrated on resized,
# re-encoded, EXIF-stripped and up to 10 %-per-side cropped copies versus unrelated photos.
PHASH_THRESHOLD = 12
DHASH_THRESHOLD = 14
WHASH_THRESHOLD = 12
STRICT_THRESHOLD = 4  # one hash this close is enough on its own
THRESHOLDS = {"phash": PHASH_THRESHOLD, "dhash": DHASH_THRESHOLD, "whash": WHASH_THRESHOLD}
MIN_AGREEING = 2  # hash kinds that must be within threshold for a loose match

_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class Fingerprints:
    sha256: str | None
    phash: int
    dhash: int
    whash: int
    phash_mirror: int | None = None
    dhash_mirror: int | None = None
    whash_mirror: int | None = None

    def variants(self) -> list[tuple[bool, dict[str, int]]]:
        out = [(False, {"phash": self.phash, "dhash": self.dhash, "whash": self.whash})]
        if self.phash_mirror is not None:
            out.append(
                (
                    True,
                    {
                        "phash": self.phash_mirror,
                        "dhash": self.dhash_mirror,
                        "whash": self.whash_mirror,
                    },
                )
            )
        return out


def _int(h: imagehash.ImageHash) -> int:
    value = 0
    for bit in h.hash.flatten():
        value = (value << 1) | int(bit)
    return value


def hashes(img: Image.Image) -> dict[str, int]:
    """pHash, dHash and wHash of a (preferably small, grayscale) image as 64-bit ints."""
    return {
        "phash": _int(imagehash.phash(img)),
        "dhash": _int(imagehash.dhash(img)),
        "whash": _int(imagehash.whash(img)),
    }


def compute(img: Image.Image, sha256: str | None = None, mirrored: bool = True) -> Fingerprints:
    """Fingerprints of `img`; pass the original file's sha256 when you have it."""
    if img.mode != "L":
        img = img.convert("L")
    if max(img.size) > 256:
        img = img.copy()
        img.thumbnail((256, 256), Image.Resampling.BILINEAR)
    h = hashes(img)
    m = hashes(ImageOps.mirror(img)) if mirrored else {}
    return Fingerprints(
        sha256=sha256,
        phash=h["phash"],
        dhash=h["dhash"],
        whash=h["whash"],
        phash_mirror=m.get("phash"),
        dhash_mirror=m.get("dhash"),
        whash_mirror=m.get("whash"),
    )


def of_bytes(data: bytes) -> Fingerprints:
    from .decoded import decode

    img = decode(data, max_side=512)
    return compute(img.image, sha256=img.sha256)


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


def bands(h: int, n: int = BANDS) -> tuple[int, ...]:
    """Split a 64-bit hash into `n` equal bands, most significant first."""
    width = HASH_BITS // n
    mask = (1 << width) - 1
    h &= _MASK64
    return tuple((h >> (width * (n - 1 - i))) & mask for i in range(n))


def band_radius(threshold: int, n: int = BANDS) -> int:
    """Bits a band may differ by while the whole hash stays within `threshold`."""
    return threshold // n


def band_probes(band: int, radius: int, width: int = BAND_BITS) -> list[int]:
    """`band` and every value within `radius` bit flips of it (what to look up)."""
    out = [band]
    for r in range(1, radius + 1):
        for bits in combinations(range(width), r):
            v = band
            for b in bits:
                v ^= 1 << b
            out.append(v)
    return out


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


def compare(query: Fingerprints, stored: Fingerprints) -> Match | None:
    """Near-duplicate test: the same file, or one hash within STRICT_THRESHOLD, or at least
    MIN_AGREEING hash kinds within their thresholds; the query's mirror counts too."""
    if query.sha256 and query.sha256 == stored.sha256:
        return Match({"phash": 0, "dhash": 0, "whash": 0}, False, 3)
    ref = stored.variants()[0][1]
    best = None
    for mirrored, variant in query.variants():
        d = {k: hamming(variant[k], ref[k]) for k in THRESHOLDS}
        agreeing = sum(d[k] <= THRESHOLDS[k] for k in THRESHOLDS)
        if agreeing >= MIN_AGREEING or min(d.values()) <= STRICT_THRESHOLD:
            match = Match(d, mirrored, agreeing)
            if best is None or sum(d.values()) < sum(best.distances.values()):
                best = match
    return best
