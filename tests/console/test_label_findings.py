"""The new provenance codes reach the console: a hand-made AIGC label on a buyer's photo is
shown with its plain words and detail, in English and in Chinese."""

import json
import re

import pytest
from django.utils import translation
from django.utils.html import escape

from arbitration import services
from evidence.analysis import analyze_evidence
from evidence.explain import signal_text
from evidence.models import Evidence
from tests.evidence.test_pipeline import product_photo, upload
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, decode_rgb

from .conftest import page_url

NEW_CODES = ("provenance.aigc_label_malformed", "provenance.conflict")
HAND_MADE = {"Label": "1", "ContentProducer": "某某科技有限公司", "ProduceID": "x1"}


@pytest.mark.parametrize("code", NEW_CODES)
def test_new_codes_have_plain_words_in_both_languages(code):
    with translation.override("en"):
        en = str(signal_text(code))
    with translation.override("zh-hans"):
        zh = str(signal_text(code))
    assert en != code and zh != en
    assert re.search("[\u4e00-\u9fff]", zh)


@pytest.mark.django_db
def test_a_hand_made_label_is_shown_on_the_dispute_page(console_client, order, buyer):
    value = json.dumps(HAND_MADE, ensure_ascii=False).replace('"', "&quot;")
    packet = f.xmp_packet(f"<TC260:AIGC>{value}</TC260:AIGC>", {"TC260": f.TC260})
    photo = camera_photo(pixels=decode_rgb(product_photo()), xmp=packet)
    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="The cup is cracked.",
        files=[upload(photo, "crack.jpg")],
    )
    item = dispute.evidence.get(role=Evidence.Role.BUYER)
    analyze_evidence(item.pk)
    signal = item.reports.get().signals.get(code="provenance.aigc_label_malformed")
    body = console_client.get(page_url(dispute)).content.decode()
    assert 'data-code="provenance.aigc_label_malformed"' in body
    assert escape(str(signal_text(signal.code))) in body
    assert escape(signal.detail) in body
