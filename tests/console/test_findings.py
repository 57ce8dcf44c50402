"""Forensic findings on the console's dispute page: verdicts, plain-language signals, region
boxes over the photos, heatmaps (arbitrators only) and listing-vs-evidence pairs."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from arbitration import services
from evidence.analysis import analyze_evidence
from evidence.explain import signal_text
from evidence.models import Evidence, ForensicReport, Signal
from tests.evidence.test_cross_dispute import _claim, _mirrored
from tests.evidence.test_pipeline import cropped, product_photo, upload
from tests.fixtures.findings import cloned_photo, flagged_dispute
from tests.pages.conftest import client_for

from .conftest import page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(order, buyer, merchant):
    return flagged_dispute(order, buyer, merchant)


def card(body: str, item) -> str:
    """The HTML of one evidence card on the page."""
    start = re.search(rf'<figure class="evidence-item[^"]*" data-evidence="{item.uid}"', body)
    return body[start.start() : body.index("</figure>", start.start())]


def styles(html: str, code: str) -> list[dict]:
    """The region boxes drawn for ``code``, as {role, left, top, width, height} fractions."""
    boxes = []
    pattern = (
        r'class="region [^"]*" data-box="left:([\d.]+)%;top:([\d.]+)%;width:([\d.]+)%;'
        rf'height:([\d.]+)%" data-testid="region" data-code="{re.escape(code)}" '
        r'data-role="(\w+)"'
    )
    for left, top, width, height, role in re.findall(pattern, html):
        fractions = (float(value) / 100 for value in (left, top, width, height))
        boxes.append({"role": role, **dict(zip("xywh", fractions, strict=True))})
    return boxes


def close(box: dict, region: dict, tolerance=0.001) -> bool:
    return all(abs(box[key] - region[key]) <= tolerance for key in "xywh")


def test_it_shows_the_verdict_score_and_each_signal_in_plain_language(console_client, flagged):
    report = flagged.buyer_item.reports.get()
    body = console_client.get(page_url(flagged)).content.decode()
    html = card(body, flagged.buyer_item)
    assert f'class="verdict verdict-{report.verdict}"' in html
    assert report.get_verdict_display() in html
    assert f'data-testid="forgery-score">{round(report.forgery_score * 100)}<' in html
    for signal in report.signals.all():
        assert f'data-code="{signal.code}"' in html
        assert escape(str(signal_text(signal.code))) in html
        assert escape(signal.detail) in html
    assert escape("The photo is the merchant's listing photo with one area changed.") in html
    assert 'data-testid="detector">not configured<' in html


def test_it_draws_the_changed_region_on_the_buyers_photo(console_client, flagged):
    edit = flagged.buyer_item.reports.get().signals.get(code="reuse.local_edit")
    html = card(console_client.get(page_url(flagged)).content.decode(), flagged.buyer_item)
    drawn = styles(html, "reuse.local_edit")
    assert len(drawn) == len(edit.regions) >= 1
    assert all(close(box, region) for box, region in zip(drawn, edit.regions, strict=True))
    # the painted stain is at (280..360, 200..260) of the 640 x 480 photo
    x, y = drawn[0]["x"] + drawn[0]["w"] / 2, drawn[0]["y"] + drawn[0]["h"] / 2
    assert 280 / 640 <= x <= 360 / 640 and 200 / 480 <= y <= 260 / 480


def test_it_draws_copy_move_source_and_target_differently(console_client, flagged):
    _data, source, target = cloned_photo()
    html = card(console_client.get(page_url(flagged)).content.decode(), flagged.merchant_item)
    drawn = {box["role"]: box for box in styles(html, "pixel.copy_move")}
    assert set(drawn) == {"source", "target"}
    assert abs(drawn["source"]["x"] - source["x"]) < 0.05
    assert abs(drawn["target"]["x"] - target["x"]) < 0.05
    assert 'class="region c0 role-source"' in html
    assert 'class="region c0 role-target"' in html


def test_it_puts_the_listing_photo_beside_the_edited_evidence(console_client, flagged):
    body = console_client.get(page_url(flagged)).content.decode()
    pairs = body.split('data-testid="comparisons"')[1].split('class="side-by-side"')[0]
    assert pairs.count('data-testid="comparison"') == 1
    assert f'data-evidence="{flagged.buyer_item.uid}"' in pairs
    assert f'data-listing="{flagged.listing_item.uid}"' in pairs
    assert f"/evidence/{flagged.listing_item.uid}/" in pairs
    assert f"/evidence/{flagged.buyer_item.uid}/" in pairs
    assert styles(pairs, "reuse.local_edit")


def test_heatmaps_are_shown_and_served_as_png_to_the_arbitrator(console_client, flagged):
    html = card(console_client.get(page_url(flagged)).content.decode(), flagged.buyer_item)
    for kind in ("ela", "noise"):
        url = reverse("evidence_heatmap", args=[flagged.buyer_item.uid, kind])
        assert f'<img src="{url}"' in html
        response = console_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("who", ["buyer", "merchant", "outsider"])
def test_heatmaps_are_404_for_parties_and_outsiders(flagged, buyer, merchant, outsider, who):
    user = {"buyer": buyer, "merchant": merchant, "outsider": outsider}[who].user
    client = client_for(user)
    for item in (flagged.buyer_item, flagged.merchant_item):
        for kind in ("ela", "noise"):
            url = reverse("evidence_heatmap", args=[item.uid, kind])
            assert client.get(url).status_code == 404


def test_heatmaps_are_404_when_logged_out_or_unknown(console_client, flagged):
    url = reverse("evidence_heatmap", args=[flagged.buyer_item.uid, "ela"])
    assert Client().get(url).status_code == 404
    uid = flagged.buyer_item.uid
    assert console_client.get(f"/evidence/{uid}/heatmap/thumbnail").status_code == 404
    ForensicReport.objects.all().delete()
    assert console_client.get(url).status_code == 404


def test_it_shows_the_analysis_status_until_a_report_exists(console_client, under_review):
    item = under_review.evidence.get(role=Evidence.Role.BUYER)
    Evidence.objects.filter(pk=item.pk).update(analysis=Evidence.Analysis.FAILED)
    html = card(console_client.get(page_url(under_review)).content.decode(), item)
    assert 'data-testid="analysis-status">analysis failed<' in html
    assert 'data-testid="verdict"' not in html
    assert 'data-testid="region"' not in html


def test_an_authentic_signal_is_shown_as_supporting(console_client, flagged):
    report = flagged.merchant_item.reports.get()
    report.signals.create(
        code="provenance.c2pa_capture",
        score=0.9,
        polarity="authentic",
        detail="Signed by Test Camera (trusted).",
    )
    html = card(console_client.get(page_url(flagged)).content.decode(), flagged.merchant_item)
    signal = html.split('data-code="provenance.c2pa_capture"')[1].split("</li>")[0]
    assert 'class="signal supports"' in html
    assert "supports authenticity" in signal
    assert "Signed by Test Camera (trusted)." in signal


def test_the_page_reads_findings_in_a_fixed_number_of_queries(
    console_client, flagged, merchant, django_assert_num_queries
):
    url = page_url(flagged)
    console_client.get(url)  # warm the session and the content types
    with django_assert_num_queries(QUERIES):
        console_client.get(url)
    for n in range(3):
        (item,) = services.party_add_evidence(
            dispute=flagged, party=merchant, files=[upload(product_photo(seed=10 + n))]
        )
        analyze_evidence(item.pk)
    with django_assert_num_queries(QUERIES):
        response = console_client.get(url)
    assert response.content.decode().count('data-testid="verdict"') == 6


QUERIES = 20  # 15 + evidence requests, credit proposals, appeals, photo flags, recovery


def test_it_puts_the_image_filed_in_another_dispute_beside_the_reused_evidence(
    console_client, buyer, outsider
):
    """Every reuse finding shows what it matched: here a mirrored crop of a photo filed in
    another dispute, beside that photo, captioned with where it was filed and how it was
    matched."""
    original = _claim(outsider, product_photo(seed=11))
    analyze_evidence(original.pk)
    copy = _claim(buyer, _mirrored(cropped(product_photo(seed=11), 0.08)))
    analyze_evidence(copy.pk)
    body = console_client.get(page_url(copy.dispute)).content.decode()
    pairs = body.split('data-testid="comparisons"')[1].split('class="side-by-side"')[0]
    assert pairs.count('data-testid="comparison"') == 1
    assert 'data-code="reuse.cross_dispute"' in pairs
    assert f'data-matched="{original.uid}"' in pairs and "data-listing" not in pairs
    assert f'<img src="/evidence/{original.uid}/"' in pairs
    assert f'<img src="/evidence/{copy.uid}/"' in pairs
    source = re.search(r'data-testid="matched-source">(.*?)</figcaption>', pairs).group(1)
    assert original.dispute.reference in source and f"#{original.pk}" in source
    how = re.search(r'data-testid="match-how">(.*?)</p>', pairs).group(1)
    assert "matching points" in how and "mirrored" in how and "cropped" in how
    assert styles(pairs, "reuse.cross_dispute")  # where the copy sits in the earlier photo


def test_an_unrelated_photo_in_another_dispute_gets_no_comparison(console_client, buyer, outsider):
    analyze_evidence(_claim(outsider, product_photo(seed=11)).pk)
    other = _claim(buyer, product_photo(seed=12))
    analyze_evidence(other.pk)
    body = console_client.get(page_url(other.dispute)).content.decode()
    assert 'data-testid="comparison"' not in body


def test_a_visible_aigc_mark_is_explained_and_boxed_where_it_was_read(console_client, flagged):
    report = flagged.buyer_item.reports.get()
    box = {"x": 0.82, "y": 0.92, "w": 0.15, "h": 0.05}
    Signal.objects.create(
        report=report,
        code="provenance.visible_label",
        score=0.95,
        polarity="forgery",
        detail="Visible generator stamp “豆包AI生成” at the bottom edge.",
        regions=[box],
        data={"text": "豆包AI生成", "kind": "generator stamp"},
    )
    html = card(console_client.get(page_url(flagged)).content.decode(), flagged.buyer_item)
    assert escape(str(signal_text("provenance.visible_label"))) in html
    assert escape("Visible generator stamp “豆包AI生成” at the bottom edge.") in html
    assert any(close(b, box) for b in styles(html, "provenance.visible_label"))
