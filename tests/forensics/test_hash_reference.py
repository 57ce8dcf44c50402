"""The engine's vectorised pHash and dHash agree with ImageHash, the reference implementation.

The engine hashes 74 views of every query at once with numpy, so it cannot call ImageHash per
view; this test keeps the two definitions from drifting apart. The reductions differ (the
engine uses Pillow's box filter on a 256-pixel thumbnail, ImageHash Lanczos on the full
image), so a few bits may differ, never more than an ordinary re-encode would change.
"""

import imagehash
import pytest
from PIL import Image

from evidence.forensics import fingerprints
from tests.fixtures.photos import scene


def _engine_and_reference(seed: int):
    img = Image.fromarray(scene(seed=seed)).convert("L")
    inner = fingerprints.STORED_CROPS[0]
    w, h = img.size
    crop = img.crop(
        (round(inner * w), round(inner * h), round((1 - inner) * w), round((1 - inner) * h))
    )
    ours = fingerprints.compute(img, views=False).stored[0]
    return ours, imagehash.phash(crop), imagehash.dhash(crop)


def _as_int(h: imagehash.ImageHash) -> int:
    return int("".join("1" if b else "0" for b in h.hash.flatten()), 2)


@pytest.mark.parametrize("seed", range(6))
def test_phash_and_dhash_match_the_reference(seed):
    ours, phash, dhash = _engine_and_reference(seed)
    assert fingerprints.hamming(ours.phash, _as_int(phash)) <= 6
    assert fingerprints.hamming(ours.dhash, _as_int(dhash)) <= 6


def test_different_photos_are_far_apart_in_both():
    a, a_phash, _ = _engine_and_reference(1)
    b, b_phash, _ = _engine_and_reference(2)
    assert fingerprints.hamming(a.phash, b.phash) > 16
    assert (a_phash - b_phash) > 16
