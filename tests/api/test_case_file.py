"""The case file through the API: masked, the platform's own disputes only, audited."""

import hashlib
import io
import json
import zipfile

from arbitration.dossier import signing
from arbitration.models import DisputeEvent

Actor = DisputeEvent.Actor


def test_the_platform_downloads_the_masked_file_of_its_own_disputes_only(
    client_a, client_b, decided_dispute
):
    response = client_a.get(f"/api/v1/disputes/{decided_dispute.pk}/case-file")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    case = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("case.json"))
    assert case["parties"]["buyer"]["phone"] == "138****1234"
    assert case["generated"]["full"] is False
    event = DisputeEvent.objects.get(action="dossier_exported")
    assert (event.actor, event.actor_user) == (Actor.PLATFORM, None)
    assert client_b.get(f"/api/v1/disputes/{decided_dispute.pk}/case-file").status_code == 404
    key = client_a.get("/api/v1/dossier-key").json()
    assert key["key_id"] == case["generated"]["key_id"] == signing.key_id()
    assert hashlib.sha256(key["public_key_pem"].encode()).hexdigest() == key["key_id"]
