"""Reuse of listing photos and of evidence from other disputes; fingerprint banding."""

import itertools

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


def test_bands_and_signed_storage_round_trip():
    h = 0xFEDC_BA98_7654_3210
    assert fingerprints.bands(h) == (0xFEDC, 0xBA98, 0x7654, 0x3210)
    assert fingerprints.to_signed64(h) < 0
    assert fingerprints.from_signed64(fingerprints.to_signed64(h)) == h
    assert fingerprints.hamming(h, h ^ 0b1011) == 3
    near = h ^ (1 << 5) ^ (1 << 40) ^ (1 << 63)  # 3 bits off: one band is untouched
    same = [a == b for a, b in zip(fingerprints.bands(h), fingerprints.bands(near), strict=True)]
    assert same == [False, False, True, False]
    assert fingerprints.band_keys(h, 1)[0] == 1 << 16 | 0xFEDC


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


def test_the_database_screen_keeps_every_match_the_rule_accepts():
    """The lookup tests `screen()` before the rule; it may let non-matches through, never
    drop a match."""
    for p, d, w in itertools.product(range(65), repeat=3):
        dist = {"phash": p, "dhash": d, "whash": w}
        if fingerprints.accepts(dist)[0]:
            assert any(dist[kind] <= bound for kind, bound in fingerprints.screen()), dist


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
