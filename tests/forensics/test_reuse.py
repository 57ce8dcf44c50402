"""Reuse of listing photos and of evidence from other disputes; fingerprint banding."""

import itertools
import random

from evidence.forensics import Context, KnownFingerprint, Reference, analyze, fingerprints
from evidence.forensics.regions import iou
from tests.fixtures import forensic as f
from tests.fixtures.photos import blotches, camera_photo, decode_rgb, scene, to_jpeg

BASE = scene(640, 480, 5)
LISTING = camera_photo(pixels=BASE, quality=92)
CTX = Context(listing=[Reference("L1", LISTING, "listing front")])


def test_resized_reencoded_copy_matches_the_listing():
    copy = to_jpeg(f.resized(BASE, 0.7), 80)
    report = analyze(copy, CTX)
    assert report.signal("reuse.listing_match").data["reference_id"] == "L1"
    assert report.signal("reuse.local_edit") is None
    assert report.verdict == "reused"  # a copy, not an edit: its pixels were not changed


def test_cropped_copy_matches():
    copy = to_jpeg(f.resized(f.crop_fraction(BASE), 0.9), 82)
    assert analyze(copy, CTX).signal("reuse.listing_match")


def test_mirrored_copy_matches():
    s = analyze(to_jpeg(f.mirrored(BASE), 85), CTX).signal("reuse.listing_match")
    assert s and s.data["mirrored"]


def test_painted_stain_region_is_reported():
    copy = camera_photo(pixels=f.resized(f.paint_stain(BASE), 0.8), quality=85, seed=1)
    report = analyze(copy, CTX)
    s = report.signal("reuse.local_edit")
    assert s and iou(s.region, f.box_region(f.STAIN_BOX)) >= 0.5
    assert report.verdict == "edited"


def test_stain_on_a_cropped_mirrored_copy_is_located_in_the_copy():
    stained = f.mirrored(f.crop_fraction(f.paint_stain(BASE), 0.05, 0.05, 0.05, 0.05))
    s = analyze(to_jpeg(stained, 85), CTX).signal("reuse.local_edit")
    x, y, w, h = f.STAIN_BOX
    # crop shifts the box, mirroring flips it
    expected = {"x": 1 - (x - 0.05 + w) / 0.9, "y": (y - 0.05) / 0.9, "w": w / 0.9, "h": h / 0.9}
    assert s and iou(s.region, expected) >= 0.5


def test_unrelated_photo_does_not_match():
    report = analyze(camera_photo(seed=9), CTX)
    assert not {"reuse.listing_match", "reuse.local_edit"} & report.codes()


def _known(data, id_="E7"):
    return KnownFingerprint(id_, fingerprints.of_bytes(data), "dispute 7", image=data)


def test_cross_dispute_near_duplicates():
    stored = camera_photo(pixels=BASE)
    ctx = Context(known=[_known(stored)])
    for copy in (
        to_jpeg(f.resized(decode_rgb(stored), 0.5), 75),
        to_jpeg(f.resized(f.crop_fraction(BASE, 0.05, 0.05, 0.05, 0.05), 0.8), 80),
        to_jpeg(f.mirrored(BASE), 85),
    ):
        s = analyze(copy, ctx).signal("reuse.cross_dispute")
        assert s and s.data["known_id"] == "E7"


def test_cross_dispute_ignores_other_photos():
    ctx = Context(known=[_known(camera_photo(seed=s), f"E{s}") for s in (1, 2, 3)])
    assert analyze(camera_photo(seed=9), ctx).signal("reuse.cross_dispute") is None


def test_triple_keys_and_signed_storage_round_trip():
    h = 0xFEDC_BA98_7654_3210
    keys = fingerprints.keys(h)
    assert len(keys) == 8 and keys[0] == 0xFE << 16 | 0xBA << 8 | 0x54  # bytes 0, 2, 5
    assert fingerprints.to_signed64(h) < 0
    assert fingerprints.from_signed64(fingerprints.to_signed64(h)) == h
    assert fingerprints.hamming(h, h ^ 0b1011) == 3
    # A key survives only while its three bytes are clean: one error in each of bytes 0, 1,
    # 3, 4, 6 and 7 leaves only bytes 2 and 5 clean, and no key is made of those alone.
    near = h ^ (1 << 63) ^ (1 << 50) ^ (1 << 35) ^ (1 << 28) ^ (1 << 12) ^ (1 << 1)
    assert [a == b for a, b in zip(keys, fingerprints.keys(near), strict=True)] == [False] * 8
    one_byte = h ^ (1 << 63) ^ (1 << 60)  # two errors, both in byte 0
    same = [a == b for a, b in zip(keys, fingerprints.keys(one_byte), strict=True)]
    assert same == [i not in (0, 3, 6) for i in range(8)]  # the keys holding byte 0
    stored = fingerprints.Hashes(h, 1, 2)
    assert len(fingerprints.lookup_keys(stored, 1)) == 24
    assert fingerprints.lookup_keys(stored, 1)[0] == 1 << 24 | keys[0]


def test_hashes_propose_and_the_pixels_confirm_resized_and_mirrored_copies():
    stored = camera_photo(pixels=BASE)
    hashes = fingerprints.of_bytes(stored, views=False)
    with_pixels = Context(known=[KnownFingerprint("E8", hashes, image=stored)])
    hashes_only = Context(known=[KnownFingerprint("E8", hashes)])
    for copy in (to_jpeg(f.resized(BASE, 0.5), 75), to_jpeg(f.mirrored(BASE), 85)):
        s = analyze(copy, with_pixels).signal("reuse.cross_dispute")
        assert s and "distances" in s.data and s.data["verification"]["inliers"] >= 12
        # Nothing to verify against: a hash match alone is never called a copy.
        assert analyze(copy, hashes_only).signal("reuse.cross_dispute") is None


def _cut(arr, side, sides=(1, 1, 1, 1)):
    return f.crop_fraction(arr, *(side * k for k in sides))


def test_hashes_find_copies_cropped_ten_percent_per_side():
    """The stored crops' hashes, as the worker's database holds them, find the candidate;
    the verification confirms it with the stored photo."""
    for seed in (5, 6, 7):
        base = scene(640, 480, seed)
        photo = camera_photo(pixels=base)
        stored = fingerprints.of_bytes(photo, views=False)
        ctx = Context(known=[KnownFingerprint("E9", stored, "dispute 9", image=photo)])
        for sides in ((1, 1, 1, 1), (1, 1, 0.5, 0.5), (0.4, 1, 1, 0.6)):
            copy = to_jpeg(f.resized(_cut(base, 0.10, sides), 0.75), 78)
            s = analyze(copy, ctx).signal("reuse.cross_dispute")
            assert s and s.data["known_id"] == "E9" and s.data["cropped"], (seed, sides)
            assert "distances" in s.data, (seed, sides)
        mirrored = to_jpeg(f.mirrored(_cut(base, 0.09)), 85)
        assert analyze(mirrored, ctx).signal("reuse.cross_dispute").data["mirrored"]


def test_a_shift_along_one_axis_with_a_slight_crop_along_the_other_is_found():
    """Nearly all of one side's 10 % gone, little of the opposite side or of the other axis:
    only a view that assumes the shift on x and the grid on y lines up with this one."""
    base = blotches(seed=58)
    stored = fingerprints.of_bytes(camera_photo(pixels=base), views=False)
    copy = to_jpeg(f.resized(f.crop_fraction(base, 0.009, 0.013, 0.097, 0.023), 0.75), 78)
    assert fingerprints.compare(fingerprints.of_bytes(copy), stored)


def test_the_vectorised_rule_is_the_rule(monkeypatch):
    """`closest_matches` keeps exactly the rows `accepts` accepts through an aligned view,
    each with its closest such view, closest rows first; a view never meets a crop it is
    not aligned with."""
    monkeypatch.setattr(fingerprints, "STORED_CROPS", (0.1, 0.2))  # two crops to align with
    rng = random.Random(7)
    base = rng.getrandbits(64)

    def near(bits):
        value = base
        for bit in rng.sample(range(64), bits):
            value ^= 1 << bit
        return value

    views = [
        fingerprints.View(0, False, (0, 0, 1, 1), fingerprints.Hashes(base, base, base)),
        fingerprints.View(0, True, (0, 0, 1, 1), fingerprints.Hashes(near(3), base, near(9))),
        fingerprints.View(1, False, (0, 0, 1, 1), fingerprints.Hashes(base, base, base)),
    ]
    rows = [
        (variant, fingerprints.Hashes(near(p), near(d), near(w)))
        for variant in (0, 1, 2)
        for p, d, w in itertools.product((0, 4, 5, 12, 13, 30), (0, 5, 14, 15), (3, 12, 13))
    ]
    signed = {
        kind: [fingerprints.to_signed64(getattr(h, kind)) for _, h in rows]
        for kind in fingerprints.KINDS
    }
    found = fingerprints.closest_matches(views, [v for v, _ in rows], signed)
    expected = {}
    for j, (variant, hashes) in enumerate(rows):
        accepted = [
            (sum(d.values()), i, d)
            for i, view in enumerate(views)
            if view.variant == variant
            and fingerprints.accepts(d := view.hashes.distances(hashes))[0]
        ]
        if accepted:
            expected[j] = min(accepted, key=lambda a: (a[0], a[1]))
    assert {row for row, _ in found} == set(expected) and 0 < len(found) < len(rows)
    for row, match in found:
        _, view, distances = expected[row]
        assert match.distances == distances and match.mirrored == views[view].mirrored
    totals = [sum(match.distances.values()) for _, match in found]
    assert totals == sorted(totals)
    assert len(fingerprints.closest_matches(views, [v for v, _ in rows], signed, limit=3)) == 3


def test_cropped_views_do_not_match_unrelated_photos():
    stored = [fingerprints.of_bytes(camera_photo(seed=s), views=False) for s in range(20, 40)]
    for seed in range(40, 55):
        query = fingerprints.of_bytes(camera_photo(seed=seed))
        assert all(fingerprints.compare(query, other) is None for other in stored), seed


def test_the_engine_hands_its_fingerprints_to_the_lookup_once():
    stored = camera_photo(pixels=BASE)
    seen = []

    def lookup(query):
        seen.append(query)
        hashes = fingerprints.of_bytes(stored, views=False)
        return [KnownFingerprint("E3", hashes, "dispute 3", image=stored)]

    copy = to_jpeg(f.resized(_cut(BASE, 0.08), 0.6), 80)
    report = analyze(copy, Context(lookup=lookup))
    assert len(seen) == 1 and seen[0] is report.fingerprints
    assert len(report.fingerprints.views) == 2 * len(fingerprints.view_boxes())
    assert report.signal("reuse.cross_dispute").data["known_id"] == "E3"
