"""Near-duplicate precision on plain-background product photos: distinct products in one
framing (many in the same packaging template) never match one another, while their crops,
mirrors and re-encodes still do."""

import random

import numpy as np
import pytest
from PIL import Image

from evidence.forensics import Context, KnownFingerprint, Reference, analyze, fingerprints
from tests.fixtures import forensic as f
from tests.fixtures.packshots import flat_objects, packshot, scarf_in_box
from tests.fixtures.photos import to_jpeg

TEMPLATES, VARIANTS = 5, 4
PRODUCTS = {(t, v): packshot(t, v) for t in range(TEMPLATES) for v in range(VARIANTS)}
FILES = {key: to_jpeg(pixels, 90) for key, pixels in PRODUCTS.items()}


def _known(key) -> KnownFingerprint:
    data = FILES[key]
    return KnownFingerprint(str(key), fingerprints.of_bytes(data, views=False), image=data)


ALL_KNOWN = [_known(key) for key in FILES]


def _reuse(report):
    return {s.code for s in report.signals if s.code.startswith("reuse.")}


def test_the_hashes_alone_take_many_of_these_products_for_copies():
    """What makes the set hard: the global hashes collide on it (they did in production)."""
    hashes = {key: fingerprints.of_bytes(data) for key, data in FILES.items()}
    collisions = sum(
        fingerprints.compare(hashes[a], hashes[b]) is not None
        for a in FILES
        for b in FILES
        if a != b
    )
    assert collisions >= len(FILES)


def test_no_product_is_taken_for_a_copy_of_another():
    for key, data in FILES.items():
        others = [known for known in ALL_KNOWN if known.id != str(key)]
        report = analyze(data, Context(known=others))
        assert report.signal("reuse.cross_dispute") is None, key
        assert report.verdict != "edited", key


def test_a_product_of_the_same_template_is_not_the_listing_photo():
    for t in range(TEMPLATES):
        listing = [Reference(f"L{v}", FILES[(t, v)]) for v in range(1, VARIANTS)]
        report = analyze(FILES[(t, 0)], Context(listing=listing))
        assert not _reuse(report), t


def _crop(arr: np.ndarray, rng: random.Random) -> np.ndarray:
    return f.crop_fraction(arr, *(rng.uniform(0.0, 0.10) for _ in range(4)))


def _reencoded(arr: np.ndarray, rng: random.Random) -> bytes:
    img = Image.fromarray(arr)
    k = rng.uniform(0.5, 0.9)
    img = img.resize((round(img.width * k), round(img.height * k)), Image.Resampling.BILINEAR)
    return to_jpeg(img, rng.choice((55, 70, 85)))


EDITS = {
    "crop": lambda arr, rng: to_jpeg(_crop(arr, rng), 88),
    "mirror": lambda arr, rng: to_jpeg(f.mirrored(arr), 88),
    "re-encode": _reencoded,
    "all three": lambda arr, rng: _reencoded(f.mirrored(_crop(arr, rng)), rng),
}


@pytest.mark.parametrize("edit", EDITS)
def test_crops_mirrors_and_re_encodes_still_match_their_own_product(edit):
    rng = random.Random(f"reuse-{edit}")
    for key in [(t, v) for t in range(TEMPLATES) for v in range(0, VARIANTS, 2)]:
        copy = EDITS[edit](PRODUCTS[key], rng)
        s = analyze(copy, Context(known=ALL_KNOWN)).signal("reuse.cross_dispute")
        assert s and s.data["known_id"] == str(key), (edit, key)
        assert s.data["mirrored"] is (edit in ("mirror", "all three")), (edit, key)


def test_a_cropped_copy_of_the_listing_photo_still_matches_it():
    rng = random.Random(3)
    listing = [Reference(f"L{v}", FILES[(2, v)]) for v in range(VARIANTS)]
    copy = to_jpeg(_crop(PRODUCTS[(2, 1)], rng), 80)
    s = analyze(copy, Context(listing=listing)).signal("reuse.listing_match")
    assert s and s.data["reference_id"] == "L1"


def test_flat_objects_on_a_plain_sheet_are_not_a_mirrored_copy_of_a_scarf_in_a_box():
    """The production false match: the hashes of a buyer's flat objects on a white sheet
    fell within the thresholds of another dispute's packing photo, mirrored, and the
    verdict became "edited"."""
    scarf, flat = to_jpeg(scarf_in_box(), 90), to_jpeg(flat_objects(), 90)
    stored = fingerprints.of_bytes(scarf, views=False)
    assert fingerprints.compare(fingerprints.of_bytes(flat), stored).mirrored  # the collision
    report = analyze(flat, Context(known=[KnownFingerprint("D7", stored, image=scarf)]))
    assert report.signal("reuse.cross_dispute") is None
    assert report.verdict != "edited"
