"""The appeals endpoint: a platform files an appeal for a party and reads it back."""

import pytest

from arbitration import services
from arbitration.models import DecisionAppeal, DisputeEvent
from tests.conftest import jpeg_upload


@pytest.fixture
def decided(dispute, buyer, arbitrator):
    services.dispute_escalate(dispute=dispute, party=buyer)
    services.dispute_decide(
        dispute=dispute, user=arbitrator, outcome="no_refund", reasoning="No crack seen."
    )
    return dispute


def url(dispute):
    return f"/api/v1/disputes/{dispute.pk}/appeals"


def test_the_platform_files_an_appeal_for_the_buyer_and_reads_it(client_a, decided):
    response = client_a.post(
        url(decided),
        {"party": "buyer", "statement": "A sharper photo.", "files": [jpeg_upload()]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["side"], body["status"], len(body["evidence"])) == ("buyer", "filed", 1)
    event = DisputeEvent.objects.get(action="appeal_filed")
    assert event.actor == "platform"
    listed = client_a.get(url(decided)).json()
    assert [item["id"] for item in listed] == [body["id"]]


def test_a_json_appeal_without_files_is_accepted(client_a, decided):
    response = client_a.post(
        url(decided), {"party": "merchant", "statement": "Nothing to add."}, format="json"
    )
    assert response.status_code == 201


def test_bad_input_is_a_400_and_files_nothing(client_a, decided):
    assert client_a.post(url(decided), {"party": "judge"}, format="json").status_code == 400
    missing = client_a.post(url(decided), {"party": "buyer", "statement": " "}, format="json")
    assert missing.status_code == 400
    assert not DecisionAppeal.objects.exists()


def test_appealing_an_undecided_dispute_is_refused(client_a, dispute):
    response = client_a.post(url(dispute), {"party": "buyer", "statement": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_appealable"


def test_another_platform_sees_nothing(client_b, decided):
    assert client_b.get(url(decided)).status_code == 404
    response = client_b.post(url(decided), {"party": "buyer", "statement": "x"}, format="json")
    assert response.status_code == 404
