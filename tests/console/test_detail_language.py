"""The engine's detail lines are messages (a key and parameters) rendered through gettext in
the reader's language; rows stored before messages existed keep their English text."""

import pytest
from django.utils import translation

from evidence.analysis import stored_data
from evidence.explain import detail_text
from evidence.forensics import Signal as EngineSignal
from evidence.forensics import wording
from evidence.forensics.wording import phrase, said
from evidence.models import Signal
from tests.fixtures.findings import flagged_dispute

from .conftest import page_url

pytestmark = pytest.mark.django_db


def _row(engine_signal) -> Signal:
    return Signal(
        code=engine_signal.code,
        score=engine_signal.score,
        polarity=engine_signal.polarity,
        detail=engine_signal.detail,
        data=stored_data(engine_signal),
    )


def test_a_stored_message_renders_in_chinese_and_in_english():
    how = phrase("reuse.how.mirrored")
    row = _row(
        EngineSignal(
            "reuse.listing_match", 0.9, **said("reuse.listing", how=how, name="#1", cropped="")
        )
    )
    with translation.override("zh-hans"):
        zh = detail_text(row)
    with translation.override("en"):
        en = detail_text(row)
    assert zh == "这张图片是商家商品图 #1 的镜像副本。"
    assert en == "This image is a mirrored copy of the merchant's listing photo #1."
    assert row.detail == en


def test_nested_lists_use_the_language_separator():
    parts = [
        phrase("metadata.saved_by", editor="Photoshop"),
        phrase("metadata.modified", after=phrase("metadata.days", n=3), modified="b", taken="a"),
    ]
    row = _row(
        EngineSignal("metadata.editing_software", 0.5, **said("metadata.editing", parts=parts))
    )
    with translation.override("zh-hans"):
        assert (
            detail_text(row)
            == "该文件由 Photoshop 保存；在拍摄 3 天 后被修改（修改于 b，拍摄于 a）。"
        )
    assert (
        row.detail
        == "The file was saved by Photoshop; modified 3 day(s) after it was taken (b vs a)."
    )


def test_an_old_row_without_a_message_shows_its_stored_english():
    row = Signal(code="metadata.no_camera_data", score=0.2, detail="No camera data (old).", data={})
    with translation.override("zh-hans"):
        assert detail_text(row) == "No camera data (old)."


def test_a_malformed_or_unknown_message_falls_back_to_the_stored_text():
    for message in ({"key": "no.such.key", "params": {}}, {"key": "ela", "params": {}}, "text"):
        row = Signal(code="pixel.ela", score=0.5, detail="stored", data={"message": message})
        assert detail_text(row) == "stored"


def test_every_template_of_the_engine_has_a_chinese_translation():
    with translation.override("zh-hans"):
        untranslated = [k for k, t in wording.TEMPLATES.items() if translation.gettext(t) == t]
    assert untranslated == []


def test_phrase_refuses_a_key_the_engine_does_not_know():
    with pytest.raises(KeyError):
        phrase("no.such.key")


def test_the_chinese_console_shows_no_english_detail_line(
    client, arbitrator, order, buyer, merchant
):
    flagged = flagged_dispute(order, buyer, merchant)
    client.force_login(arbitrator)
    body = client.get(page_url(flagged), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    details = [s for s in Signal.objects.filter(report__evidence__dispute=flagged) if s.detail]
    assert details
    for signal in details:
        assert signal.detail not in body
        with translation.override("zh-hans"):
            assert detail_text(signal) in body.replace("&#x27;", "'").replace("&quot;", '"')
