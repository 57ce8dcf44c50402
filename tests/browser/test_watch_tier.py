"""Credit tiers in a real browser: a watch-tier buyer is asked for more angles before the
claim goes through, and the in-app camera (Chromium's fake camera) stores a live capture."""

import io
import random
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import expect

from accounts.credit import credit_event_record
from accounts.models import CreditEvent, CreditTier
from arbitration.models import Dispute
from evidence.models import Evidence
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"  # tests/factories.py
TIMEOUT = 20_000
FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def _log_in(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 430, "height": 932}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the claim form asks to confirm
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state("networkidle")
    return page


def _in_watch(buyer):
    credit_event_record(
        party=buyer,
        kind=CreditEvent.Kind.ADJUSTMENT,
        reason="Two claims denied this spring.",
        source_key="test:watch",
        points=-30,
    )
    buyer.refresh_from_db()
    assert buyer.credit_tier == CreditTier.WATCH


def _angle(tmp_path: Path, seed: int) -> Path:
    """A photo of the mug from one angle: a different scene for every seed."""
    rng = random.Random(seed)
    img = Image.new("RGB", (640, 480), tuple(rng.randrange(120, 230) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(600), rng.randrange(440)
        w, h = rng.randrange(40, 260), rng.randrange(40, 220)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + w, y + h), fill=colour)
        else:
            draw.rectangle((x, y, x + w, y + h), fill=colour)
    draw.line(
        [(rng.randrange(640), rng.randrange(480)) for _ in range(4)], fill=(40, 30, 30), width=4
    )
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    path = tmp_path / f"IMG_2025060{seed}_1015{seed}2.jpg"
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return path


def _fill_claim(page):
    form = page.get_by_test_id("dispute-form")
    form.locator("[name=reason]").select_option("damaged")
    form.locator("[name=remedy]").select_option("refund_only")
    form.locator("[name=description]").fill("杯子收到时杯身有一道裂纹，无法使用。")
    return form


def test_a_watch_buyer_is_asked_for_more_angles_before_the_claim_goes_through(
    live_server, browser, shoot, tmp_path, order, buyer
):
    _in_watch(buyer)
    page = _log_in(browser, live_server, buyer.user.username)
    page.goto(f"{live_server.url}/orders/")
    page.get_by_test_id(f"open-dispute-{order.external_id}").click()

    # The requirement is on the page before anything is filled in.
    notice = page.get_by_test_id("tier-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("3")
    shoot(page, "claim-form-with-requirement")

    # One photo is not enough: the form comes back asking for more angles.
    form = _fill_claim(page)
    form.locator("[name=files]").set_input_files(str(_angle(tmp_path, 1)))
    page.get_by_test_id("dispute-submit").click()
    error = page.get_by_test_id("error-files")
    expect(error).to_be_visible()
    expect(error).to_contain_text("3")
    assert not Dispute.objects.exists()
    shoot(page, "asked-for-more-angles")

    # The first photo is still chosen; two more angles make three, to an arbitrator's review.
    form = _fill_claim(page)
    expect(form.get_by_test_id("picker-slot")).to_have_count(1)
    form.locator("[name=files]").set_input_files([str(_angle(tmp_path, n)) for n in (2, 3)])
    expect(form.get_by_test_id("picker-slot")).to_have_count(3)
    page.get_by_test_id("dispute-submit").click()
    expect(page.get_by_test_id("dispute-state")).to_have_class(
        re.compile(r"state-awaiting_merchant")
    )
    dispute = Dispute.objects.get(order=order)
    assert dispute.review_required
    assert dispute.buyer_tier == CreditTier.WATCH
    assert dispute.evidence.count() == 3
    expect(page.get_by_test_id("review-required")).to_be_visible()
    shoot(page, "claim-sent-for-review")


@pytest.fixture
def camera_browser(monkeypatch):
    """Chromium with a fake camera that needs no permission prompt."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_CAMERA
        )
        yield browser
        browser.close()
        connections.close_all()


def test_a_watch_buyer_takes_a_live_photo_with_the_camera_and_sends_the_claim(
    live_server, camera_browser, shoot, order, buyer
):
    _in_watch(buyer)
    page = _log_in(camera_browser, live_server, buyer.user.username)
    page.goto(f"{live_server.url}/orders/{order.pk}/dispute/")

    # No three angles at hand: save the claim (nothing is sent, so no confirmation) and open
    # the camera.
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    _fill_claim(page)
    page.get_by_test_id("dispute-capture").click()
    expect(page.get_by_test_id("capture")).to_be_visible()
    assert dialogs == []
    dispute = Dispute.objects.get(order=order)
    assert dispute.state == Dispute.State.OPEN

    page.get_by_test_id("capture-shoot").click()
    expect(page.get_by_test_id("captured").locator("img")).to_have_count(1)
    live = Evidence.objects.get(dispute=dispute)
    # Chromium's canvas encoder, at the size the page reported: consistent with the page.
    assert live.captured_live_at is not None and live.capture_nonce
    assert live.capture_problems == []
    shoot(page, "camera-captured")

    page.get_by_test_id("draft-submit").click()
    expect(page.get_by_test_id("dispute-state")).to_have_class(
        re.compile(r"state-awaiting_merchant")
    )
    expect(page.get_by_test_id(f"live-{live.uid}")).to_be_visible()
    dispute.refresh_from_db()
    assert dispute.review_required
    shoot(page, "claim-sent-with-live-photo")
