"""The 9-slot photo picker in Chromium: add (with thumbnails and a count), remove, refuse a
file whose bytes are not a photo or video (a .txt renamed .jpg) before it is sent, stop at
nine, and keep the chosen files after the server answers with an error."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from arbitration.models import Dispute

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(tmp_path, name, colour):
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buf, "JPEG", quality=85)
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def claim_form(open_as, order, buyer):
    page = open_as(buyer.user, f"/orders/{order.pk}/dispute/", viewport=PHONE)
    return page.get_by_test_id("dispute-form")


def slots(form):
    return form.get_by_test_id("picker-slot")


def test_it_adds_removes_and_counts(claim_form, tmp_path, shoot):
    files = claim_form.locator("input[type=file]")
    expect(claim_form.get_by_test_id("picker-add")).to_be_visible()
    files.set_input_files(
        [str(jpeg(tmp_path, "a.jpg", (200, 30, 30))), str(jpeg(tmp_path, "b.jpg", (30, 200, 30)))]
    )
    expect(slots(claim_form)).to_have_count(2)
    expect(claim_form.get_by_test_id("picker-count")).to_have_text("2/9")
    files.set_input_files([str(jpeg(tmp_path, "c.jpg", (30, 30, 200)))])
    expect(slots(claim_form)).to_have_count(3)  # a second choice adds, it does not replace
    shoot(claim_form.page, "three-chosen")
    claim_form.get_by_test_id("picker-remove").nth(1).click()
    expect(slots(claim_form)).to_have_count(2)
    expect(claim_form.get_by_test_id("picker-count")).to_have_text("2/9")
    names = claim_form.evaluate(
        "f => Array.from(f.querySelector('input[type=file]').files).map(x => x.name)"
    )
    assert names == ["a.jpg", "c.jpg"]


def test_it_refuses_a_text_file_named_jpg(claim_form, tmp_path):
    fake = tmp_path / "stain.jpg"
    fake.write_text("this is not a photo at all, only text", encoding="utf-8")
    claim_form.locator("input[type=file]").set_input_files(
        [str(fake), str(jpeg(tmp_path, "ok.jpg", (9, 9, 9)))]
    )
    expect(slots(claim_form)).to_have_count(1)
    expect(claim_form.get_by_test_id("picker-note")).to_contain_text("stain.jpg")
    expect(claim_form.get_by_test_id("picker-note")).to_contain_text("不是照片或 MP4 视频")
    names = claim_form.evaluate(
        "f => Array.from(f.querySelector('input[type=file]').files).map(x => x.name)"
    )
    assert names == ["ok.jpg"]


def test_it_stops_at_nine(claim_form, tmp_path):
    paths = [str(jpeg(tmp_path, f"p{i}.jpg", (20 * i, 10, 10))) for i in range(10)]
    claim_form.locator("input[type=file]").set_input_files(paths)
    expect(slots(claim_form)).to_have_count(9)
    expect(claim_form.get_by_test_id("picker-count")).to_have_text("9/9")
    expect(claim_form.get_by_test_id("picker-add")).to_have_count(0)
    expect(claim_form.get_by_test_id("picker-note")).to_contain_text("9")


def test_the_files_stay_after_a_server_side_error(claim_form, tmp_path, order, shoot):
    page = claim_form.page
    claim_form.locator("[name=description]").fill("杯子有裂纹。")
    claim_form.locator("[name=claimed_amount]").fill("99999")  # more than was paid: refused
    claim_form.locator("input[type=file]").set_input_files(
        [str(jpeg(tmp_path, "crack.jpg", (120, 20, 20)))]
    )
    expect(slots(claim_form)).to_have_count(1)
    page.get_by_test_id("dispute-submit").click()
    form = page.get_by_test_id("dispute-form")
    expect(form.get_by_test_id("error-claimed_amount")).to_be_visible()
    expect(form.get_by_test_id("error-claimed_amount")).to_have_count(1)  # printed once
    expect(slots(form)).to_have_count(1)
    expect(form.get_by_test_id("picker-note")).to_contain_text("仍在这里")
    shoot(page, "kept-after-error")
    form.locator("[name=claimed_amount]").fill("")
    page.get_by_test_id("dispute-submit").click()
    expect(page.get_by_test_id("dispute-state")).to_be_visible()
    dispute = Dispute.objects.get(order=order)
    assert [e.original_name for e in dispute.evidence.all()] == ["crack.jpg"]
