"""IPTC: only trained (generative) source types and the IPTC 2025.1 AI properties declare
AI; procedural, data-driven and composite-synthetic media are genuine merchant graphics."""

import pytest

from evidence.forensics import Context, analyze
from tests.fixtures import c2pa_files as c2
from tests.fixtures import forensic as f
from tests.fixtures.c2pa_certs import make_chain
from tests.fixtures.photos import camera_photo

EXT = {"Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"}
AI_CODES = {"provenance.iptc_ai", "provenance.c2pa_ai"}


@pytest.mark.parametrize("source", ["algorithmicMedia", "dataDrivenMedia", "compositeSynthetic"])
def test_procedural_and_data_driven_graphics_are_not_ai(source):
    report = analyze(camera_photo(width=320, height=240, xmp=f.iptc_xmp(source)))
    assert report.signal("provenance.iptc_ai") is None
    assert report.metadata["iptc_digital_source_type"] == [source]
    assert report.verdict == "no_findings"


@pytest.mark.parametrize("source", ["algorithmicMedia", "dataDrivenMedia"])
def test_a_c2pa_manifest_declaring_them_is_not_ai_either(source):
    report = analyze(c2.signed(source), Context(trust_anchors_pem=make_chain().ca_pem))
    assert not report.codes() & AI_CODES
    assert report.verdict != "ai_generated"


def test_composite_with_trained_media_is_still_ai():
    report = analyze(
        camera_photo(width=320, height=240, xmp=f.iptc_xmp("compositeWithTrainedAlgorithmicMedia"))
    )
    assert report.signal("provenance.iptc_ai").score == 0.9


def test_iptc_2025_ai_system_fields_as_elements():
    body = (
        "<Iptc4xmpExt:AISystemUsed>Midjourney</Iptc4xmpExt:AISystemUsed>"
        "<Iptc4xmpExt:AISystemVersionUsed>7</Iptc4xmpExt:AISystemVersionUsed>"
        "<Iptc4xmpExt:AIPromptInformation><rdf:Alt><rdf:li xml:lang='x-default'>"
        "a cracked cup &amp; saucer</rdf:li></rdf:Alt></Iptc4xmpExt:AIPromptInformation>"
    )
    report = analyze(camera_photo(width=320, height=240, xmp=f.xmp_packet(body, EXT)))
    s = report.signal("provenance.iptc_ai")
    assert s.data["ai_system"] == "Midjourney" and s.data["ai_system_version"] == "7"
    assert s.data["ai_prompt"] == "a cracked cup & saucer"
    assert s.data["source_type"] is None and "Midjourney 7" in s.detail
    assert report.verdict == "ai_generated"


def test_iptc_2025_ai_system_as_attribute_beside_the_source_type():
    packet = f.iptc_xmp().replace(
        b'rdf:about=""', b'rdf:about="" Iptc4xmpExt:AISystemUsed="Adobe Firefly"'
    )
    s = analyze(camera_photo(width=320, height=240, xmp=packet)).signal("provenance.iptc_ai")
    assert s.data["source_type"] == "trainedAlgorithmicMedia"
    assert s.data["ai_system"] == "Adobe Firefly"


def test_empty_ai_fields_and_chinese_descriptions_are_nothing():
    body = (
        "<Iptc4xmpExt:AISystemUsed></Iptc4xmpExt:AISystemUsed>"
        "<dc:description>生产日期 2025-06-01 合格 AI 质检</dc:description>"
    )
    ns = EXT | {"dc": "http://purl.org/dc/elements/1.1/"}
    report = analyze(camera_photo(width=320, height=240, xmp=f.xmp_packet(body, ns)))
    assert report.signal("provenance.iptc_ai") is None
    assert report.verdict == "no_findings"
