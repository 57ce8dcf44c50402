"""C2PA manifests read with c2pa-python: AI source types, camera capture, failed validation.

Trust is decided by the configured anchors only (PEM); without anchors a valid signature
is reported as "valid but untrusted". Remote manifests are never fetched: analysing an
upload must not make network calls an uploader controls.
"""

from __future__ import annotations

import io
import json

from .decoded import Decoded
from .types import AUTHENTIC, Context, Result, Signal

AI_SOURCE_TYPES = {
    "trainedAlgorithmicMedia": 0.97,
    "compositeWithTrainedAlgorithmicMedia": 0.9,
    "algorithmicMedia": 0.8,
    "compositeSynthetic": 0.8,
    "dataDrivenMedia": 0.7,
}
CAPTURE_SOURCE_TYPES = {"digitalCapture", "computationalCapture", "compositeCapture"}
CAPTURE_SCORE_TRUSTED = 0.9
CAPTURE_SCORE_UNTRUSTED = 0.4
INVALID_SCORE = 0.8
TRUST_ONLY_FAILURES = {"signingCredential.untrusted"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIC": "image/heic"}


def run(img: Decoded, context: Context) -> Result:
    mime = MIME.get(img.format)
    if mime is None or b"c2pa" not in img.data:
        return Result([], metadata={"c2pa": "absent"})
    try:
        store = _read(img.data, mime, context.trust_anchors_pem)
    except _NoManifest:
        return Result([], metadata={"c2pa": "absent"})
    except _Unreadable as exc:
        signal = Signal(
            "provenance.c2pa_invalid",
            INVALID_SCORE,
            detail=f"A C2PA manifest is present but cannot be read: {exc}",
        )
        return Result([signal], metadata={"c2pa": "unreadable"})
    return _signals(store, trusted_anchors=bool(context.trust_anchors_pem))


class _NoManifest(Exception):
    pass


class _Unreadable(Exception):
    pass


def _read(data: bytes, mime: str, anchors: str | None) -> dict:
    import c2pa  # deferred: loading the native library costs time when no manifest exists

    settings: dict = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if anchors:
        settings["trust"] = {"trust_anchors": anchors}
    try:
        ctx = c2pa.Context.from_dict(settings)
        with c2pa.Reader(mime, io.BytesIO(data), context=ctx) as reader:
            store = json.loads(reader.json())
            store["_state"] = reader.get_validation_state()
            return store
    except c2pa.C2paError as exc:
        if "ManifestNotFound" in type(exc).__name__ or "no JUMBF" in str(exc):
            raise _NoManifest from exc
        raise _Unreadable(str(exc)) from exc


def _signals(store: dict, trusted_anchors: bool) -> Result:
    manifest = store.get("manifests", {}).get(store.get("active_manifest") or "", {})
    state = store.get("_state") or "Unknown"
    failures = _failures(store)
    signer = manifest.get("signature_info", {})
    who = signer.get("common_name") or signer.get("issuer") or "unknown signer"
    meta = {
        "c2pa": {
            "state": state,
            "signer": who,
            "issuer": signer.get("issuer"),
            "claim_generator": _generator(manifest),
            "failures": sorted(failures),
        }
    }
    hard = failures - TRUST_ONLY_FAILURES
    if state == "Invalid" or hard:
        detail = "The C2PA manifest fails validation (" + ", ".join(sorted(hard) or [state])
        detail += "): the file was changed after it was signed."
        return Result([Signal("provenance.c2pa_invalid", INVALID_SCORE, detail=detail)], {}, meta)
    trusted = state == "Trusted"
    trust_note = (
        f"signer {who} is trusted by the configured anchors"
        if trusted
        else f"signer {who} is not trusted"
        + ("" if trusted_anchors else " (no trust anchors configured)")
    )
    signals = []
    sources = _source_types(manifest)
    ai = {s: AI_SOURCE_TYPES[s] for s in sources if s in AI_SOURCE_TYPES}
    if ai:
        kind = max(ai, key=ai.get)
        signals.append(
            Signal(
                "provenance.c2pa_ai",
                ai[kind],
                detail=f"C2PA manifest declares digitalSourceType {kind}; {trust_note}.",
                data={"source_type": kind, "trusted": trusted, "signer": who},
            )
        )
    elif sources & CAPTURE_SOURCE_TYPES:
        kind = sorted(sources & CAPTURE_SOURCE_TYPES)[0]
        signals.append(
            Signal(
                "provenance.c2pa_capture",
                CAPTURE_SCORE_TRUSTED if trusted else CAPTURE_SCORE_UNTRUSTED,
                polarity=AUTHENTIC,
                detail=f"C2PA manifest declares a camera capture ({kind}); {trust_note}.",
                data={"source_type": kind, "trusted": trusted, "signer": who},
            )
        )
    return Result(signals, {}, meta)


def _failures(store: dict) -> set[str]:
    results = store.get("validation_results", {}).get("activeManifest", {})
    codes = {f.get("code", "") for f in results.get("failure", [])}
    codes |= {s.get("code", "") for s in store.get("validation_status", [])}
    return {c for c in codes if c}


def _source_types(manifest: dict) -> set[str]:
    found = set()
    for assertion in manifest.get("assertions", []):
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in assertion.get("data", {}).get("actions", []):
            source = action.get("digitalSourceType") or ""
            if source:
                found.add(source.rstrip("/").rsplit("/", 1)[-1])
    return found


def _generator(manifest: dict) -> str:
    info = manifest.get("claim_generator_info") or []
    if info and isinstance(info, list):
        return " ".join(f"{i.get('name', '')} {i.get('version', '')}".strip() for i in info)
    return str(manifest.get("claim_generator", ""))
