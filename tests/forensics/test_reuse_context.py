"""What a match means depends on what was matched: evidence of another dispute is reuse, the
merchant's own listing photo is a copy of the listing, another merchant's listing photo is
worth telling but weighs next to nothing; and reuse is its own verdict, never ``edited``."""

from evidence.forensics import (
    KNOWN_OTHER_LISTING,
    KNOWN_OWN_LISTING,
    Context,
    KnownFingerprint,
    Reference,
    analyze,
    fingerprints,
)
from evidence.forensics.aggregate import SUSPICIOUS, aggregate
from evidence.forensics.types import Signal
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, scene, to_jpeg

BASE = scene(640, 480, 5)
STORED_BYTES = camera_photo(pixels=BASE)
STORED = fingerprints.of_bytes(STORED_BYTES, views=False)
COPY = to_jpeg(f.resized(f.crop_fraction(BASE, 0.05, 0.05, 0.05, 0.05), 0.8), 80)


def known(kind=None, id_="E7"):
    """A stored image as the worker hands it over: its hashes and its bytes (the hashes
    only propose a match; the verification decides on the pixels)."""
    extra = {"kind": kind} if kind else {}
    return KnownFingerprint(id_, STORED, f"stored {id_}", image=STORED_BYTES, **extra)


def test_a_copy_of_another_disputes_evidence_is_reused_not_edited():
    report = analyze(COPY, Context(known=[known()]))
    assert report.signal("reuse.cross_dispute").data["known_id"] == "E7"
    assert report.verdict == "reused"


def test_a_copy_of_the_merchants_listing_photo_on_another_order_is_a_listing_match():
    report = analyze(COPY, Context(known=[known(KNOWN_OWN_LISTING, "L9")]))
    match = report.signal("reuse.listing_match")
    assert match.data["reference_id"] == "L9" and "known_id" not in match.data
    assert "listing photo" in match.detail
    assert report.signal("reuse.cross_dispute") is None
    assert report.verdict == "reused"


def test_another_merchants_listing_photo_is_told_but_weighs_next_to_nothing():
    report = analyze(COPY, Context(known=[known(KNOWN_OTHER_LISTING, "L3")]))
    elsewhere = report.signal("reuse.listing_elsewhere")
    assert elsewhere.data["known_id"] == "L3" and "another merchant" in elsewhere.detail
    assert {c for c in report.codes() if c.startswith("reuse.")} == {"reuse.listing_elsewhere"}
    assert report.verdict == "no_findings"
    score, verdict = aggregate([elsewhere])
    assert verdict == "no_findings" and score < SUSPICIOUS / 2


def test_the_listing_photo_explains_a_copy_that_other_disputes_filed_too():
    """Two buyers filing the merchant's listing photo copy the listing, not each other."""
    evidence, listing = known(id_="E7"), known(KNOWN_OWN_LISTING, "L9")
    for order in ([evidence, listing], [listing, evidence]):
        report = analyze(COPY, Context(known=order))
        assert report.signal("reuse.listing_match").data["reference_id"] == "L9"
        assert report.signal("reuse.cross_dispute") is None


def test_a_plain_copy_of_the_orders_listing_photo_is_not_also_cross_dispute():
    listing = camera_photo(pixels=BASE, quality=92)
    context = Context(listing=[Reference("L1", listing)], known=[known(id_="E7")])
    report = analyze(COPY, context)
    assert report.signal("reuse.listing_match").data["reference_id"] == "L1"
    assert report.signal("reuse.cross_dispute") is None
    assert report.verdict == "reused"


def test_a_painted_listing_photo_is_edited_and_still_found_in_other_disputes():
    """The same fake filed twice: the edit is the verdict, the earlier copy still named."""
    stained = camera_photo(pixels=f.resized(f.paint_stain(BASE), 0.8), quality=85, seed=1)
    stored = fingerprints.of_bytes(stained, views=False)
    earlier = KnownFingerprint("E5", stored, "dispute 5", image=stained)
    listing = Reference("L1", camera_photo(pixels=BASE, quality=92))
    report = analyze(stained, Context(listing=[listing], known=[earlier]))
    assert {"reuse.local_edit", "reuse.cross_dispute"} <= report.codes()
    assert report.verdict == "edited"


def sig(code, score):
    return Signal(code, score)


def test_reuse_signals_alone_never_make_a_photo_edited():
    for code in ("reuse.cross_dispute", "reuse.listing_match"):
        score, verdict = aggregate([sig(code, 0.85)])
        assert verdict == "reused" and score >= 0.7, code
    assert aggregate([sig("reuse.cross_dispute", 0.85), sig("pixel.ela", 0.3)])[1] == "reused"


def test_changed_pixels_are_edited_whether_or_not_the_photo_is_also_a_copy():
    assert aggregate([sig("reuse.listing_match", 0.8), sig("reuse.local_edit", 0.9)])[1] == "edited"
    both = [sig("reuse.cross_dispute", 0.85), sig("pixel.copy_move", 0.7)]
    assert aggregate(both)[1] == "edited"
    combined = [
        sig("reuse.cross_dispute", 0.85),
        sig("pixel.ela", 0.9),
        sig("pixel.noise_inconsistency", 0.9),
    ]
    assert aggregate(combined)[1] == "edited"


def test_ai_provenance_still_comes_first():
    signals = [sig("reuse.cross_dispute", 0.85), sig("provenance.c2pa_ai", 1.0)]
    assert aggregate(signals)[1] == "ai_generated"
