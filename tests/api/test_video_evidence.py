"""Videos through the API: a refused clip stores nothing and says why."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.models import Evidence
from tests.api.conftest import error_of
from tests.fixtures import videos


def cut_in_half() -> bytes:
    data = videos.clip()
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("builder", "message"),
    [
        (cut_in_half, "incomplete"),
        (lambda: videos.clip(video=False), "sound but no picture"),
    ],
)
def test_a_refused_clip_stores_nothing(client_a, dispute, settings, builder, message):
    before = Evidence.objects.count()
    clip = SimpleUploadedFile("clip.mp4", builder(), content_type="video/mp4")
    response = client_a.post(
        f"/api/v1/disputes/{dispute.pk}/evidence",
        {"party": "buyer", "files": [clip]},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_of(response)["message"].startswith("clip.mp4: ")
    assert message in error_of(response)["message"]
    assert Evidence.objects.count() == before
