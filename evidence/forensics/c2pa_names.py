"""Who made a C2PA manifest and which watermarks it binds, in words an arbitrator knows.

`product` names the tool behind a manifest from its claim generator and signer (real
values: ChatGPT's ``claim_generator_info`` is "ChatGPT", OpenAI's API says "OpenAI Media
Service API", Firefly "Adobe_Firefly", Black Forest Labs "Black Forest Labs API", Gemini
"Google C2PA Core Generator Library", a Galaxy S25 "Galaxy S25 c2pa-rs/0.62.0" signed by
"Samsung Galaxy"); an unknown tool is named as it names itself.

`soft_bindings` lists the ``c2pa.soft-binding`` assertions (C2PA §A.8): the watermark or
fingerprint algorithm the signer registered, by vendor. They say the signer embedded such
a mark; Tianping does not decode them (the invisible-watermark analyzer does its own).
"""

from __future__ import annotations

import re

# (plain name, pattern over the claim generator, its info names and the signer), first match.
PRODUCTS = [
    ("ChatGPT (OpenAI)", r"\bchatgpt\b"),
    ("Sora (OpenAI)", r"\bsora\b"),
    ("OpenAI", r"\bopenai\b|\bgpt-image\b|\bdall[·\-\s]?e\b"),
    ("Adobe Firefly", r"firefly"),
    ("Adobe Photoshop", r"photoshop"),
    ("Adobe Lightroom", r"lightroom"),
    ("Adobe", r"\badobe\b"),
    ("Black Forest Labs (FLUX)", r"black forest labs|\bflux\b"),
    ("Google", r"\bgoogle\b|\bgemini\b|\bimagen\b|\bpixel\b"),
    ("Samsung Galaxy", r"\bsamsung\b|\bgalaxy\b"),
    ("Microsoft", r"\bmicrosoft\b|\bbing\b|\bdesigner\b|\bazure\b"),
    ("Meta", r"\bmeta\b"),
    ("Midjourney", r"midjourney"),
    ("Stability AI", r"stability"),
    ("Leica", r"\bleica\b"),
    ("Nikon", r"\bnikon\b"),
    ("Sony", r"\bsony\b"),
    ("Canon", r"\bcanon\b"),
    ("Truepic", r"truepic"),
]
_PRODUCTS = [(name, re.compile(rx, re.I)) for name, rx in PRODUCTS]
# Soft-binding algorithm names are reverse domains (the C2PA soft-binding algorithm list).
VENDORS = {
    "com.adobe.trustmark": "Adobe TrustMark (watermark)",
    "com.adobe.icn": "Adobe content fingerprint",
    "com.digimarc": "Digimarc (watermark)",
    "ai.steg": "Steg.AI (watermark)",
    "com.steg": "Steg.AI (watermark)",
    "com.imatag": "IMATAG (watermark)",
    "com.castlabs": "castLabs (watermark)",
    "com.google.synthid": "Google SynthID (watermark)",
    "io.iscc": "ISCC content code",
    "com.truepic": "Truepic (watermark)",
}
MAX_BINDINGS = 8


def product(manifest: dict) -> str:
    """The plain name of the tool that made `manifest`; "" when it names nothing."""
    names = [str(manifest.get("claim_generator") or "")]
    info = manifest.get("claim_generator_info") or []
    if isinstance(info, list):
        names += [str(i.get("name") or "") for i in info if isinstance(i, dict)]
    signature = manifest.get("signature_info") or {}
    names += [str(signature.get("common_name") or ""), str(signature.get("issuer") or "")]
    haystack = " ".join(n.replace("_", " ") for n in names if n)
    for name, rx in _PRODUCTS:
        if rx.search(haystack):
            return name
    return next((n.replace("_", " ").strip() for n in names if n.strip()), "")


def soft_bindings(manifests: dict) -> list[dict]:
    """The soft-binding algorithms every manifest in the store registers, by vendor."""
    found: dict[str, dict] = {}
    for manifest in manifests.values():
        if not isinstance(manifest, dict):
            continue
        for assertion in manifest.get("assertions") or []:
            if not str(assertion.get("label", "")).startswith("c2pa.soft-binding"):
                continue
            alg = str((assertion.get("data") or {}).get("alg") or "")[:100]
            if alg and alg not in found and len(found) < MAX_BINDINGS:
                found[alg] = {"alg": alg, "vendor": vendor(alg)}
    return list(found.values())


def vendor(alg: str) -> str:
    for prefix, name in VENDORS.items():
        if alg == prefix or alg.startswith(prefix + "."):
            return name
    parts = alg.split(".")
    return parts[1] if len(parts) > 2 else alg
