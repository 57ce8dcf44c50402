"""`manage.py analyze_image PATH [--listing PATH ...] [--known PATH ...]
[--delivered-at YYYY-MM-DD] [--json]`: the worker's analysis of a photo or an MP4/MOV video,
from a shell, no database."""

import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand

from evidence.engine_settings import (
    detector_model_path,
    trust_anchors,
    tsa_anchors,
    upload_limits,
)
from evidence.forensics.files import analyze_path, context_for
from evidence.forensics.intake import RejectedFile


class Command(BaseCommand):
    help = "Run the forensic analyzers on one photo or video and print the report."
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
            limits = upload_limits()
            context = context_for(
                listing=opts["listing"],
                known=opts["known"],
                delivered_at=_date(opts["delivered_at"]),
                limits=limits,
                trust_anchors_pem=trust_anchors(),
                tsa_anchors_pem=tsa_anchors(),
                detector_model_path=detector_model_path(),
            )
            report = analyze_path(opts["path"], context, limits)
        except RejectedFile as exc:
            self._fail(exc.code, exc.message)
        except Exception as exc:  # an engine bug must still answer in the documented shape
            self._fail("analysis_failed", f"The analysis failed: {exc!r}", status=1)
        if opts["json"]:
            self.stdout.write(json.dumps(report.to_dict(file=opts["path"]), ensure_ascii=False))
        else:
            self._table(opts["path"], report)

    def _fail(self, code: str, message: str, status: int = 2):
        self.stdout.write(json.dumps({"error": {"code": code, "message": message}}))
        sys.exit(status)

    def _table(self, path, report):
        out = self.stdout
        out.write(f"{path}  {report.format} {report.width}x{report.height}  sha256 {report.sha256}")
        if report.duration is not None:
            out.write(f"{report.duration:g} s, {report.frames_analysed} keyframe(s) analysed")
        out.write(f"verdict: {report.verdict}   forgery_score: {report.forgery_score:.2f}")
        if not report.signals:
            out.write("no signals")
        for s in report.signals:
            where = _box(s.region) if s.region else ""
            if s.times:
                where += " at " + ", ".join(f"{t:g} s" for t in s.times)
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
