"""Both languages, everywhere: a walk through the story's pages in Chinese, on a phone,
failing on any Latin-letter word outside an allow-list (brand names and codes), and on a
page wider than the phone."""

import re

import pytest

from accounts.models import Party
from arbitration import services
from tests.factories import OrderFactory, PartyFactory, PlatformFactory

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Names, codes and formats that are Latin in Chinese too.
ALLOWED = {
    "Tianping",  # the brand beside 天平
    "English",  # the language switch names each language in itself
    "ORD",  # order numbers, dispute references
    "TP",
    "JPEG",
    "PNG",
    "WebP",
    "HEIC",
    "GIF",
    "MP4",
    "MOV",
    "AI",
    "AIGC",
    "C2PA",
    "EXIF",
    "SF",
    "UTC",
}
TOO_WIDE = """Array.from(document.querySelectorAll("body *"))
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .slice(0, 5).map(e => e.tagName + "." + e.className)"""
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)*")


def latin_words(text: str) -> set[str]:
    return {word for word in WORD.findall(text) if word not in ALLOWED}


@pytest.fixture
def story(db):
    platform = PlatformFactory(name="天平演示商城", slug="demo-zh")
    buyer = PartyFactory(platform=platform, kind=Party.Kind.BUYER, display_name="李雷")
    merchant = PartyFactory(
        platform=platform, kind=Party.Kind.MERCHANT, display_name="景德镇好物旗舰店"
    )
    order = OrderFactory(buyer=buyer, merchant=merchant, title="青花瓷马克杯")
    spare = OrderFactory(buyer=buyer, merchant=merchant, title="白瓷茶杯")
    from tests.conftest import jpeg_upload

    dispute = services.dispute_open(
        order=order,
        buyer=buyer,
        reason="damaged",
        remedy="refund_only",
        description="杯身有一道裂纹。",
        files=[jpeg_upload()],
        user=buyer.user,
    )
    services.offer_make(dispute=dispute, party=merchant, amount_fen=3000, message="退30元可以吗？")
    services.offer_reject(dispute=dispute, party=buyer, message="太少了。")
    return {"buyer": buyer, "merchant": merchant, "dispute": dispute, "spare": spare}


def test_the_chinese_pages_have_no_english_words(open_as, shoot, story):
    dispute, spare = story["dispute"], story["spare"]
    walk = [
        (story["buyer"], "/orders/", "buyer-orders"),
        (story["buyer"], f"/orders/{spare.pk}/dispute/", "buyer-claim-form"),
        (story["buyer"], f"/disputes/{dispute.pk}/", "buyer-dispute"),
        (story["buyer"], "/notifications/", "buyer-notifications"),
        (story["buyer"], "/credit/", "buyer-credit"),
        (story["merchant"], "/merchant/", "merchant-inbox"),
        (story["merchant"], "/merchant/orders/", "merchant-orders"),
        (story["merchant"], f"/disputes/{dispute.pk}/", "merchant-dispute"),
        (story["merchant"], "/no/such/page/", "not-found"),
    ]
    found = {}
    for party, path, name in walk:
        for viewport in (PHONE, DESKTOP):
            page = open_as(party.user, path, viewport=viewport)
            page.wait_for_load_state("networkidle")
            words = latin_words(page.locator("body").inner_text())
            words |= latin_words(
                " ".join(
                    page.locator("[placeholder]").evaluate_all("els => els.map(e => e.placeholder)")
                )
            )
            if words:
                found[f"{path} {viewport['width']}"] = sorted(words)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (path, width, page.evaluate(TOO_WIDE))
            if viewport is PHONE:
                shoot(page, name)
            page.context.close()
    assert found == {}


# units, codes, keys; the case file's formats (PDF, JSON) and its SHA-256
CONSOLE_ALLOWED = ALLOWED | {"ELA", "KB", "MB", "SKU", "MUG", "z", "PDF", "JSON", "SHA"}
HEX = re.compile(r"^(?=.*\d)[0-9a-f]{6,}$")  # hash prefixes


def test_the_chinese_console_page_has_no_english_words(
    open_as, shoot, arbitrator, order, buyer, merchant
):
    from arbitration.models import Dispute
    from tests.fixtures.findings import flagged_dispute

    flagged = flagged_dispute(order, buyer, merchant)
    Dispute.objects.filter(pk=flagged.pk).update(
        state=Dispute.State.UNDER_REVIEW, description="杯子上有一块污渍。"
    )
    buyer.display_name, merchant.display_name = "李雷", "景德镇好物旗舰店"
    buyer.save()
    merchant.save()
    order.title = "青花瓷马克杯"
    order.items = [
        {"sku": "MUG-1", "title": "青花瓷马克杯", "quantity": 1, "unit_price_fen": 10000}
    ]
    order.save()
    order.platform.name = "天平演示商城"
    order.platform.save()
    page = open_as(arbitrator, f"/console/arbitration/dispute/{flagged.pk}/", viewport=DESKTOP)
    text = page.locator("#content").inner_text()
    words = {w for w in WORD.findall(text) if w not in CONSOLE_ALLOWED and not HEX.match(w)}
    shoot(page, "console-dispute")
    assert not words, " ".join(sorted(words))
