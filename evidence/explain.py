"""Plain-language wording of forensic findings, in one place.

Arbitrators read ``SIGNAL_TEXT`` beside each signal; buyers and merchants only ever see
``party_summary`` of their *own* photos and videos: a short reason, never the raw scores
or heatmaps. A video reads ``VIDEO_SIGNAL_TEXT`` where the photo's wording names a photo.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forensics import wording
from .models import ForensicReport, Signal

SIGNAL_TEXT = {
    "provenance.c2pa_ai": _(
        "The file's Content Credentials (C2PA) say it was made or edited by a generative AI model."
    ),
    "provenance.c2pa_capture": _(
        "The file's Content Credentials (C2PA) say it was captured by a camera."
    ),
    "provenance.c2pa_invalid": _(
        "The file carries Content Credentials (C2PA) that no longer validate: it was changed "
        "after signing."
    ),
    "provenance.aigc_label": _(
        "The file carries the AI-generated content label required by GB 45438-2025."
    ),
    "provenance.aigc_label_malformed": _(
        "The file carries an AI-generated content label that does not follow GB 45438-2025: "
        "it declares AI, but looks hand-made."
    ),
    "provenance.conflict": _(
        "The file's Content Credentials (C2PA) say a camera took it, yet the file also "
        "carries a mark of AI generation: the two statements disagree."
    ),
    "provenance.iptc_ai": _(
        "The photo's metadata declares its source as AI-generated (IPTC DigitalSourceType)."
    ),
    "provenance.generator_metadata": _(
        "The file contains the settings or marker of an image generator."
    ),
    "provenance.ai_edit": _(
        "The phone or app that edited this picture recorded that it changed part of it with "
        "generative AI (for example Samsung Galaxy AI, Google Photos or Apple's Clean Up). "
        "Part of the picture is generated; it is not a wholly generated image."
    ),
    "provenance.invisible_watermark": _(
        "The picture carries the invisible watermark an image generator embeds in its output."
    ),
    "provenance.visible_label": _(
        "The picture shows a visible AI-generated mark (such as “AI生成”) at its edge."
    ),
    "metadata.editing_software": _(
        "The photo was saved by editing software, or modified after it was taken."
    ),
    "metadata.thumbnail_mismatch": _(
        "The preview embedded by the camera no longer matches the picture: its content "
        "changed after capture."
    ),
    "metadata.no_camera_data": _(
        "The photo has no camera information (common for screenshots and downloaded images)."
    ),
    "timeline.captured_before_delivery": _("The photo was taken before the order was delivered."),
    "reuse.listing_match": _("The photo is a copy of the merchant's own listing photo."),
    "reuse.local_edit": _("The photo is the merchant's listing photo with one area changed."),
    "reuse.cross_dispute": _("The same photo was already submitted in another dispute."),
    "reuse.listing_elsewhere": _(
        "The same photo is a listing photo of another merchant: the listing may be copied "
        "from another store. Nothing in the picture was changed."
    ),
    "pixel.ela": _(
        "Part of the photo recompresses differently from the rest, as pasted-in areas do."
    ),
    "pixel.noise_inconsistency": _(
        "Part of the photo has a different noise pattern from the rest."
    ),
    "pixel.copy_move": _("An area of the photo was copied to another place in it."),
    "pixel.double_jpeg": _("The photo was re-saved as JPEG after an earlier compression."),
    "model.ai_detector": _("The learned AI-image detector scored this photo."),
}

VERDICT_SUMMARY = {
    ForensicReport.Verdict.AI_GENERATED: _("This photo appears to be generated or altered by AI."),
    ForensicReport.Verdict.EDITED: _("This photo appears to have been edited."),
    ForensicReport.Verdict.REUSED: _(
        "This photo is a copy of a photo already on file. That does not mean it was edited."
    ),
    ForensicReport.Verdict.SUSPICIOUS: _(
        "This photo has features that an arbitrator will look at more closely."
    ),
    ForensicReport.Verdict.NO_FINDINGS: _("No signs of editing or AI generation were found."),
}


# A video's wording where the photo's would name a photo.
VIDEO_SIGNAL_TEXT = {
    "metadata.editing_software": _("The video was saved by a video editing app."),
    "timeline.captured_before_delivery": _(
        "The video was recorded before the order was delivered."
    ),
    "reuse.listing_match": _("The video shows the merchant's own listing photo."),
    "reuse.cross_dispute": _("The same footage was already submitted in another dispute."),
    "provenance.visible_label": _(
        "The video shows a visible AI-generated mark (such as “AI生成”) in its opening seconds."
    ),
}

VIDEO_VERDICT_SUMMARY = {
    ForensicReport.Verdict.AI_GENERATED: _("This video appears to be generated or altered by AI."),
    ForensicReport.Verdict.EDITED: _("This video appears to have been edited."),
    ForensicReport.Verdict.REUSED: _(
        "This video shows a picture or footage already on file. That does not mean it was edited."
    ),
    ForensicReport.Verdict.SUSPICIOUS: _(
        "This video has features that an arbitrator will look at more closely."
    ),
    ForensicReport.Verdict.NO_FINDINGS: _("No signs of editing or AI generation were found."),
}


def signal_text(code: str, video: bool = False) -> str:
    if video and code in VIDEO_SIGNAL_TEXT:
        return VIDEO_SIGNAL_TEXT[code]
    return SIGNAL_TEXT.get(code, code)


def detail_text(signal: Signal) -> str:
    """The engine's detail line in the reader's language: its stored message rendered
    through gettext; a row stored before messages existed (or a message this version does
    not know) shows the English ``detail`` it was stored with."""
    message = (signal.data or {}).get("message")
    if not isinstance(message, dict):
        return signal.detail
    try:
        return wording.render(message, gettext)
    except (KeyError, TypeError, ValueError):
        return signal.detail


def party_summary(report: ForensicReport | None, video: bool = False) -> dict | None:
    """What the submitting party is told about a flagged photo or video of theirs: the
    verdict and the plain reasons of the forgery signals, without scores, regions or
    heatmaps."""
    if report is None or report.verdict == ForensicReport.Verdict.NO_FINDINGS:
        return None
    reasons = [
        str(signal_text(signal.code, video))
        for signal in report.signals.all()
        if signal.polarity == "forgery" and signal.code in SIGNAL_TEXT
    ]
    verdicts = VIDEO_VERDICT_SUMMARY if video else VERDICT_SUMMARY
    return {
        "code": report.verdict,
        "verdict": str(verdicts[report.verdict]),
        "reasons": reasons[:3],
    }
