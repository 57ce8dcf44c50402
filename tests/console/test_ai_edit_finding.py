"""The console tells a partial AI edit of a photo from a wholly generated image."""

import pytest
from django.utils.html import escape

from arbitration import services
from evidence.analysis import analyze_evidence
from evidence.explain import signal_text
from tests.evidence.test_pipeline import upload
from tests.fixtures import forensic
from tests.fixtures.photos import scene
from tests.forensics.test_generators import galaxy_photo

from .conftest import page_url
from .test_findings import card

pytestmark = pytest.mark.django_db
NOTE = "Partial AI edit of an existing picture, not a wholly generated image"


def claim(order, buyer, photo: bytes, name: str):
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="The lid is cracked.",
        files=[upload(photo, name)],
    )
    item = dispute.evidence.get()
    analyze_evidence(item.pk)
    return dispute, item


def test_a_galaxy_ai_edit_is_shown_as_a_partial_edit(console_client, order, buyer):
    dispute, item = claim(order, buyer, galaxy_photo(5), "edit.jpg")
    html = card(console_client.get(page_url(dispute)).content.decode(), item)
    assert 'class="verdict verdict-ai_generated"' in html
    assert 'data-code="provenance.ai_edit"' in html
    assert escape(str(signal_text("provenance.ai_edit"))) in html
    assert f'data-testid="ai-edit">{NOTE}<' in html


def test_a_generated_image_is_not_called_a_partial_edit(console_client, order, buyer):
    png = forensic.png(scene(320, 240), text={"parameters": forensic.A1111_PARAMETERS})
    dispute, item = claim(order, buyer, png, "gen.png")
    html = card(console_client.get(page_url(dispute)).content.decode(), item)
    assert 'class="verdict verdict-ai_generated"' in html
    assert 'data-testid="ai-edit"' not in html


def test_the_note_reads_in_chinese(client, arbitrator, order, buyer):
    client.force_login(arbitrator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    dispute, item = claim(order, buyer, galaxy_photo(5), "edit.jpg")
    html = card(client.get(page_url(dispute)).content.decode(), item)
    assert "对已有图片的局部 AI 修改，并非整张由 AI 生成" in html
