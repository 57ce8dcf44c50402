"""Re-analyse every image the current analyzer version has not seen (after an upgrade)."""

from django.core.management.base import BaseCommand

from evidence import analysis
from evidence.forensics import ANALYZER_VERSION


class Command(BaseCommand):
    help = "Queue (or with --now, run) analysis of evidence lacking a current-version report."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Analyse here, without a worker, one by one."
        )

    def handle(self, *args, now: bool, **options):
        ids = analysis.outdated_evidence_ids()
        if not now:
            analysis.requeue(ids)
            self.stdout.write(f"Queued {len(ids)} image(s) for analyzer {ANALYZER_VERSION}.")
            return
        failed = 0
        for pk in ids:
            try:
                analysis.analyze_evidence(pk)
            except Exception as exc:  # one bad file must not stop the batch
                analysis.mark_failed(pk, repr(exc))
                failed += 1
        self.stdout.write(
            f"Analysed {len(ids) - failed} image(s) with analyzer {ANALYZER_VERSION}; "
            f"{failed} failed."
        )
