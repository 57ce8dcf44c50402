"""The IPTC digital source types (NewsCodes ``digitalsourcetype``) that declare AI.

C2PA actions and XMP ``Iptc4xmpExt:DigitalSourceType`` use the same vocabulary; both
readers take what counts as AI from here, so a file says the same thing in either place.

Only the *trained* types declare generative AI. Not AI, and never reported as such:
``algorithmicMedia`` ("created purely by an algorithm not based on any sampled training
data": procedural renders, fractals), ``dataDrivenMedia`` (charts and other renderings of
data), ``compositeSynthetic`` (a composite with synthetic elements, which IPTC counts
digital art and procedural media among: the merchant's product cut-out on a drawn
background), ``digitalArt``, ``softwareImage``, ``screenCapture`` and the capture types.
Genuine merchant graphics carry these; reading them as AI would accuse honest sellers.
"""

from __future__ import annotations

TRAINED = "trainedAlgorithmicMedia"
COMPOSITE_TRAINED = "compositeWithTrainedAlgorithmicMedia"
AI_TYPES = frozenset({TRAINED, COMPOSITE_TRAINED})
CAPTURE_TYPES = frozenset({"digitalCapture", "computationalCapture", "compositeCapture"})


def short_name(value) -> str:
    """``http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture`` -> ``digitalCapture``."""
    return str(value or "").strip().rstrip("/").rsplit("/", 1)[-1]
