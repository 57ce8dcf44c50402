"""Evidence files. Originals are private; the counterparty only ever sees ``safe_copy``."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Party

from .forensics import page_capture


def _original_path(instance: "Evidence", filename: str) -> str:
    # The client's file name is never used on disk: it may carry anything.
    return f"originals/{instance.uid.hex[:2]}/{instance.uid.hex}"


def _safe_copy_path(instance: "Evidence", filename: str) -> str:
    return f"copies/{instance.uid.hex[:2]}/{instance.uid.hex}"


class Evidence(models.Model):
    class Role(models.TextChoices):
        LISTING = "listing", _("listing photo")
        BUYER = "buyer", _("buyer's evidence")
        MERCHANT = "merchant", _("merchant's evidence")
        PACKING = "packing", _("merchant's packing photo")

    class Kind(models.TextChoices):
        IMAGE = "image", _("photo")
        VIDEO = "video", _("video")

    class CaptureProblem(models.TextChoices):
        """Why a shot sent from the in-app camera page was stored but not marked live."""

        NOT_PAGE_JPEG = page_capture.NOT_PAGE_JPEG, _("not encoded the way the camera page does")
        FOREIGN_DATA = page_capture.FOREIGN_DATA, _("carries data the camera page never writes")
        CAMERA_DATA = page_capture.CAMERA_DATA, _("carries a camera's EXIF data")
        DATED_BEFORE_PAGE = (
            page_capture.DATED_BEFORE_PAGE,
            _("its EXIF date is before the camera page was opened"),
        )
        SIZE_MISMATCH = page_capture.SIZE_MISMATCH, _("not the size the camera page drew")
        KNOWN_FILE = "known_file", _("the same file is already stored as evidence")
        NEAR_DUPLICATE = "near_duplicate", _("a near-duplicate of stored evidence")

    class Analysis(models.TextChoices):
        PENDING = "pending", _("waiting for analysis")
        RUNNING = "running", _("being analysed")
        DONE = "done", _("analysed")
        FAILED = "failed", _("analysis failed")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(
        "arbitration.Order", on_delete=models.CASCADE, related_name="evidence"
    )
    dispute = models.ForeignKey(
        "arbitration.Dispute",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        help_text=_("Empty for listing photos, which belong to the order."),
    )
    submitted_by = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="evidence")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    original = models.FileField(upload_to=_original_path)
    safe_copy = models.FileField(upload_to=_safe_copy_path)
    safe_copy_mime = models.CharField(max_length=40)
    format = models.CharField(_("format"), max_length=10)
    mime = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    analysis = models.CharField(
        _("analysis"),
        max_length=10,
        choices=Analysis.choices,
        default=Analysis.PENDING,
        db_index=True,
    )
    analysis_queued_at = models.DateTimeField(null=True, blank=True)
    captured_live_at = models.DateTimeField(
        _("captured live at"),
        null=True,
        blank=True,
        help_text=_("Taken with the in-app camera for this dispute, after delivery."),
    )
    capture_nonce = models.CharField(max_length=64, null=True, blank=True, unique=True)
    capture_problems = models.JSONField(
        _("capture problems"),
        default=list,
        blank=True,
        help_text=_(
            "Sent from the in-app camera page but not marked live: why "
            "(a list of {code, detail}, codes from CaptureProblem)."
        ),
    )
    taken_at = models.DateTimeField(
        _("taken at"),
        null=True,
        blank=True,
        help_text=_(
            "Packing photos: when it was taken (EXIF), or uploaded when the file does not "
            "say. One taken after the claim was filed is no reference."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["dispute", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"

    @property
    def capture_problem_lines(self) -> list[tuple[str, str]]:
        """The recorded capture problems as (label, detail), for the arbitrator."""
        known = self.CaptureProblem.values
        return [
            (self.CaptureProblem(p["code"]).label, p.get("detail", ""))
            for p in self.capture_problems
            if p.get("code") in known
        ]


def _heatmap_path(instance: "ForensicReport", filename: str) -> str:
    uid = instance.evidence.uid.hex
    return f"heatmaps/{uid[:2]}/{uid}-{instance.analyzer_version}-{filename}"


class ForensicReport(models.Model):
    """The forensic engine's verdict on one photo or video, for one analyzer version."""

    class Verdict(models.TextChoices):
        AI_GENERATED = "ai_generated", _("AI-generated")
        EDITED = "edited", _("edited")
        REUSED = "reused", _("copy of a photo on file")
        SUSPICIOUS = "suspicious", _("suspicious")
        NO_FINDINGS = "no_findings", _("no findings")

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="reports")
    analyzer_version = models.CharField(max_length=20)
    forgery_score = models.FloatField(_("forgery score"))
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    metadata = models.JSONField(default=dict, blank=True)
    ela_heatmap = models.FileField(upload_to=_heatmap_path, blank=True)
    noise_heatmap = models.FileField(upload_to=_heatmap_path, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("forensic report")
        verbose_name_plural = _("forensic reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "analyzer_version"], name="one_report_per_analyzer_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} ({self.forgery_score:.2f})"


class Signal(models.Model):
    """One finding of a report, with the code vocabulary of the design."""

    class Polarity(models.TextChoices):
        FORGERY = "forgery", _("points to forgery")
        AUTHENTIC = "authentic", _("points to authenticity")

    report = models.ForeignKey(ForensicReport, on_delete=models.CASCADE, related_name="signals")
    code = models.CharField(max_length=40, db_index=True)
    score = models.FloatField()
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    detail = models.TextField(blank=True)
    regions = models.JSONField(default=list, blank=True)
    data = models.JSONField(default=dict, blank=True)
    times = models.JSONField(
        default=list,
        blank=True,
        help_text=_("In a video: the seconds of the clip where the finding holds."),
    )

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.code} {self.score:.2f}"


class Fingerprint(models.Model):
    """Perceptual hashes of one stored crop of an image (``variant`` indexes
    ``fingerprints.STORED_CROPS``; today one crop, the centre without 10 % of each side),
    with 24 indexed triple keys (``fingerprints.lookup_keys``: eight per pHash, dHash and
    wHash, each three of the hash's bytes, stored as ``variant << 24 | key``).

    Near-duplicate search looks up the keys of the query's aligned views through the key
    indexes (multi-index hashing) and reads the hashes from the index itself, so it never
    scans the table or visits the heap. One index per key position serves every crop, and
    a view only meets the crop it is aligned with. Hashes are stored signed (PostgreSQL
    bigint).
    """

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="fingerprints")
    variant = models.PositiveSmallIntegerField(default=0)
    phash = models.BigIntegerField()
    dhash = models.BigIntegerField()
    whash = models.BigIntegerField()
    k0 = models.PositiveIntegerField(default=0)
    k1 = models.PositiveIntegerField(default=0)
    k2 = models.PositiveIntegerField(default=0)
    k3 = models.PositiveIntegerField(default=0)
    k4 = models.PositiveIntegerField(default=0)
    k5 = models.PositiveIntegerField(default=0)
    k6 = models.PositiveIntegerField(default=0)
    k7 = models.PositiveIntegerField(default=0)
    k8 = models.PositiveIntegerField(default=0)
    k9 = models.PositiveIntegerField(default=0)
    k10 = models.PositiveIntegerField(default=0)
    k11 = models.PositiveIntegerField(default=0)
    k12 = models.PositiveIntegerField(default=0)
    k13 = models.PositiveIntegerField(default=0)
    k14 = models.PositiveIntegerField(default=0)
    k15 = models.PositiveIntegerField(default=0)
    k16 = models.PositiveIntegerField(default=0)
    k17 = models.PositiveIntegerField(default=0)
    k18 = models.PositiveIntegerField(default=0)
    k19 = models.PositiveIntegerField(default=0)
    k20 = models.PositiveIntegerField(default=0)
    k21 = models.PositiveIntegerField(default=0)
    k22 = models.PositiveIntegerField(default=0)
    k23 = models.PositiveIntegerField(default=0)

    KEYS = tuple(f"k{i}" for i in range(24))

    class Meta:
        verbose_name = _("fingerprint")
        verbose_name_plural = _("fingerprints")
        constraints = [
            models.UniqueConstraint(fields=["evidence", "variant"], name="fp_evidence_variant")
        ]
        indexes = [
            models.Index(
                fields=[key],
                include=["evidence", "variant", "phash", "dhash", "whash"],
                name=f"fp_{key}",
            )
            for key in (f"k{i}" for i in range(24))
        ]

    def __str__(self) -> str:
        return f"pHash {self.phash & (2**64 - 1):016x} (crop {self.variant})"
