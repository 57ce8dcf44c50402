"""Check a case file archive: every file against SHA256SUMS, the signature, and the key.

    manage.py verify_case_file TP-000042-case-file.zip [--key-id HEX]

Without ``--key-id`` the archive must be signed by this installation's key. The same check
needs no Tianping at all (README.txt in the archive: sha256sum and openssl).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from arbitration.dossier.archive import verify


class Command(BaseCommand):
    help = "Verify a Tianping case file (dossier) archive."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--key-id", help="the expected signing key id (SHA-256 of its PEM)")

    def handle(self, *args, path: Path, key_id: str | None, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        result = verify(data, expected_key_id=key_id)
        if result.ok:
            self.stdout.write(f"{path}: intact, signed by key {result.key_id}")
            return
        for problem in result.problems:
            self.stderr.write(f"{path}: {problem}")
        sys.exit(1)
