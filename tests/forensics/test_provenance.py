"""Provenance: C2PA, GB 45438-2025 AIGC labels, IPTC source type, generator metadata."""

from evidence.forensics import Context, analyze
from tests.fixtures import forensic as f
from tests.fixtures.c2pa_certs import make_chain
from tests.fixtures.photos import camera_photo, scene, to_jpeg

ANCHORS = Context(trust_anchors_pem=make_chain().ca_pem)


def test_c2pa_ai_manifest_makes_it_ai_generated():
    report = analyze(f.c2pa_signed("trainedAlgorithmicMedia"), ANCHORS)
    s = report.signal("provenance.c2pa_ai")
    assert s and s.data["trusted"] is True
    assert "trusted" in s.detail
    assert report.verdict == "ai_generated"


def test_c2pa_capture_counts_for_authenticity_and_notes_trust():
    signed = f.c2pa_signed("digitalCapture")
    trusted = analyze(signed, ANCHORS).signal("provenance.c2pa_capture")
    untrusted = analyze(signed).signal("provenance.c2pa_capture")
    assert trusted.polarity == "authentic" and trusted.data["trusted"]
    assert not untrusted.data["trusted"] and "not trusted" in untrusted.detail
    assert trusted.score > untrusted.score
    assert analyze(signed, ANCHORS).signal("provenance.c2pa_ai") is None


def test_c2pa_tampered_after_signing_is_invalid():
    report = analyze(f.tampered(f.c2pa_signed("digitalCapture")), ANCHORS)
    assert report.signal("provenance.c2pa_invalid")
    assert report.signal("provenance.c2pa_capture") is None
    assert report.verdict == "edited"


def test_no_manifest_means_no_c2pa_signal():
    codes = analyze(camera_photo(width=320, height=240)).codes()
    assert not {c for c in codes if c.startswith("provenance.")}


def test_aigc_label_in_xmp_element_and_attribute():
    for attribute in (False, True):
        data = camera_photo(width=320, height=240, xmp=f.aigc_xmp(1, attribute=attribute))
        report = analyze(data)
        s = report.signal("provenance.aigc_label")
        assert s and s.data["label"] == 1
        assert report.verdict == "ai_generated"


def test_aigc_label_2_is_scored_lower_and_not_proof():
    report = analyze(camera_photo(width=320, height=240, xmp=f.aigc_xmp(2, producer="shop-filter")))
    s = report.signal("provenance.aigc_label")
    assert s.data["label"] == 2 and s.score < 0.9
    assert report.verdict != "ai_generated"


def test_aigc_label_in_png_chunks():
    arr = scene(256, 192)
    itxt = {"XML:com.adobe.xmp": f.aigc_xmp(1).decode()}
    assert analyze(f.png(arr, itxt=itxt)).signal("provenance.aigc_label").data["label"] == 1
    bare = f.png(arr, text={"AIGC": f.aigc_json(3)})
    assert analyze(bare).signal("provenance.aigc_label").data["label"] == 3


def test_aigc_namespace_without_label_does_not_fire():
    packet = f.xmp_packet("<TC260:Other>1</TC260:Other>", {"TC260": f.TC260})
    assert (
        analyze(camera_photo(width=320, height=240, xmp=packet)).signal("provenance.aigc_label")
        is None
    )


def test_iptc_digital_source_type():
    ai = analyze(camera_photo(width=320, height=240, xmp=f.iptc_xmp()))
    assert ai.signal("provenance.iptc_ai").data["source_type"] == "trainedAlgorithmicMedia"
    assert ai.verdict == "ai_generated"
    capture = analyze(camera_photo(width=320, height=240, xmp=f.iptc_xmp("digitalCapture")))
    assert capture.signal("provenance.iptc_ai") is None


def test_a1111_and_comfyui_png_metadata():
    arr = scene(256, 192)
    a1111 = analyze(f.png(arr, text={"parameters": f.A1111_PARAMETERS}))
    assert "A1111" in a1111.signal("provenance.generator_metadata").data["generator"]
    comfy = analyze(f.png(arr, text={"prompt": f.COMFY_PROMPT, "workflow": f.COMFY_WORKFLOW}))
    assert comfy.signal("provenance.generator_metadata").data["generator"] == "ComfyUI"
    assert comfy.verdict == "ai_generated"


def test_generator_markers_in_exif_software():
    for software, name in (("Jimeng 即梦 AI", "Jimeng"), ("Midjourney v6", "Midjourney")):
        data = camera_photo(width=320, height=240, software=software)
        assert analyze(data).signal("provenance.generator_metadata").data["generator"] == name


def test_ordinary_png_text_is_not_generator_metadata():
    arr = scene(256, 192)
    plain = f.png(arr, text={"Comment": "holiday photo", "prompt": "not json"})
    assert analyze(plain).signal("provenance.generator_metadata") is None
    assert analyze(to_jpeg(arr)).signal("provenance.generator_metadata") is None
