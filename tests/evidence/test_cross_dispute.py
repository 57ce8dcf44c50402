"""Evidence reused across disputes: found through the stored fingerprints even when cropped
by 10 % per side, re-encoded and mirrored; unrelated photos are not; one decode per analysis."""

import io

import pytest
from PIL import Image

from arbitration import services
from evidence import analysis, forensics
from evidence.forensics import decoded
from evidence.forensics import fingerprints as fp
from evidence.models import Fingerprint
from evidence.selectors import near_duplicates
from tests.evidence.test_pipeline import cropped, product_photo, upload
from tests.factories import OrderFactory
from tests.fixtures.packshots import flat_objects, scarf_in_box
from tests.fixtures.photos import to_jpeg


def _claim(buyer, data: bytes, description="cracked"):
    dispute = services.dispute_open(
        order=OrderFactory(buyer=buyer),
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description=description,
        files=[upload(data)],
    )
    return dispute.evidence.get()


def _mirrored(data: bytes) -> bytes:
    img = Image.open(io.BytesIO(data)).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


# Fractions of 10 % cut from (left, top, right, bottom).
@pytest.mark.parametrize(
    "sides",
    [
        (1, 1, 1, 1),
        (1, 1, 0.5, 0.5),
        (0.5, 0.5, 1, 1),
        (1, 0.3, 0.5, 1),
        (1, 0, 0, 1),
        (0, 1, 1, 0),
    ],
    ids=["all-sides", "more-top-left", "more-bottom-right", "uneven", "shift-1", "shift-2"],
)
def test_a_copy_cropped_ten_percent_per_side_in_another_dispute_is_reuse(buyer, outsider, sides):
    original = _claim(buyer, product_photo(seed=11))
    analysis.analyze_evidence(original.pk)
    copy = _claim(outsider, cropped(product_photo(seed=11), 0.10, sides, quality=75, scale=0.7))
    report = analysis.analyze_evidence(copy.pk)
    reuse = report.signals.get(code="reuse.cross_dispute")
    assert reuse.data["known_id"] == str(original.pk)
    assert "distances" in reuse.data  # found by the fingerprints, not by pixel alignment
    assert reuse.data["cropped"] is True


def test_a_mirrored_cropped_copy_is_reuse(buyer, outsider):
    original = _claim(buyer, product_photo(seed=12))
    analysis.analyze_evidence(original.pk)
    copy = _claim(outsider, _mirrored(cropped(product_photo(seed=12), 0.08)))
    reuse = analysis.analyze_evidence(copy.pk).signals.get(code="reuse.cross_dispute")
    assert reuse.data["known_id"] == str(original.pk)
    assert reuse.data["mirrored"] is True


def test_an_unrelated_photo_in_another_dispute_is_not_reuse(buyer, outsider):
    for seed in (21, 22, 23):
        analysis.analyze_evidence(_claim(buyer, product_photo(seed=seed)).pk)
    other = _claim(outsider, product_photo(seed=24))
    report = analysis.analyze_evidence(other.pk)
    assert not report.signals.filter(code="reuse.cross_dispute").exists()


def test_each_stored_crop_is_one_row_keyed_for_its_triple_keys(buyer):
    item = _claim(buyer, product_photo(seed=13))
    report = analysis.analyze_evidence(item.pk)
    rows = Fingerprint.objects.filter(evidence=item).order_by("variant")
    assert [row.variant for row in rows] == list(range(len(fp.STORED_CROPS)))
    stored = fp.of_bytes(product_photo(seed=13), views=False).stored
    for row in rows:
        assert row.k0 >> fp.KEY_BITS == row.variant
        assert (row.k23 & 0xFFFFFF) == fp.keys(fp.from_signed64(row.whash))[7]
        assert fp.hamming(fp.from_signed64(row.phash), stored[row.variant].phash) <= 4
    assert report.metadata["fingerprints"]["phash"] == f"{fp.from_signed64(rows[0].phash):016x}"


def test_fingerprints_without_views_look_up_with_their_stored_crop(buyer):
    item = _claim(buyer, product_photo(seed=14))
    analysis.analyze_evidence(item.pk)
    stored_only = fp.of_bytes(product_photo(seed=14), views=False)
    assert [m.evidence_id for m in near_duplicates(stored_only)] == [item.pk]


def test_one_analysis_decodes_and_hashes_the_image_once(buyer, outsider, monkeypatch):
    analysis.analyze_evidence(_claim(buyer, product_photo(seed=15)).pk)
    item = _claim(outsider, cropped(product_photo(seed=15), 0.05))
    calls = {"decode": 0, "compute": 0}
    real_decode, real_compute = decoded.decode, fp.compute

    def counting_decode(*args, **kwargs):
        calls["decode"] += 1
        return real_decode(*args, **kwargs)

    def counting_compute(*args, **kwargs):
        calls["compute"] += 1
        return real_compute(*args, **kwargs)

    monkeypatch.setattr(decoded, "decode", counting_decode)
    monkeypatch.setattr(forensics, "decode", counting_decode)
    monkeypatch.setattr(fp, "compute", counting_compute)
    report = analysis.analyze_evidence(item.pk)
    assert report.signals.filter(code="reuse.cross_dispute").exists()
    assert calls == {"decode": 1, "compute": 1}


def test_flat_objects_are_not_reuse_of_a_packing_photo_the_hashes_propose(buyer, outsider):
    """The production false match, through the worker: the stored packing photo's hashes
    match the buyer's photo of flat objects on a plain sheet (mirrored), the worker hands the
    engine the stored original, and the verification refuses the match."""
    scarf, flat = to_jpeg(scarf_in_box(), 90), to_jpeg(flat_objects(), 90)
    packing = _claim(outsider, scarf)
    analysis.analyze_evidence(packing.pk)
    claim = _claim(buyer, flat)
    assert [m.evidence_id for m in near_duplicates(fp.of_bytes(flat))] == [packing.pk]
    report = analysis.analyze_evidence(claim.pk)
    assert not report.signals.filter(code="reuse.cross_dispute").exists()
    assert report.verdict != "edited"
