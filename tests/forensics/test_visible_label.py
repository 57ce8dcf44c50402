"""Visible AIGC marks: text rendered onto a photo the way generators stamp it."""

import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence.forensics import visible_label
from evidence.forensics.aggregate import aggregate
from evidence.forensics.types import Signal
from tests.fixtures.photos import scene

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
CODE = "provenance.visible_label"


def photo(width=1024, height=768, seed=3) -> Image.Image:
    return Image.fromarray(scene(width, height, seed=seed))


def stamp(img, text, corner="bottom-right", tall=0.06, pill=False) -> Image.Image:
    """`text` in white with a dark outline (or on a dark pill), `tall` of the short side."""
    img = img.copy()
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, round(tall * min(img.size)), index=2)  # SC
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    w, h = x1 - x0, y1 - y0
    margin = round(0.03 * min(img.size))
    x = margin if "left" in corner else img.width - w - margin
    if corner == "middle":
        x, y = (img.width - w) // 2, (img.height - h) // 2
    else:
        y = margin if "top" in corner else img.height - h - margin
    if pill:
        pad = h // 3
        draw.rounded_rectangle(
            (x - pad, y - pad, x + w + pad, y + h + pad), radius=h // 2, fill=(40, 40, 40)
        )
    draw.text((x - x0, y - y0), text, font=font, fill="white", stroke_width=2, stroke_fill="black")
    return img


def test_a_generators_stamp_in_the_corner_is_found_with_its_region():
    signal = visible_label.find(stamp(photo(), "豆包AI生成"))
    assert signal is not None and signal.code == CODE
    assert signal.score == visible_label.STAMP
    assert signal.data["text"] == "豆包AI生成"
    assert signal.region["x"] > 0.5 and signal.region["y"] > 0.8  # bottom right
    assert aggregate([signal])[1] == "ai_generated"


def test_a_bare_pill_or_latin_mark_only_asks_for_a_look():
    pill = visible_label.find(stamp(photo(), "AI生成", "top-left", pill=True))
    latin = visible_label.find(stamp(photo(seed=4), "AI generated", "bottom-left"))
    for signal in (pill, latin):
        assert signal is not None and signal.score == visible_label.MARK
    assert pill.region["y"] < 0.2 and latin.region["x"] < 0.5
    assert aggregate([pill])[1] == "suspicious"


@pytest.mark.parametrize(
    "text",
    [
        "豆包AI生成",
        "★即梦AI",
        "千问AI生成",
        "可灵AI",
        "元宝 AI生成",
        "百度 AI生成",
        "Qwen-Image",
        "LiblibAI",
        "RunningHub AI生成",
        "豆包Al生成",  # I read as l
    ],
)
def test_generator_stamps_are_stamps(text):
    assert visible_label.classify(text) == visible_label.STAMP


@pytest.mark.parametrize("text", ["AI生成", "ＡＩ合成", "AI generated", "AI-Generated"])
def test_bare_marks_are_marks(text):
    assert visible_label.classify(text) == visible_label.MARK


@pytest.mark.parametrize(
    "text",
    ["生产日期 2026.05", "合格", "合格证", "AI智能", "合成革", "内容由AI生成，请仔细甄别", "AIR"],
)
def test_ordinary_text_and_sentences_are_not_marks(text):
    assert visible_label.classify(text) is None


def test_a_shop_sign_in_the_corner_is_not_a_mark():
    sign = stamp(stamp(photo(), "合格 生产日期", "bottom-right"), "好运来超市", "top-left")
    assert visible_label.find(sign) is None


def test_a_chat_apps_disclaimer_sentence_is_not_a_mark():
    shot = stamp(photo(), "内容由AI生成，请仔细甄别", "bottom-left", tall=0.04)
    assert visible_label.find(shot) is None


def test_a_mark_away_from_the_edges_is_not_read():
    assert visible_label.find(stamp(photo(), "豆包AI生成", "middle")) is None


def test_fine_print_is_not_the_mark():
    assert visible_label.find(stamp(photo(), "豆包AI生成", tall=0.008)) is None


def test_the_mark_alone_weighs_as_its_score():
    mark = Signal(CODE, visible_label.MARK)
    assert aggregate([mark]) == (visible_label.MARK, "suspicious")


def test_a_panoramas_corner_is_read_and_slivers_give_nothing():
    wide = visible_label.find(stamp(photo(3000, 700), "豆包AI生成"))
    assert wide is not None and wide.region["x"] > 0.8
    for size in ((4000, 20), (1, 1), (200, 8000)):
        assert visible_label.find(Image.new("RGB", size)) is None
