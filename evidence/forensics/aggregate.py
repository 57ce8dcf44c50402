"""One rule turns signals into `forgery_score` and `verdict`.

Rule:

1. Forgery evidence is combined as a weighted noisy-OR:
   ``F = 1 - prod(1 - WEIGHTS[code] * score)`` over forgery signals.
   Weights express how much a code alone says about fabrication (a declared AI source is
   close to proof; "no camera data" is barely a hint).
2. Authentic evidence (a C2PA camera capture) pulls the score down:
   ``A = 1 - prod(1 - score)`` over authentic signals, and
   ``forgery_score = F * (1 - AUTHENTIC_PULL * A)``.
3. Verdict, first match wins:
   - ``ai_generated``: any AI provenance (``provenance.c2pa_ai``, ``provenance.iptc_ai``,
     ``provenance.generator_metadata``, ``provenance.invisible_watermark``,
     ``provenance.aigc_label`` with Label 1), or strong
     combined evidence: ``forgery_score >= AI_COMBINED`` with an AI hint present
     (an AIGC label 2/3, a visible AIGC mark or the learned detector).
   - ``edited`` (the pixels were changed): an edit signal (EDIT_CODES) with score >=
     EDIT_MIN, or the score of step 1–2 *without* the copy codes (COPY_CODES) >= EDITED.
   - ``reused`` (the picture is a copy of one already on file: another dispute's evidence,
     the merchant's listing photo): a REUSE_CODES signal with score >= REUSE_MIN. A copy says
     nothing about its pixels, so it never makes a picture ``edited``; the listing photo with
     an area painted on (``reuse.local_edit``) is an edit.
   - ``suspicious``: ``forgery_score >= SUSPICIOUS``.
   - ``no_findings`` otherwise.

``provenance.invisible_watermark`` weighs as much as a declared source: it is accepted only
when at least 44 of 48 bits (the same share for other lengths) of a generator's fixed message
decode, which chance or a camera picture does not produce (no real corpus file comes closer
than 75 % of the bits), and only the generator's pipeline writes it. It marks img2img and
inpainting outputs too, which are AI output all the same. Its absence is evidence of nothing.

``provenance.visible_label`` (a visible "AI生成" mark at the top or bottom edge) is a hint of
full weight whose score says how much it proves. A generator's own stamp standing alone as a
line (豆包AI生成, ★即梦AI: score 0.95) is what generators write and what nobody pastes on
their own evidence, so alone it reaches ``ai_generated``. A bare "AI生成" / "AI generated"
mark (0.6) is typed in seconds and is shown by screens a photo may catch, so alone it only
asks for a look (``suspicious``); with another AI hint it adds up.

The copy codes keep their weight in ``forgery_score``, which ranks the console's queue: a
stranger's photo deserves an arbitrator's early look. ``reuse.listing_elsewhere`` (the same
listing photo under another merchant) is told to the arbitrator and weighs next to nothing.
"""

from __future__ import annotations

from .types import AUTHENTIC, FORGERY, Signal

WEIGHTS = {
    "provenance.c2pa_ai": 1.0,
    "provenance.aigc_label": 1.0,
    "provenance.iptc_ai": 1.0,
    "provenance.generator_metadata": 1.0,
    "provenance.invisible_watermark": 1.0,
    "provenance.visible_label": 1.0,
    "provenance.c2pa_invalid": 0.8,
    "model.ai_detector": 0.8,
    "reuse.local_edit": 1.0,
    "reuse.listing_match": 0.9,
    "reuse.cross_dispute": 0.9,
    "reuse.listing_elsewhere": 0.1,
    "pixel.copy_move": 0.9,
    "metadata.thumbnail_mismatch": 0.9,
    "timeline.captured_before_delivery": 0.8,
    "pixel.ela": 0.6,
    "pixel.noise_inconsistency": 0.6,
    "metadata.editing_software": 0.5,
    "pixel.double_jpeg": 0.4,
    "metadata.no_camera_data": 0.5,
}
DEFAULT_WEIGHT = 0.5
AUTHENTIC_PULL = 0.6
AI_PROVENANCE = {
    "provenance.c2pa_ai",
    "provenance.iptc_ai",
    "provenance.generator_metadata",
    "provenance.invisible_watermark",
}
AI_HINTS = {"provenance.aigc_label", "provenance.visible_label", "model.ai_detector"}
EDIT_CODES = {
    "reuse.local_edit",
    "pixel.copy_move",
    "metadata.thumbnail_mismatch",
    "provenance.c2pa_invalid",
}
EDIT_MIN = 0.5
REUSE_CODES = {"reuse.cross_dispute", "reuse.listing_match"}
COPY_CODES = REUSE_CODES | {"reuse.listing_elsewhere"}
REUSE_MIN = 0.5
AI_COMBINED = 0.85
EDITED = 0.7
SUSPICIOUS = 0.3


def aggregate(signals: list[Signal] | tuple[Signal, ...]) -> tuple[float, str]:
    """(forgery_score, verdict) for a set of signals; see the module docstring."""
    score = _score(signals)
    codes = {s.code for s in signals if s.polarity == FORGERY}
    if codes & AI_PROVENANCE or any(_label(s) == 1 for s in signals):
        return score, "ai_generated"
    if score >= AI_COMBINED and codes & AI_HINTS:
        return score, "ai_generated"
    if any(s.code in EDIT_CODES and s.score >= EDIT_MIN for s in signals):
        return score, "edited"
    if _score([s for s in signals if s.code not in COPY_CODES]) >= EDITED:
        return score, "edited"
    if any(s.code in REUSE_CODES and s.score >= REUSE_MIN for s in signals):
        return score, "reused"
    if score >= SUSPICIOUS:
        return score, "suspicious"
    return score, "no_findings"


def _score(signals) -> float:
    """Steps 1 and 2 of the rule."""
    keep_f, keep_a = 1.0, 1.0
    for s in signals:
        score = min(1.0, max(0.0, float(s.score)))
        if s.polarity == FORGERY:
            keep_f *= 1.0 - WEIGHTS.get(s.code, DEFAULT_WEIGHT) * score
        elif s.polarity == AUTHENTIC:
            keep_a *= 1.0 - score
    forgery = 1.0 - keep_f
    authentic = 1.0 - keep_a
    return round(forgery * (1.0 - AUTHENTIC_PULL * authentic), 4)


def _label(s: Signal):
    return s.data.get("label") if s.code == "provenance.aigc_label" else None
