"""The first view of a dispute page on a phone (390×844, 3× screen) loads resized copies
(srcset), under 300 KB of images, although the photos themselves weigh several times that."""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from arbitration import services

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TARGET = 300_000


def camera_photo(seed: int) -> SimpleUploadedFile:
    """A 2000×1500 JPEG with a gradient and sensor-like noise (about a phone photo's weight)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:1500, 0:2000]
    base = np.stack([x / 8 % 256, y / 6 % 256, (x + y) / 14 % 256], axis=-1)
    pixels = np.clip(base + rng.normal(0, 9, base.shape), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=92)
    return SimpleUploadedFile(f"IMG_{seed}.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def photographed(order, buyer):
    return services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="杯子有裂纹。",
        files=[camera_photo(seed) for seed in range(6)],
        user=buyer.user,
    )


def test_a_phone_loads_under_300_kb_of_images(browser, live_server, photographed, merchant, shoot):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(merchant.user)
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=3, timezone_id="Asia/Shanghai"
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    images = []
    page.on("response", lambda r: images.append(r) if r.request.resource_type == "image" else None)
    page.goto(f"{live_server.url}/disputes/{photographed.pk}/")
    page.wait_for_load_state("networkidle")
    loaded = sum(len(response.body()) for response in images)
    full = sum(item.safe_copy.size for item in photographed.evidence.all())
    shoot(page, "merchant-phone-first-view")
    context.close()
    assert len(images) >= 6
    assert full > 3 * TARGET  # the photos themselves would blow the budget
    assert loaded < TARGET, f"{loaded} bytes of images"
    assert all("?w=" in response.url for response in images)
