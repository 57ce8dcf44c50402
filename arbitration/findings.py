"""Forensic findings shaped for the console's dispute page.

The reports of every image on the page are read in one go (``current_reports``), then
turned into what the template draws: a verdict badge, each signal in plain language,
region boxes as CSS percentages over the thumbnail, heatmap links, and listing-vs-evidence
pairs for reused listing photos. Nothing here touches pixels: the engine's box fractions are
the drawing.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from evidence.explain import signal_text
from evidence.forensics.aggregate import PARTIAL_EDIT, ai_involvement
from evidence.models import Evidence, ForensicReport, Signal
from evidence.selectors import current_reports

COLOURS = 6  # region colours .c0-.c5 in console.css, cycled per image
REUSE = ("reuse.local_edit", "reuse.listing_match")  # best first: the edit carries the box
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

    code = property(lambda self: self.signal.code)
    score = property(lambda self: self.signal.score)
    detail = property(lambda self: self.signal.detail)
    text = property(lambda self: signal_text(self.signal.code))
    supports_authenticity = property(lambda self: self.signal.polarity == Signal.Polarity.AUTHENTIC)


@dataclass
class Findings:
    report: ForensicReport
    signals: list[SignalView]
    heatmaps: list[tuple[str, str, str]]  # kind, label, url
    detector: str

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
    """A reused listing photo beside the evidence made from it."""

    evidence: Evidence
    listing: Evidence
    signal: SignalView
    listing_boxes: list[Box] = field(default_factory=list)


def _boxes(signal: Signal, colour: int) -> list[Box]:
    data = signal.data or {}
    if signal.code == "pixel.copy_move" and "source" in data and "target" in data:
        pairs = [(data["source"], "source"), (data["target"], "target")]
    else:
        pairs = [(region, "region") for region in signal.regions or []]
    boxes = (Box.of(region, colour, signal.code, role) for region, role in pairs)
    return [box for box in boxes if box is not None and box.w > 0 and box.h > 0]


def _signal_views(report: ForensicReport) -> list[SignalView]:
    views, colour = [], 0
    for signal in report.signals.all():
        boxes = _boxes(signal, colour % COLOURS)
        views.append(SignalView(signal, colour % COLOURS if boxes else None, boxes))
        colour += bool(boxes)
    return views


def _findings(item: Evidence, report: ForensicReport) -> Findings:
    heatmaps = [
        (kind, str(label), reverse("evidence_heatmap", args=[item.uid, kind]))
        for kind, label in HEATMAPS
        if getattr(report, f"{kind}_heatmap")
    ]
    detector = str((report.metadata or {}).get("detector") or "")
    return Findings(report, _signal_views(report), heatmaps, str(DETECTOR.get(detector, detector)))


def _comparison(item: Evidence, findings: Findings, listing: dict[str, Evidence]):
    views = {view.code: view for view in findings.signals}
    for code in REUSE:
        view = views.get(code)
        photo = view and listing.get(str((view.signal.data or {}).get("reference_id")))
        if photo is None:
            continue
        match = views.get("reuse.listing_match")
        crop = (match.signal.data or {}).get("crop") if match else None
        shown = Box.of(crop, 0, "reuse.listing_match", "crop") if crop else None
        cropped = shown is not None and (shown.w < 0.985 or shown.h < 0.985)
        return Comparison(item, photo, view, [shown] if cropped else [])
    return None


def attach_findings(evidence: list[Evidence]) -> list[Comparison]:
    """Give every image on the page its ``findings`` (None until analysed) in two queries,
    and return the listing-vs-evidence pairs to show side by side."""
    reports = current_reports(item.pk for item in evidence if item.kind == Evidence.Kind.IMAGE)
    listing = {str(item.pk): item for item in evidence if item.role == Evidence.Role.LISTING}
    comparisons = []
    for item in evidence:
        report = reports.get(item.pk)
        item.findings = _findings(item, report) if report else None
        if item.findings is None or item.role == Evidence.Role.LISTING:
            continue
        if pair := _comparison(item, item.findings, listing):
            comparisons.append(pair)
    return comparisons
