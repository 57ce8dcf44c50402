"""The data migration that keys existing fingerprint rows for the triple-key lookup computes
the same keys as the engine, so rows stored before it are found like rows stored after."""

import importlib

from django.apps import apps

from evidence import analysis
from evidence.forensics import fingerprints as fp
from evidence.models import Fingerprint
from evidence.selectors import near_duplicates
from evidence.services import evidence_add
from tests.evidence.test_pipeline import cropped, product_photo, upload

migration = importlib.import_module("evidence.migrations.0007_fingerprint_triple_keys")


def test_existing_rows_get_the_engines_keys_and_are_found_again(order, merchant):
    (item,) = evidence_add(
        order=order, party=merchant, files=[upload(product_photo(5))], role="listing"
    )
    analysis.analyze_evidence(item.pk)
    row = Fingerprint.objects.get(evidence=item)
    expected = [getattr(row, key) for key in Fingerprint.KEYS]
    Fingerprint.objects.filter(pk=row.pk).update(**dict.fromkeys(Fingerprint.KEYS, 0))
    query = fp.of_bytes(cropped(product_photo(5), 0.03))
    assert near_duplicates(query) == []  # unkeyed, as before the migration

    migration.fill_keys(apps, None)

    row.refresh_from_db()
    assert [getattr(row, key) for key in Fingerprint.KEYS] == expected
    stored = fp.Hashes(*(fp.from_signed64(getattr(row, kind)) for kind in fp.KINDS))
    assert expected == list(fp.lookup_keys(stored, row.variant))
    assert [m.evidence_id for m in near_duplicates(query)] == [item.pk]
