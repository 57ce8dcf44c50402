"""Reuse of a picture already on file: the merchant's own listing photo or packing photo of
the order (possibly with a painted-on defect), evidence already filed in another dispute, or
another merchant's listing photo.

A listing photo explains a copy of it: a buyer's photo that is the listing photo is reported
as that (``reuse.listing_match``), not as evidence of the other disputes that filed the same
listing photo too. So known images are tried by kind, listing photos first (``KNOWN_ORDER``),
and only the first kind that matches yields a signal; a plain copy of the order's own listing
photo looks no further. An edited copy of it still may be a copy of another dispute's
edited copy (the same fake filed twice), so evidence of other disputes is still searched."""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

from . import fingerprints, regions, verify
from .align import Alignment, align
from .decoded import Decoded, decode
from .types import (
    KNOWN_EVIDENCE,
    KNOWN_OTHER_LISTING,
    KNOWN_OWN_LISTING,
    REFERENCE_PACKING,
    Context,
    KnownFingerprint,
    Reference,
    Result,
    Signal,
)
from .wording import phrase, said

LISTING_NCC = 0.85  # aligned correlation above which the evidence is the listing photo
DIFF_SIDE = 512
DIFF_MIN = 28.0  # gray levels: smaller differences are resampling/JPEG noise
DIFF_MAD_K = 8.0
EDGE_MARGIN = 0.02
MIN_EDIT_AREA = 0.0015  # of the image
MAX_EDIT_AREA = 0.5
LISTING_SCORE = 0.8
EDIT_SCORE = 0.9
CROSS_SCORE = 0.85
KNOWN_ORDER = (KNOWN_OWN_LISTING, KNOWN_OTHER_LISTING, KNOWN_EVIDENCE)
MAX_VERIFIED = 5  # candidates verified per image, closest hashes first


def run(img: Decoded, context: Context) -> Result:
    fp = img.fingerprints
    known = [*context.known, *(context.lookup(fp) if context.lookup else [])]
    signals = _listing(img, context.listing) if context.listing else []
    return Result(
        signals + _known(img, fp, known, signals), metadata={"fingerprints": fp.to_dict()}
    )


def _known(
    img: Decoded,
    fp: fingerprints.Fingerprints,
    known: list[KnownFingerprint],
    listing: list[Signal],
) -> list[Signal]:
    """The match with the first kind of known image that has one (see the module doc)."""
    codes = {s.code for s in listing}
    if "reuse.local_edit" in codes:
        kinds: tuple[str, ...] = (KNOWN_EVIDENCE,)
    elif codes:
        return []
    else:
        kinds = KNOWN_ORDER
    for kind in kinds:
        if signals := _cross_dispute(img, fp, [k for k in known if k.kind == kind]):
            return signals
    return []


def _same_photo(img: Decoded, data: bytes | None, sha256: str | None = None):
    """`verify.verify` of the image against a candidate's bytes (the same file passes)."""
    if not data or img.verification is None:
        return None
    if (sha256 or hashlib.sha256(data).hexdigest()) == img.sha256:
        return verify.Verified(0, 0, 0.0, False, {"x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0})
    other = verify.Features.of_bytes(data)
    return verify.verify(img.verification, other) if other is not None else None


def _cross_dispute(
    img: Decoded, fp: fingerprints.Fingerprints, known_images: list[KnownFingerprint]
) -> list[Signal]:
    """The first known image that passes the verification, tried closest first: those whose
    hashes match one of this image's aligned views (see `fingerprints`), then the others
    given with their bytes. Hashes only propose: an image known by its hashes alone, with
    no pixels to verify against, is never called a copy."""
    hashed = []
    for known in known_images:
        match = fingerprints.compare(fp, known.fingerprints)
        hashed.append((match is None, sum(match.distances.values()) if match else 0, known, match))
    hashed.sort(key=lambda item: item[:2])
    tried = [(known, match) for _, _, known, match in hashed if known.image][:MAX_VERIFIED]
    for known, match in tried:
        verified = _same_photo(img, known.image, known.fingerprints.sha256)
        if verified is None:
            continue
        data = {
            "known_id": known.id,
            "mirrored": verified.mirrored,
            "cropped": verified.cropped or bool(match and match.cropped),
            "box": verified.box,
            "verification": verified.to_dict(),
        }
        if match is not None:
            data["distances"] = match.distances
        return [_cross_signal(known, verified.mirrored, data)]
    return []


def _cross_signal(known: KnownFingerprint, mirrored: bool, data: dict) -> Signal:
    """The signal a match with ``known`` yields, by what ``known`` is."""
    how = phrase("reuse.how.mirrored" if mirrored else "reuse.how.near")
    name = known.label or known.id
    if known.kind == KNOWN_OWN_LISTING:
        data = {"reference_id": known.id, **{k: v for k, v in data.items() if k != "known_id"}}
        words = said("reuse.listing", how=how, name=name, cropped="")
        return Signal("reuse.listing_match", LISTING_SCORE, data=data, **words)
    if known.kind == KNOWN_OTHER_LISTING:
        words = said("reuse.elsewhere", how=how, name=name)
        return Signal("reuse.listing_elsewhere", CROSS_SCORE, data=data, **words)
    words = said("reuse.cross", how=how, name=name)
    return Signal("reuse.cross_dispute", CROSS_SCORE, data=data, **words)


def _listing(img: Decoded, listing: list[Reference]) -> list[Signal]:
    """The best-aligned listing photo that also passes the verification: the alignment's
    correlation alone is high for any two packshots on white."""
    best: tuple[Alignment, Reference, Image.Image, verify.Verified] | None = None
    for ref in listing:
        ref_img = decode(ref.image, max_side=DIFF_SIDE).image
        if ref.image and hashlib.sha256(ref.image).hexdigest() == img.sha256:
            a = Alignment(1.0, False, 0.0, 0.0, 1.0, 1.0)
        else:
            a = align(img.work, ref_img)
        if a.ncc < LISTING_NCC or (best is not None and a.ncc <= best[0].ncc):
            continue
        verified = _same_photo(img, ref.image)
        if verified is not None:
            best = (a, ref, ref_img, verified)
    if best is None:
        return []
    a, ref, ref_img, verified = best
    name = ref.label or ref.id
    packing = ref.kind == REFERENCE_PACKING
    how = phrase("reuse.how.mirrored" if a.mirrored else "reuse.how.copy")
    crop = a.w < 0.985 or a.h < 0.985
    signals = [
        Signal(
            "reuse.listing_match",
            LISTING_SCORE,
            **said(
                "reuse.packing" if packing else "reuse.listing",
                how=how,
                name=name,
                cropped=phrase("reuse.cropped") if crop else "",
            ),
            data={
                "reference_id": ref.id,
                "reference_kind": ref.kind,
                "ncc": round(a.ncc, 3),
                "mirrored": a.mirrored,
                "crop": {
                    "x": round(a.x, 3),
                    "y": round(a.y, 3),
                    "w": round(a.w, 3),
                    "h": round(a.h, 3),
                },
                "verification": verified.to_dict(),
            },
        )
    ]
    edit = _local_edit(img.work, ref_img, a)
    if edit:
        boxes, area = edit
        signals.append(
            Signal(
                "reuse.local_edit",
                EDIT_SCORE,
                **said(
                    "reuse.local_edit.packing" if packing else "reuse.local_edit",
                    name=name,
                    percent=round(area * 100, 1),
                ),
                region=boxes[0],
                regions=boxes if len(boxes) > 1 else None,
                data={"reference_id": ref.id, "reference_kind": ref.kind},
            )
        )
    return signals


def _local_edit(copy: Image.Image, reference: Image.Image, a: Alignment):
    """Warp the copy onto the reference, diff, and box the changed components
    (in the copy's own coordinates)."""
    if a.mirrored:
        copy = ImageOps.mirror(copy)
    rw, rh = reference.size
    x0, y0 = round(a.x * rw), round(a.y * rh)
    cw, ch = max(8, round(a.w * rw)), max(8, round(a.h * rh))
    ref = np.asarray(reference, np.float32)
    moved = np.asarray(copy.resize((cw, ch), Image.Resampling.BILINEAR), np.float32)
    x0, y0 = _refine(ref, moved, x0, y0)
    patch = ref[y0 : y0 + ch, x0 : x0 + cw]
    if patch.shape != moved.shape:
        return None
    patch = ndimage.gaussian_filter(patch, 1.2)
    moved = ndimage.gaussian_filter(moved, 1.2)
    sub = (slice(None, None, 4), slice(None, None, 4))
    gain, offset = np.polyfit(patch[sub].ravel(), moved[sub].ravel(), 1)
    diff = np.abs(moved - (gain * patch + offset))
    m = max(2, round(EDGE_MARGIN * max(cw, ch)))
    diff[:m], diff[-m:], diff[:, :m], diff[:, -m:] = 0, 0, 0, 0
    med = float(np.median(diff))
    mad = float(np.median(np.abs(diff - med))) * 1.4826
    mask = diff > max(DIFF_MIN, med + DIFF_MAD_K * mad)
    mask = ndimage.binary_opening(mask, iterations=2)
    area = float(mask.mean())
    if area < MIN_EDIT_AREA or area > MAX_EDIT_AREA:
        return None
    min_cells = int(MIN_EDIT_AREA * mask.size)
    found = regions.boxes(ndimage.binary_closing(mask, iterations=3), min_cells=min_cells)
    if not found:
        return None
    out = []
    for bx0, by0, bx1, by1, _ in found:
        if a.mirrored:
            bx0, bx1 = cw - bx1, cw - bx0
        out.append(regions.region(bx0, by0, bx1, by1, cw, ch))
    return out, area


def _refine(ref: np.ndarray, moved: np.ndarray, x0: int, y0: int, r: int = 3) -> tuple[int, int]:
    """Nudge the placement by a few pixels at the diff resolution."""
    from .align import ncc_map

    ch, cw = moved.shape
    rh, rw = ref.shape
    ya, xa = max(0, y0 - r), max(0, x0 - r)
    yb, xb = min(rh, y0 + ch + r), min(rw, x0 + cw + r)
    window = ref[ya:yb, xa:xb]
    if window.shape[0] < ch or window.shape[1] < cw:
        return min(x0, rw - cw), min(y0, rh - ch)
    scores = ncc_map(window, moved)
    dy, dx = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return xa + int(dx), ya + int(dy)
