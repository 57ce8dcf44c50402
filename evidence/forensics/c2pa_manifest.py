"""C2PA manifests read with c2pa-python: AI source types, camera capture, failed validation.

What the reader's failure codes mean here (`c2pa_status` lists the codes and classes them):

- **Changed** (``provenance.c2pa_invalid``): a hash over the file's bytes
  (``assertion.dataHash/boxesHash/bmffHash.mismatch``), the claim signature
  (``claimSignature.mismatch``/``.missing``) or the claim's own references
  (``assertion.hashedURI.mismatch``, ``assertion.missing``, ``assertion.required.missing``,
  ``claim.hardBindings.missing``...) fails, in the active manifest or in an ingredient's
  manifest the file carries. Only these measure that something signed is no longer as it
  was signed. What such a manifest declares is not reported: it may not describe these bytes.
- **Credential** (no finding): ``signingCredential.untrusted``/``.invalid``/``.expired``/
  ``.ocsp.revoked``, ``claimSignature.outsideValidity``, ``timeStamp.*``. The signature
  verifies with the certificate in the file, so the file is as its signer made it; we only
  cannot vouch for *who* that was. Certificates without a trusted time-stamp are checked
  against today's date, so real Black Forest Labs and OpenAI/Sora files read "expired"
  months after they were made; Samsung's Galaxy certificate lacks the EKU c2pa-rs wants
  ("invalid"). The declarations stand: an AI source type is reported as such (nobody
  forges a confession), a capture counts only as an untrusted one (0.4, and none when the
  certificate was revoked), and the signal detail names the credential's state.
- **Identity** (no finding): CAWG identity-assertion codes (``cawg.*``: DID unavailable,
  identity signature mismatch, ``valid_until`` passed, untrusted identity credential).
  They say the named person or organisation is unproven; the content hashes are separate.
- **Not verifiable** (no finding): a remote (cloud) manifest, which is never fetched (an
  upload must not make the server call a URL its uploader chose), a manifest the reader
  cannot parse, ``algorithm.unsupported``, ``general.error`` and any code not listed, and a
  data-hash "mismatch" on an assertion whose hash itself matched (newer c2pa-rs refuses
  an exclusion range that is not exactly where the manifest sits; 2023 Truepic captures
  read so). Breaking a manifest is no stronger evidence than stripping it, which anyone can
  do, so none of these accuses; but no capture credit is given either.

AI source types are read from the active manifest's actions and, following ``parentOf``
ingredients (the one ``c2pa.opened`` names), from the manifests the file was made from:
ChatGPT and Gemini sign an active manifest that only records ``c2pa.opened`` and edits of
a parent whose manifest says ``trainedAlgorithmicMedia``. A parent whose own validation
shows a change is not followed. Components (``componentOf``/``inputTo``) are not followed:
a composite's signer declares ``compositeWithTrainedAlgorithmicMedia`` itself when it
applies (Samsung Galaxy AI edits do).

Trust is decided by the configured anchors only (PEM); without anchors a valid signature
is reported as "valid but untrusted". The metadata ``c2pa`` entry says ``integrity``
(intact / changed / not_verifiable) and ``credential`` (trusted / untrusted / expired /
invalid / revoked) beside the reader's ``state``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from .c2pa_names import product, soft_bindings
from .c2pa_status import CHANGED, INTACT, NOT_VERIFIABLE, Check, classify, validate
from .decoded import Decoded
from .source_types import CAPTURE_TYPES, COMPOSITE_TRAINED, TRAINED, short_name
from .types import AUTHENTIC, Context, Result, Signal
from .wording import phrase, said

AI_SOURCE_TYPES = {TRAINED: 0.97, COMPOSITE_TRAINED: 0.9}  # `source_types` says why only these
CAPTURE_SOURCE_TYPES = CAPTURE_TYPES
CAPTURE_SCORE_TRUSTED = 0.9
CAPTURE_SCORE_UNTRUSTED = 0.4
INVALID_SCORE = 0.8
MAX_ANCESTORS = 16  # parentOf chains are a few links long; the bound guards a crafted store
HASH_CODES = {"assertion.dataHash.mismatch", "assertion.bmffHash.mismatch"}
HASH_CODES |= {"assertion.boxesHash.mismatch", "assertion.collectionHash.mismatch"}
MIME = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIC": "image/heic",
    "HEIF": "image/heif",
}
CREDENTIAL_NOTE = {  # the `wording` key of why a signer is not trusted
    "untrusted": "",
    "expired": "c2pa.credential.expired",
    "invalid": "c2pa.credential.invalid",
    "revoked": "c2pa.credential.revoked",
}


def run(img: Decoded, context: Context) -> Result:
    mime = MIME.get(img.format)
    if mime is None or (b"c2pa" not in img.data and b"provenance" not in img.data):
        return Result([], metadata={"c2pa": "absent"})
    return read_manifest(img.data, mime, context)


def read_manifest(data: bytes, mime: str, context: Context) -> Result:
    """The signals of the manifest store in `data` (any format c2pa-rs reads: images, and
    MP4/MOV with the store in a `uuid` box), by the rules above."""
    trust = Trust(context.trust_anchors_pem, context.tsa_anchors_pem)
    try:
        store = _read(data, mime, trust)
    except _NoManifest:
        return Result([], metadata={"c2pa": "absent"})
    except _Remote as exc:
        meta = {"state": "remote", "integrity": NOT_VERIFIABLE, "url": str(exc)[:300]}
        return Result([], metadata={"c2pa": meta})
    except _Unreadable as exc:
        meta = {"state": "unreadable", "integrity": NOT_VERIFIABLE, "error": str(exc)[:300]}
        return Result([], metadata={"c2pa": meta})
    if store["_state"] == "Trusted" and trust.tsa and not _signer_anchored(data, mime, trust):
        store["_state"] = "Valid"
    return judge(store, anchors=bool(trust.signers))


class _NoManifest(Exception):
    pass


class _Remote(Exception):
    """The file points to a manifest stored elsewhere; the message is its URL."""


class _Unreadable(Exception):
    pass


@dataclass(frozen=True)
class Trust:
    """The configured PEM lists: `signers` the C2PA trust list (the conformance trust list
    in production), `tsa` the time-stamping authorities' list."""

    signers: str | None = None
    tsa: str | None = None


def reader_settings(trust: Trust, with_tsa: bool = True) -> dict:
    """c2pa-rs settings: nothing fetched (OCSP, remote manifests), the configured lists."""
    settings: dict = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    anchors = []
    if trust.signers:
        anchors.append({"trust_anchors": trust.signers, "trust_kind": "manifest"})
    if trust.tsa and with_tsa:
        anchors.append({"trust_anchors": trust.tsa, "trust_kind": "tsa"})
        settings["verify"]["strict_trust_purposes"] = True
    if anchors:
        settings["trust"] = {"anchors": anchors}
    return settings


def _signer_anchored(data: bytes, mime: str, trust: Trust) -> bool:
    """Whether a signer found trusted also chains to the signers' list alone: c2pa-python
    0.38.1 accepts the lists' kinds but lets any anchor vouch for a signer, and a public
    TSA root must not make an S/MIME certificate under it a trusted C2PA signer. Without
    the time-stamp list a lapsed certificate reads expired, never untrusted."""
    store = _read(data, mime, trust, with_tsa=False)
    if store["_state"] == "Trusted":
        return True
    codes = {
        f.get("code")
        for f in (store.get("validation_results") or {}).get("activeManifest", {}).get("failure")
        or []
    }
    return bool(trust.signers) and "signingCredential.untrusted" not in codes


def _read(data: bytes, mime: str, trust: Trust, with_tsa: bool = True) -> dict:
    import c2pa  # deferred: loading the native library costs time when no manifest exists

    try:
        ctx = c2pa.Context.from_dict(reader_settings(trust, with_tsa))
        with c2pa.Reader(mime, io.BytesIO(data), context=ctx) as reader:
            store = json.loads(reader.json())
            store["_state"] = reader.get_validation_state()
            return store
    except c2pa.C2paError as exc:
        message = str(exc)
        if "ManifestNotFound" in type(exc).__name__ or "no JUMBF" in message:
            raise _NoManifest from exc
        if isinstance(exc, c2pa.C2paError.RemoteManifest) or message.startswith("Remote"):
            raise _Remote(message.rsplit(" url ", 1)[-1]) from exc
        raise _Unreadable(message) from exc


@dataclass(frozen=True)
class _Declaration:
    source_type: str
    score: float
    signer: str
    in_parent: bool
    generator: str  # the declaring manifest's tool, in plain words


def judge(store: dict, anchors: bool) -> Result:
    """The signals a reader's manifest store (its JSON, plus ``_state``) supports; `anchors`
    says whether trust anchors were configured."""
    manifests = store.get("manifests") or {}
    label = store.get("active_manifest") or ""
    manifest = manifests.get(label, {})
    state = store.get("_state") or "Unknown"
    check = validate(store, trusted=state == "Trusted")
    who = _signer(manifest)
    meta = {
        "state": state,
        "integrity": check.integrity,
        "credential": check.credential,
        "signer": who,
        "issuer": manifest.get("signature_info", {}).get("issuer"),
        "claim_generator": _generator(manifest),
        "generator": product(manifest),
        "failures": sorted(check.codes),
    }
    if check.identity:
        meta["identity"] = "unverified"
    bindings = soft_bindings(manifests)
    if bindings:
        meta["soft_bindings"] = bindings
    marks = _marks_note(bindings)
    declared = _ai_declaration(manifests, label)
    if check.integrity == CHANGED:
        return Result([_invalid(check, declared)], {}, {"c2pa": meta})
    note = _trust_note(who, check, anchors)
    trusted = check.credential == "trusted"
    signals = []
    if declared:
        parent = declared.in_parent
        words = said(
            "c2pa.ai",
            where=phrase("c2pa.where.parent" if parent else "c2pa.where.active"),
            source_type=declared.source_type,
            made_with=phrase("c2pa.made_with", generator=declared.generator)
            if declared.generator
            else "",
            signed_by=phrase("c2pa.signed_by", signer=declared.signer) if parent else "",
            note=note,
            marks=marks,
        )
        signal = Signal(
            "provenance.c2pa_ai",
            declared.score,
            **words,
            data={
                "source_type": declared.source_type,
                "declared_in": "parent_ingredient" if declared.in_parent else "active_manifest",
                "trusted": trusted,
                "credential": check.credential,
                "signer": who,
                "generator": declared.generator,
            },
        )
        signals.append(signal)
    elif check.integrity == INTACT and check.credential != "revoked":
        captured = sorted(_source_types(manifest) & CAPTURE_SOURCE_TYPES)
        if captured:
            signal = Signal(
                "provenance.c2pa_capture",
                CAPTURE_SCORE_TRUSTED if trusted else CAPTURE_SCORE_UNTRUSTED,
                polarity=AUTHENTIC,
                **said(
                    "c2pa.capture",
                    source_type=captured[0],
                    generator=", " + meta["generator"] if meta["generator"] else "",
                    note=note,
                    marks=marks,
                ),
                data={
                    "source_type": captured[0],
                    "trusted": trusted,
                    "credential": check.credential,
                    "signer": who,
                    "generator": meta["generator"],
                },
            )
            signals.append(signal)
    return Result(signals, {}, {"c2pa": meta})


def _invalid(check: Check, declared: _Declaration | None) -> Signal:
    codes = ", ".join(check.changed)
    if check.in_ingredient:
        what = "c2pa.invalid.ingredient"
    elif set(check.changed) & HASH_CODES:
        what = "c2pa.invalid.file"
    else:
        what = "c2pa.invalid.manifest"
    words = said(
        "c2pa.invalid",
        codes=codes,
        what=phrase(what),
        declared=phrase("c2pa.invalid.declared", source_type=declared.source_type)
        if declared
        else "",
    )
    data = {"failures": list(check.changed), "credential": check.credential}
    return Signal("provenance.c2pa_invalid", INVALID_SCORE, data=data, **words)


def _trust_note(who: str, check: Check, anchors: bool) -> list[dict]:
    """The clauses on the signer and the checks, as messages (see `wording`)."""
    if check.credential == "trusted":
        note = [phrase("c2pa.trusted", who=who)]
    else:
        why = CREDENTIAL_NOTE[check.credential]
        note = [
            phrase(
                "c2pa.untrusted",
                who=who,
                why=phrase(why) if why else "",
                anchors="" if anchors else phrase("c2pa.no_anchors"),
            )
        ]
    if check.integrity == INTACT:
        note.append(phrase("c2pa.verified"))
    else:
        note.append(phrase("c2pa.unverified", codes=", ".join(check.unverified)))
    if check.identity:
        note.append(phrase("c2pa.identity"))
    return note


def _ai_declaration(manifests: dict, label: str) -> _Declaration | None:
    """The strongest AI source type declared by the active manifest or by the manifests of
    its parentOf ingredients, nearest first."""
    best = None
    queue, seen = [(label, False)], set()
    while queue and len(seen) < MAX_ANCESTORS:
        label, in_parent = queue.pop(0)
        manifest = manifests.get(label)
        if label in seen or not isinstance(manifest, dict):
            continue
        seen.add(label)
        for kind in sorted(_source_types(manifest) & AI_SOURCE_TYPES.keys()):
            if best is None or AI_SOURCE_TYPES[kind] > best.score:
                best = _Declaration(
                    kind, AI_SOURCE_TYPES[kind], _signer(manifest), in_parent, _ai_product(manifest)
                )
        for ingredient in manifest.get("ingredients") or []:
            parent = ingredient.get("active_manifest")
            is_parent = ingredient.get("relationship") == "parentOf"
            if parent and is_parent and not _ingredient_changed(ingredient):
                queue.append((parent, True))
    return best


def _ai_product(manifest: dict) -> str:
    """The AI tool's name: a Galaxy phone's AI declaration is a Galaxy AI edit."""
    name = product(manifest)
    return "Samsung Galaxy AI" if name == "Samsung Galaxy" else name


def _marks_note(bindings: list[dict]) -> dict | str:
    if not bindings:
        return ""
    return phrase("c2pa.marks", vendors=", ".join(b["vendor"] for b in bindings))


def _ingredient_changed(ingredient: dict) -> bool:
    results = ingredient.get("validation_results") or {}
    found = list((results.get("activeManifest") or {}).get("failure") or [])
    found += ingredient.get("validation_status") or []
    for delta in results.get("ingredientDeltas") or []:
        found += (delta.get("validationDeltas") or {}).get("failure") or []
    return any(classify(f.get("code") or "") == CHANGED for f in found)


def _source_types(manifest: dict) -> set[str]:
    found = set()
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            source = action.get("digitalSourceType") or ""
            if source:
                found.add(short_name(source))
    return found


def _signer(manifest: dict) -> str:
    info = manifest.get("signature_info") or {}
    return info.get("common_name") or info.get("issuer") or "unknown signer"


def _generator(manifest: dict) -> str:
    info = manifest.get("claim_generator_info") or []
    if info and isinstance(info, list):
        return " ".join(f"{i.get('name', '')} {i.get('version', '')}".strip() for i in info)
    return str(manifest.get("claim_generator", ""))
