"""Forensic findings shaped for the console's dispute page.

The reports of every image on the page are read in one go (``current_reports``), then
turned into what the template draws: a verdict badge, each signal in plain language,
region boxes as CSS percentages over the thumbnail, heatmap links, and for every reuse
finding the evidence beside the image it matches (the order's listing or packing photo, or a file
filed in another dispute or order), captioned with where that image comes from and how the
match was established. Nothing here touches pixels: the engine's box fractions are the
drawing.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arbitration.models import Dispute
from evidence.explain import detail_text, signal_text
from evidence.forensics.aggregate import PARTIAL_EDIT, ai_involvement
from evidence.models import Evidence, ForensicReport, Signal
from evidence.selectors import current_reports

COLOURS = 6  # region colours .c0-.c5 in console.css, cycled per image
REUSE = ("reuse.local_edit", "reuse.listing_match")  # best first: the edit carries the box
CROSS_DISPUTE = "reuse.cross_dispute"
HEATMAPS = (("ela", _("ELA")), ("noise", _("Noise")))
DETECTOR = {"not configured": _("not configured")}
BOX_ROLES = {"source": _("source"), "target": _("copy")}


@dataclass(frozen=True)
class Box:
    """One region, as fractions of the image, drawn as an absolutely placed element."""

    x: float
    y: float
    w: float
    h: float
    colour: int
    code: str
    role: str = "region"

    @classmethod
    def of(cls, region: dict, colour: int, code: str, role: str = "region") -> "Box | None":
        try:
            x, y, w, h = (min(1.0, max(0.0, float(region[k]))) for k in "xywh")
        except (KeyError, TypeError, ValueError):
            return None
        return cls(x, y, min(w, 1.0 - x), min(h, 1.0 - y), colour, code, role)

    @property
    def style(self) -> str:
        return f"left:{self.x:.2%};top:{self.y:.2%};width:{self.w:.2%};height:{self.h:.2%}"

    @property
    def label(self) -> str:
        return str(BOX_ROLES.get(self.role, ""))


@dataclass
class SignalView:
    signal: Signal
    colour: int | None
    boxes: list[Box]
    video: bool = False

    code = property(lambda self: self.signal.code)
    score = property(lambda self: self.signal.score)
    detail = property(lambda self: detail_text(self.signal))
    text = property(lambda self: signal_text(self.signal.code, self.video))
    supports_authenticity = property(lambda self: self.signal.polarity == Signal.Polarity.AUTHENTIC)
    times = property(lambda self: [_seconds(t) for t in self.signal.times or []])


@dataclass
class Findings:
    report: ForensicReport
    signals: list[SignalView]
    heatmaps: list[tuple[str, str, str]]  # kind, label, url
    detector: str
    keyframes: list[tuple[str, str]] = field(default_factory=list)  # a video's: time, url
    video: bool = False

    @property
    def boxes(self) -> list[Box]:
        return [box for view in self.signals for box in view.boxes]

    @property
    def partial_ai_edit(self) -> bool:
        """Every AI declaration records an edit of an existing picture (``ai_involvement``):
        the arbitrator is told it is not a wholly generated image."""
        return ai_involvement([view.signal for view in self.signals]) == PARTIAL_EDIT


@dataclass
class Comparison:
    """Evidence beside the image it reuses: the order's listing photo (``listing``) or a
    file filed elsewhere. ``source`` says where that image comes from, ``how`` how the
    engine matched them; ``matched_boxes`` outline where the evidence sits in it."""

    evidence: Evidence
    matched: Evidence
    signal: SignalView
    listing: bool
    source: str
    how: str
    matched_boxes: list[Box] = field(default_factory=list)
    packing: bool = False  # the matched image is the merchant's packing photo of the order

    @property
    def picture(self) -> str:
        """The evidence as a picture: a video's keyframe where the match held."""
        times = self.signal.signal.times or [0.0]
        return _picture(self.evidence, times[0])

    @property
    def matched_picture(self) -> str:
        """The matched file as a picture: a video's first keyframe, which it is known by."""
        return _picture(self.matched, 0.0)


def _picture(item: Evidence, at: float) -> str:
    if item.kind != Evidence.Kind.VIDEO:
        return item.file_url
    findings = getattr(item, "findings", None)
    keyframes = ((findings.report.metadata or {}).get("video") or {}) if findings else {}
    times = keyframes.get("keyframes") or [0.0]
    index = min(range(len(times)), key=lambda i: abs(float(times[i]) - float(at)))
    return reverse("evidence_keyframe", args=[item.uid, index])


def _boxes(signal: Signal, colour: int) -> list[Box]:
    data = signal.data or {}
    if signal.code == "pixel.copy_move" and "source" in data and "target" in data:
        pairs = [(data["source"], "source"), (data["target"], "target")]
    else:
        pairs = [(region, "region") for region in signal.regions or []]
    boxes = (Box.of(region, colour, signal.code, role) for region, role in pairs)
    return [box for box in boxes if box is not None and box.w > 0 and box.h > 0]


def _signal_views(report: ForensicReport, video: bool) -> list[SignalView]:
    views, colour = [], 0
    for signal in report.signals.all():
        boxes = [] if video else _boxes(signal, colour % COLOURS)  # a video's are per frame
        views.append(SignalView(signal, colour % COLOURS if boxes else None, boxes, video))
        colour += bool(boxes)
    return views


def _findings(item: Evidence, report: ForensicReport) -> Findings:
    heatmaps = [
        (kind, str(label), reverse("evidence_heatmap", args=[item.uid, kind]))
        for kind, label in HEATMAPS
        if getattr(report, f"{kind}_heatmap")
    ]
    detector = str((report.metadata or {}).get("detector") or "")
    video = item.kind == Evidence.Kind.VIDEO
    times = ((report.metadata or {}).get("video") or {}).get("keyframes") or []
    keyframes = [
        (_seconds(t), reverse("evidence_keyframe", args=[item.uid, index]))
        for index, t in enumerate(times)
    ]
    return Findings(
        report,
        _signal_views(report, video),
        heatmaps,
        str(DETECTOR.get(detector, detector)),
        keyframes if video else [],
        video,
    )


def _seconds(value) -> str:
    """A time in the clip as people read it: 0:07.5."""
    seconds = float(value)
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _listing_comparison(item: Evidence, findings: Findings, listing: dict[str, Evidence]):
    views = {view.code: view for view in findings.signals}
    for code in REUSE:
        view = views.get(code)
        photo = view and listing.get(str((view.signal.data or {}).get("reference_id")))
        if photo is None:
            continue
        match = views.get("reuse.listing_match")
        data = (match.signal.data or {}) if match else {}
        shown = Box.of(data["crop"], 0, "reuse.listing_match", "crop") if "crop" in data else None
        cropped = shown is not None and (shown.w < 0.985 or shown.h < 0.985)
        packing = photo.role == Evidence.Role.PACKING
        if packing:
            source = gettext("The merchant's packing photo of this order, taken %(when)s") % {
                "when": timezone.localtime(photo.taken_at).strftime("%Y-%m-%d %H:%M")
            }
        else:
            source = gettext("The merchant's listing photo of this order, %(item)s") % {
                "item": photo
            }
        boxes = [shown] if cropped else []
        return Comparison(item, photo, view, True, source, _how(data), boxes, packing)
    return None


def _cross_comparison(item: Evidence, findings: Findings, elsewhere: dict[str, Evidence]):
    view = next((v for v in findings.signals if v.code == CROSS_DISPUTE), None)
    data = (view.signal.data or {}) if view else {}
    other = elsewhere.get(str(data.get("known_id")))
    if other is None:
        return None
    shown = Box.of(data["box"], 0, CROSS_DISPUTE, "crop") if "box" in data else None
    cropped = shown is not None and (shown.w < 0.985 or shown.h < 0.985)
    return Comparison(
        item, other, view, False, _source(other), _how(data), [shown] if cropped else []
    )


def _source(other: Evidence) -> str:
    when = timezone.localtime(other.created_at).date().isoformat()
    if other.dispute_id:
        return gettext("Filed on %(date)s in dispute %(dispute)s (%(role)s #%(pk)s)") % {
            "date": when,
            "dispute": Dispute.reference_of(other.dispute_id),
            "role": other.get_role_display(),
            "pk": other.pk,
        }
    return gettext("Filed on %(date)s with order %(order)s (%(role)s #%(pk)s)") % {
        "date": when,
        "order": other.order_id,
        "role": other.get_role_display(),
        "pk": other.pk,
    }


def _how(data: dict) -> str:
    """How the match was established, from the signal's data."""
    parts = []
    if "distances" in data:
        parts.append(gettext("proposed by the perceptual hashes"))
    check = data.get("verification") or {}
    if check.get("inliers"):
        parts.append(
            gettext(
                "confirmed by %(inliers)s matching points in one geometric model,"
                " %(changed)s%% of the picture's detail differs"
            )
            % {"inliers": check["inliers"], "changed": round(100 * check.get("changed", 0))}
        )
    elif check:
        parts.append(gettext("the same file"))
    if data.get("mirrored"):
        parts.append(gettext("mirrored"))
    if data.get("cropped") or any(float((data.get("crop") or {}).get(k, 1)) < 0.985 for k in "wh"):
        parts.append(gettext("cropped"))
    return "; ".join(parts)


def _elsewhere(reports) -> dict[str, Evidence]:
    """The files filed elsewhere that the page's cross-dispute findings point to, in one
    query."""
    ids = {
        str((signal.data or {}).get("known_id"))
        for report in reports
        for signal in report.signals.all()
        if signal.code == CROSS_DISPUTE
    }
    found = Evidence.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    out = {}
    for other in found:
        other.file_url = reverse("evidence_file", args=[other.uid])
        other.original_url = reverse("evidence_original", args=[other.uid])
        out[str(other.pk)] = other
    return out


def attach_findings(evidence: list[Evidence]) -> list[Comparison]:
    """Give every photo and video on the page its ``findings`` (None until analysed) and return,
    for every reuse finding, the evidence beside the image it matches: three queries (reports,
    their signals, the matched files filed elsewhere) whatever the number of images."""
    reports = current_reports(item.pk for item in evidence)
    references = (Evidence.Role.LISTING, Evidence.Role.PACKING)
    listing = {str(item.pk): item for item in evidence if item.role in references}
    elsewhere = _elsewhere(reports.values())
    comparisons = []
    for item in evidence:
        report = reports.get(item.pk)
        item.findings = _findings(item, report) if report else None
        if item.findings is None or item.role in references:
            continue
        for pair in (
            _listing_comparison(item, item.findings, listing),
            _cross_comparison(item, item.findings, elsewhere),
        ):
            if pair:
                comparisons.append(pair)
    return comparisons
