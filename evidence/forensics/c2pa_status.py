"""What a C2PA validation status code says about a file: the vocabulary of `c2pa_manifest`.

Codes are those of the C2PA specification (§15 "Validation", standard status codes) as
c2pa-rs reports them, plus the CAWG identity-assertion codes (``cawg.*``). Each failure
code falls in one class, and `validate` sums a reader's store up as the file's integrity
and the signer's credential; `c2pa_manifest`'s docstring says what each class does to the
verdict and why.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANGED = "changed"  # the bytes or the signed claim no longer match: altered after signing
CREDENTIAL = "credential"  # the signer cannot be vouched for; the content is as signed
IDENTITY = "identity"  # a CAWG identity assertion does not verify; says who, not what
UNVERIFIABLE = "unverifiable"  # the reader could not check (malformed, unsupported, unknown)
INTACT, NOT_VERIFIABLE = "intact", "not_verifiable"  # integrity, beside CHANGED

# A hash over the asset's bytes, the claim signature, or the claim's own references failed.
CHANGED_CODES = frozenset(
    {
        "assertion.dataHash.mismatch",
        "assertion.bmffHash.mismatch",
        "assertion.boxesHash.mismatch",
        "assertion.boxesHash.unknownBox",
        "assertion.collectionHash.mismatch",
        "claimSignature.mismatch",
        "claimSignature.missing",
        "assertion.hashedURI.mismatch",
        "hashedURI.mismatch",
        "ingredient.hashedURI.mismatch",
        "ingredient.manifest.mismatch",
        "ingredient.claimSignature.mismatch",
        "assertion.missing",
        "assertion.undeclared",
        "assertion.outsideManifest",
        "assertion.required.missing",
        "assertion.multipleHardBindings",
        "assertion.cloud-data.hardBinding",
        "claim.hardBindings.missing",
        "claim.missing",
    }
)
# Hard bindings whose ``.match`` beside a ``.mismatch`` on the same assertion means the
# bytes hashed as signed and only the exclusion layout was refused (newer c2pa-rs checks
# that the excluded range is exactly where the manifest sits; older writers differ).
HASH_BINDINGS = ("assertion.dataHash", "assertion.boxesHash", "assertion.bmffHash")
CREDENTIAL_PREFIXES = ("signingCredential.", "timeStamp.", "claimSignature.outsideValidity")
CREDENTIAL_CODES = frozenset({"algorithm.deprecated"})

# How a credential problem is named in the report, the worst first.
CREDENTIAL_STATES = (
    ("signingCredential.ocsp.revoked", "revoked"),
    ("signingCredential.revoked", "revoked"),
    ("signingCredential.expired", "expired"),
    ("claimSignature.outsideValidity", "expired"),
    ("signingCredential.invalid", "invalid"),
    ("signingCredential.untrusted", "untrusted"),
)


def classify(code: str) -> str:
    """The class of one failure code; unknown codes are UNVERIFIABLE, never CHANGED."""
    if code in CHANGED_CODES:
        return CHANGED
    if code.startswith("cawg."):
        return IDENTITY
    if code in CREDENTIAL_CODES or code.startswith(CREDENTIAL_PREFIXES):
        return CREDENTIAL
    return UNVERIFIABLE


def credential_state(codes: set[str], trusted: bool) -> str:
    """'trusted', 'revoked', 'expired', 'invalid' or 'untrusted'."""
    if trusted:
        return "trusted"
    return next((name for code, name in CREDENTIAL_STATES if code in codes), "untrusted")


def layout_only(failure: dict, successes: list[dict]) -> bool:
    """A hard-binding mismatch on an assertion whose hash itself matched (see HASH_BINDINGS)."""
    code = failure.get("code", "")
    for binding in HASH_BINDINGS:
        if code == f"{binding}.mismatch":
            match = f"{binding}.match"
            url = failure.get("url")
            return any(s.get("code") == match and s.get("url") == url for s in successes)
    return False


@dataclass(frozen=True)
class Check:
    """What a store's validation results say about the file and its signer."""

    integrity: str
    credential: str
    codes: frozenset[str]  # every failure code, active manifest and ingredient deltas
    changed: tuple[str, ...]
    unverified: tuple[str, ...]
    identity: bool
    in_ingredient: bool  # the changes are only in an ingredient's manifest


def validate(store: dict, trusted: bool) -> Check:
    """Classify a reader store's failures: the active manifest's and the ingredient deltas'."""
    results = store.get("validation_results") or {}
    active = results.get("activeManifest")
    if active is None:  # a store without per-manifest results lists only its failures
        failures, successes = list(store.get("validation_status") or []), []
    else:
        failures, successes = list(active.get("failure") or []), list(active.get("success") or [])
    deltas = [
        f
        for d in results.get("ingredientDeltas") or []
        for f in (d.get("validationDeltas") or {}).get("failure") or []
    ]
    layout = [f for f in failures if layout_only(f, successes)]
    measured = [f for f in failures + deltas if f not in layout]
    codes = {f.get("code") or "" for f in failures + deltas} - {""}
    changed = {f.get("code") for f in measured if classify(f.get("code") or "") == CHANGED}
    changed_active = [f for f in failures if f in measured and f.get("code") in changed]
    unverified = {c for c in codes if classify(c) == UNVERIFIABLE}
    unverified |= {f"{f.get('code')} (exclusion layout only)" for f in layout}
    if changed:
        integrity = CHANGED
    elif unverified:
        integrity = NOT_VERIFIABLE
    else:
        integrity = INTACT
    active_codes = {f.get("code") or "" for f in failures}
    return Check(
        integrity=integrity,
        credential=credential_state(active_codes, trusted),
        codes=frozenset(codes),
        changed=tuple(sorted(changed)),
        unverified=tuple(sorted(unverified)),
        identity=any(classify(c) == IDENTITY for c in codes),
        in_ingredient=bool(changed) and not changed_active,
    )
