"""Provenance: GB 45438-2025 AIGC labels, IPTC source type, generator metadata.

C2PA manifests are tested in test_c2pa."""

import io

import pytest
from PIL import Image

from evidence.forensics import analyze
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, scene, to_jpeg


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


def comfy_webp(make: str, model: str, animated: bool = False) -> bytes:
    """ComfyUI's WebP layout (SaveAnimatedWEBP): the graphs as EXIF Make/Model strings."""
    frames = [Image.fromarray(scene(256, 192, seed=s)) for s in (1, 2)]
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = make, model
    out = io.BytesIO()
    extra = {"save_all": True, "append_images": frames[1:], "duration": 100} if animated else {}
    frames[0].save(out, "WEBP", exif=exif.tobytes(), quality=90, **extra)
    return out.getvalue()


@pytest.mark.parametrize("animated", [False, True])
def test_comfyui_webp_graphs_in_exif_make_and_model(animated):
    data = comfy_webp("workflow:" + f.COMFY_WORKFLOW, "prompt:" + f.COMFY_PROMPT, animated)
    report = analyze(data)
    s = report.signal("provenance.generator_metadata")
    assert s.data["generator"] == "ComfyUI" and "EXIF" in s.data["where"]
    assert report.verdict == "ai_generated"


def test_camera_make_and_model_in_a_webp_are_not_generator_metadata():
    for make, model in (("Canon", "Canon EOS R6"), ("workflow: none", "prompt: a red scarf")):
        assert analyze(comfy_webp(make, model)).signal("provenance.generator_metadata") is None
