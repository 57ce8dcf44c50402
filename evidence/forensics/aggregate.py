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
     ``provenance.generator_metadata``, ``provenance.ai_edit``,
     ``provenance.invisible_watermark``, ``provenance.aigc_label`` with Label 1), or strong
     combined evidence: ``forgery_score >= AI_COMBINED`` with an AI hint present (AI_HINTS:
     an AIGC label 2/3, a malformed AIGC label, a visible AIGC mark, the learned detector).
   - ``edited`` (the pixels were changed): an edit signal (EDIT_CODES) with score >=
     EDIT_MIN, or the score of step 1–2 *without* the copy codes and the AI codes
     (NOT_EDIT_EVIDENCE) >= EDITED: a copy says nothing about its pixels, and "possibly
     AI" (a Label 2 alone scores 0.7) says the picture was generated, not retouched.
   - ``reused`` (the picture is a copy of one already on file: another dispute's evidence,
     the merchant's listing photo): a REUSE_CODES signal with score >= REUSE_MIN. A copy says
     nothing about its pixels, so it never makes a picture ``edited``; the listing photo with
     an area painted on (``reuse.local_edit``) is an edit.
   - ``suspicious``: ``forgery_score >= SUSPICIOUS``.
   - ``no_findings`` otherwise.

Weights of the pixel and metadata hints, calibrated on the real corpus (`bench/accuracy.py`):
an editor's save (``metadata.editing_software``, 0.35) is the ordinary life of an honest
photo (cropped, exported from Lightroom): at its strongest (0.75: an editor and a later
modification date) it stays under SUSPICIOUS alone, since ``suspicious`` already lowers a
suggested refund, and counts only beside pixel evidence. ``pixel.double_jpeg`` fires at
0.35 at most: every forwarded photo is a double JPEG.

``ai_generated`` means that generative AI made all or part of what the picture shows. A real
photo partly changed by a generative tool, as the phone or app that did it records
(``provenance.ai_edit``: Samsung Galaxy AI's genAIType, Google's "Edited with Google AI",
Apple's Clean Up; or a C2PA/IPTC declaration of compositeWithTrainedAlgorithmicMedia), is
``ai_generated`` too, with weight 1.0, for three reasons: a tool that erases or paints an
object can erase a defect or paint a stain, which is what a dispute turns on; the record is
the editing device's own declaration, as near-certain as a C2PA one (nobody forges a
confession); and the same edit must read the same whichever of its marks survived (the
Samsung Galaxy AI PNG of the corpus carries both the C2PA declaration and the genAIType).
``edited`` stays for what forensic traces show without a declaration. What tells a partial
edit from a fully generated image is the finding, not the verdict: ``ai_involvement`` says
``partial_edit`` when every AI declaration records an edit of a photo and ``generated`` when
one declares a generated image; the report's metadata and the console carry it.

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

How the label and provenance codes weigh:

- ``provenance.aigc_label``: Label 1 (AI生成, 0.97) is AI provenance; Label 2 (可能为生成合成
  内容, 0.7) and 3 (疑似生成合成内容, 0.5) are AI hints, ``suspicious`` alone.
- ``provenance.aigc_label_malformed`` (weight 0.6, score 0.6: ``suspicious`` alone): a label
  breaking Annex E declares AI but looks hand-made (`aigc_label` says why it is no proof).
- ``provenance.iptc_ai``: only the trained source types and IPTC 2025.1 ``AISystemUsed``;
  ``algorithmicMedia``/``dataDrivenMedia``/``compositeSynthetic`` are not AI (`source_types`).
- ``provenance.conflict`` (weight 0.5, score 0.6): `reconcile` puts it in place of a C2PA
  camera capture when the file also carries an independent AI mark (AI_MARKERS). The capture
  then pulls nothing: a file that says both is not vouched for as authentic. The AI mark
  decides the verdict as it would alone; the conflict adds a little and tells the arbitrator
  the two statements disagree (an AI edit of a capture, or a mark or manifest transplanted).
"""

from __future__ import annotations

from .types import AUTHENTIC, FORGERY, Signal
from .wording import said

CAPTURE = "provenance.c2pa_capture"
CONFLICT = "provenance.conflict"
CONFLICT_SCORE = 0.6

WEIGHTS = {
    "provenance.c2pa_ai": 1.0,
    "provenance.aigc_label": 1.0,
    "provenance.iptc_ai": 1.0,
    "provenance.generator_metadata": 1.0,
    "provenance.ai_edit": 1.0,
    "provenance.invisible_watermark": 1.0,
    "provenance.visible_label": 1.0,
    "provenance.c2pa_invalid": 0.8,
    "provenance.aigc_label_malformed": 0.6,
    "provenance.conflict": 0.5,
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
    "metadata.editing_software": 0.35,
    "pixel.double_jpeg": 0.4,
    "metadata.no_camera_data": 0.5,
}
DEFAULT_WEIGHT = 0.5
AUTHENTIC_PULL = 0.6
AI_PROVENANCE = {
    "provenance.c2pa_ai",
    "provenance.iptc_ai",
    "provenance.generator_metadata",
    "provenance.ai_edit",
    "provenance.invisible_watermark",
}
DECLARED_SOURCE = {"provenance.c2pa_ai", "provenance.iptc_ai"}
EDIT_SOURCE_TYPES = {"compositeWithTrainedAlgorithmicMedia"}
PARTIAL_EDIT, GENERATED = "partial_edit", "generated"
AI_HINTS = {
    "provenance.aigc_label",
    "provenance.aigc_label_malformed",
    "provenance.visible_label",
    "model.ai_detector",
}
# Marks a file carries of being AI-made, independent of a C2PA capture claim (`reconcile`).
AI_MARKERS = AI_PROVENANCE | {
    "provenance.aigc_label",
    "provenance.aigc_label_malformed",
    "provenance.ai_edit",
    "provenance.invisible_watermark",
    "provenance.visible_label",
}
EDIT_CODES = {
    "reuse.local_edit",
    "pixel.copy_move",
    "metadata.thumbnail_mismatch",
    "provenance.c2pa_invalid",
}
EDIT_MIN = 0.5
REUSE_CODES = {"reuse.cross_dispute", "reuse.listing_match"}
COPY_CODES = REUSE_CODES | {"reuse.listing_elsewhere"}
NOT_EDIT_EVIDENCE = COPY_CODES | AI_HINTS | {CONFLICT}
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
    if _score([s for s in signals if s.code not in NOT_EDIT_EVIDENCE]) >= EDITED:
        return score, "edited"
    if any(s.code in REUSE_CODES and s.score >= REUSE_MIN for s in signals):
        return score, "reused"
    if score >= SUSPICIOUS:
        return score, "suspicious"
    return score, "no_findings"


def conclude(signals, meta: dict) -> tuple[tuple[Signal, ...], float, str]:
    """The rule applied to an analysis' signals (a photo's or a video's, and again when the
    second stage adds a visible mark): `reconcile`, then `aggregate`; the AI involvement goes
    into `meta`. Signals come back strongest first."""
    signals = reconcile(list(signals))
    score, verdict = aggregate(signals)
    if involvement := ai_involvement(signals):
        meta["ai_involvement"] = involvement
    return tuple(sorted(signals, key=lambda s: (-s.score, s.code))), score, verdict


def reconcile(signals: list[Signal]) -> list[Signal]:
    """`signals` with a C2PA camera capture replaced by ``provenance.conflict`` when the file
    also carries an AI mark (AI_MARKERS) of another analyzer; see the module docstring."""
    capture = next((s for s in signals if s.code == CAPTURE and s.polarity == AUTHENTIC), None)
    markers = sorted({s.code for s in signals if s.code in AI_MARKERS and s.polarity == FORGERY})
    if capture is None or not markers:
        return list(signals)
    conflict = Signal(
        CONFLICT,
        CONFLICT_SCORE,
        **said(
            "conflict",
            source_type=capture.data.get("source_type", "capture"),
            markers=", ".join(markers),
        ),
        data={"capture": dict(capture.data), "markers": markers},
    )
    return [s for s in signals if s is not capture] + [conflict]


def ai_involvement(signals) -> str | None:
    """``generated`` when a declaration says generative AI made the picture, ``partial_edit``
    when every AI declaration records a generative edit of a photo, None without AI
    provenance. Works on the engine's signals and on stored signal rows alike."""
    kinds = set()
    for s in signals:
        if s.polarity != FORGERY:
            continue
        source = (s.data or {}).get("source_type")
        if s.code == "provenance.ai_edit" or (
            s.code in DECLARED_SOURCE and source in EDIT_SOURCE_TYPES
        ):
            kinds.add(PARTIAL_EDIT)
        elif s.code in AI_PROVENANCE or _label(s) == 1:
            kinds.add(GENERATED)
    if GENERATED in kinds:
        return GENERATED
    return PARTIAL_EDIT if kinds else None


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
    return (s.data or {}).get("label") if s.code == "provenance.aigc_label" else None
