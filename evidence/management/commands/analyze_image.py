"""`manage.py analyze_image PATH [--listing PATH ...] [--known PATH ...]
[--delivered-at YYYY-MM-DD] [--json]`: the worker's analysis, from a shell, no database."""

import datetime as dt
import io
import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from evidence.forensics import Context, KnownFingerprint, Reference, analyze, fingerprints
from evidence.forensics.intake import RejectedFile, inspect_file


class Command(BaseCommand):
    help = "Run the forensic analyzers on one image and print the report."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--listing", action="append", default=[], metavar="PATH")
        parser.add_argument("--known", action="append", default=[], metavar="PATH")
        parser.add_argument("--delivered-at", metavar="YYYY-MM-DD")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        try:
            data = self._image(opts["path"])
            context = Context(
                listing=[Reference(p, self._image(p), Path(p).name) for p in opts["listing"]],
                known=[self._known(p) for p in opts["known"]],
                delivered_at=_date(opts["delivered_at"]),
                trust_anchors_pem=_anchors(),
                detector_model_path=getattr(settings, "FORENSICS_DETECTOR_MODEL", None) or None,
            )
        except RejectedFile as exc:
            self._fail(exc.code, exc.message)
        try:
            report = analyze(data, context)
        except Exception as exc:  # an engine bug must still answer in the documented shape
            self._fail("analysis_failed", f"The analysis failed: {exc!r}", status=1)
        if opts["json"]:
            self.stdout.write(json.dumps(report.to_dict(file=opts["path"]), ensure_ascii=False))
        else:
            self._table(opts["path"], report)

    def _read(self, path: str) -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise RejectedFile("unreadable", f"Cannot read {path}: {exc.strerror}.") from exc

    def _image(self, path: str) -> bytes:
        """Read a file and apply the upload rules to it: the engine only sees valid images."""
        data = self._read(path)
        try:
            inspected = inspect_file(io.BytesIO(data), **_limits())
        except RejectedFile as exc:
            raise RejectedFile(exc.code, f"{path}: {exc.message}") from exc
        if inspected.kind != "image":
            raise RejectedFile("not_an_image", f"{path}: only images can be analysed, not video.")
        return data

    def _known(self, path: str) -> KnownFingerprint:
        data = self._image(path)
        stored = fingerprints.of_bytes(data, views=False)
        return KnownFingerprint(path, stored, Path(path).name, image=data)

    def _fail(self, code: str, message: str, status: int = 2):
        self.stdout.write(json.dumps({"error": {"code": code, "message": message}}))
        sys.exit(status)

    def _table(self, path, report):
        out = self.stdout
        out.write(f"{path}  {report.format} {report.width}x{report.height}  sha256 {report.sha256}")
        out.write(f"verdict: {report.verdict}   forgery_score: {report.forgery_score:.2f}")
        if not report.signals:
            out.write("no signals")
        for s in report.signals:
            where = _box(s.region) if s.region else ""
            out.write(f"  {s.code:<36} {s.score:4.2f} {s.polarity:<9} {where}")
            out.write(f"      {s.detail}")
        out.write(f"detector: {report.metadata.get('detector')}")


def _box(r: dict) -> str:
    return f"[x={r['x']:.2f} y={r['y']:.2f} w={r['w']:.2f} h={r['h']:.2f}]"


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise RejectedFile(
            "bad_date", f"--delivered-at must be YYYY-MM-DD, not {value!r}."
        ) from exc


def _limits() -> dict:
    out = {}
    names = (("max_bytes", "EVIDENCE_MAX_IMAGE_BYTES"), ("max_pixels", "EVIDENCE_MAX_PIXELS"))
    for key, name in names:
        value = getattr(settings, name, None)
        if value:
            out[key] = value
    return out


def _anchors() -> str | None:
    path = getattr(settings, "C2PA_TRUST_ANCHORS", None)
    return Path(path).read_text() if path else None
