"""GB 45438-2025 implicit labels in every placement real files use, the producer code,
the Label wording, malformed (hand-made) labels, and ordinary text that is no label."""

import io
import json
import struct
import zlib

import pytest
from PIL import Image

from evidence.forensics import analyze
from evidence.forensics.aggregate import aggregate
from evidence.forensics.aigc_label import decode_producer, uscc_valid
from evidence.forensics.types import Signal
from tests.fixtures import forensic as f
from tests.fixtures.photos import camera_photo, scene, to_jpeg

# The producer codes of the corpus's real Doubao and Jimeng outputs.
DOUBAO = "001191110102MACQD9K64010000"
JIMENG = "00119144030008867405X210001"
LABEL_CODES = {"provenance.aigc_label", "provenance.aigc_label_malformed"}


def label_json(label="1", producer=DOUBAO, **more) -> str:
    fields = {"Label": label, "ContentProducer": producer, "ProduceID": "cc75f5e99aae4210"}
    return json.dumps(fields | more, ensure_ascii=False)


def jpeg_with_exif(description: bytes | str | None = None, comment: bytes | None = None):
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Xiaomi", "23078PND5C"
    if description is not None:
        exif[0x010E] = description
    if comment is not None:
        exif.get_ifd(0x8769)[0x9286] = comment
    return to_jpeg(scene(320, 240), 90, exif=exif.tobytes())


def with_app_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def png_with_late_chunk(kind: bytes, body: bytes) -> bytes:
    data = f.png(scene(256, 192))
    chunk = struct.pack(">I", len(body)) + kind + body
    chunk += struct.pack(">I", zlib.crc32(kind + body))
    end = data.rfind(b"IEND") - 4
    return data[:end] + chunk + data[end:]


def label_of(data: bytes):
    report = analyze(data)
    return report, report.signal("provenance.aigc_label")


def test_the_doubao_producer_code_is_decoded_and_named():
    report, s = label_of(camera_photo(width=320, height=240, xmp=xmp(label_json())))
    producer = s.data["producer"]
    assert producer["uscc"] == "91110102MACQD9K640" and producer["uscc_valid"] is True
    assert producer["company"] == "ByteDance (Doubao)"
    assert (producer["format"], producer["model_code"]) == ("001", "0000")
    assert producer["subject_type"] == "organisation"
    assert producer["service_type"] == "generation service"
    assert s.data["wording"] == "AI生成" and "AI生成" in s.detail
    assert "ByteDance (Doubao)" in s.detail
    assert report.verdict == "ai_generated"


def test_a_propagator_code_reads_as_a_propagation_service():
    jimeng = decode_producer(JIMENG)
    assert jimeng["company"] == "ByteDance (Jimeng / Dreamina)"
    propagator = decode_producer("00119144030008867405X220001")
    assert propagator["service_type"] == "propagation service"
    assert decode_producer("doubao-seedream") == {"code": "doubao-seedream"}


def test_credit_code_check_character():
    assert uscc_valid("91110102MACQD9K640") and uscc_valid("9144030008867405X2")
    assert not uscc_valid("91110102MACQD9K641") and not uscc_valid("91110102MACQD9K64")


def xmp(value_json: str) -> bytes:
    escaped = value_json.replace("&", "&amp;").replace('"', "&quot;")
    return f.xmp_packet(f"<TC260:AIGC>{escaped}</TC260:AIGC>", {"TC260": f.TC260})


@pytest.mark.parametrize(
    ("label", "wording"), [("2", "可能为生成合成内容"), ("3", "疑似生成合成内容")]
)
def test_labels_2_and_3_carry_their_wording_and_stay_suspicious(label, wording):
    report, s = label_of(camera_photo(width=320, height=240, xmp=xmp(label_json(label))))
    assert s.data["label"] == int(label) and s.data["wording"] == wording
    assert wording in s.detail
    assert report.verdict == "suspicious"  # "possibly AI" is neither proof nor an edit


@pytest.mark.parametrize(
    "comment",
    [
        b"UNICODE\0" + label_json().encode("utf-16-le"),
        b"ASCII\0\0\0" + label_json().encode(),
    ],
)
def test_raw_json_in_exif_user_comment(comment):
    report, s = label_of(jpeg_with_exif(comment=comment))
    assert s.data["source"] == "EXIF UserComment" and s.data["label"] == 1
    assert report.verdict == "ai_generated"


def test_raw_json_in_exif_image_description_wrapped_as_aigc():
    wrapped = json.dumps({"AIGC": json.loads(label_json())})
    _, s = label_of(jpeg_with_exif(description=wrapped))
    assert s.data["source"] == "EXIF ImageDescription"
    assert s.data["producer"]["company"] == "ByteDance (Doubao)"


@pytest.mark.parametrize(
    "description",
    [
        "生产日期 2025-06-01 检验合格 Label: 1".encode(),
        json.dumps({"label": "1", "产地": "浙江"}, ensure_ascii=False).encode(),
        json.dumps({"Label": "合格", "ProductName": "水杯"}, ensure_ascii=False).encode(),
    ],
)
def test_ordinary_chinese_text_in_exif_is_no_label(description):
    report = analyze(jpeg_with_exif(description=description))
    assert not report.codes() & LABEL_CODES
    assert report.verdict == "no_findings"


def test_a_bare_aigc_blob_in_a_jpeg_app_segment():
    data = with_app_segment(
        camera_photo(width=320, height=240), 0xEB, b"AIGC" + label_json().encode()
    )
    report, s = label_of(data)
    assert s.data["source"] == "JPEG APP11 segment" and report.verdict == "ai_generated"


def test_an_app_segment_naming_aigc_without_a_label_is_nothing():
    data = with_app_segment(camera_photo(width=320, height=240), 0xEB, b"AIGC tools v2 {}")
    assert not analyze(data).codes() & LABEL_CODES


def test_png_text_chunks_after_idat():
    text = png_with_late_chunk(b"tEXt", b"AIGC\0" + label_json().encode())
    assert label_of(text)[1].data["source"] == "PNG text chunk AIGC"
    packet = xmp(label_json())
    itxt = png_with_late_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + packet)
    assert label_of(itxt)[1].data["source"] == "XMP TC260:AIGC"


@pytest.mark.parametrize("fmt", ["WEBP", "HEIF"])
def test_the_xmp_of_webp_and_heif(fmt):
    out = io.BytesIO()
    Image.fromarray(scene(256, 192)).save(out, fmt, xmp=xmp(label_json()), quality=90)
    report, s = label_of(out.getvalue())
    assert s.data["label"] == 1 and report.verdict == "ai_generated"


def test_the_tencent_cloud_variant():
    value = json.dumps(
        {
            "AIGC": {
                "Label": "1",
                "ServiceProvider": "001191440300708461136T1XGW3",
                "ServiceUser": "100012345678",
                "ContentId": "14f48488fead00d28e11c31f9845685c",
            }
        }
    )
    _, s = label_of(f.png(scene(256, 192), text={"AIGC": value}))
    assert s.data["variant"] == "tencent_cloud"
    assert s.data["producer"]["company"] == "Tencent"
    assert s.data["producer"]["model_code"] == "XGW3"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"ContentProducer": "某某科技有限公司"}, "printable ASCII"),
        ({"ContentProducer": "001191110102MACQD9K64110000"}, "check character"),
        ({"Label": "AIGC"}, "not 1, 2 or 3"),
    ],
)
def test_a_malformed_label_is_reported_and_never_proof(fields, problem):
    value = json.dumps(json.loads(label_json()) | fields, ensure_ascii=False)
    report = analyze(f.png(scene(256, 192), text={"AIGC": value}))
    s = report.signal("provenance.aigc_label_malformed")
    assert s and any(problem in p for p in s.data["problems"])
    assert report.signal("provenance.aigc_label") is None
    assert report.verdict == "suspicious"


def test_a_well_formed_label_wins_over_a_malformed_one():
    bad = json.dumps(json.loads(label_json()) | {"ContentProducer": "某公司"}, ensure_ascii=False)
    data = f.png(
        scene(256, 192), text={"AIGC": bad}, itxt={"XML:com.adobe.xmp": xmp(label_json()).decode()}
    )
    report = analyze(data)
    assert report.signal("provenance.aigc_label") and report.verdict == "ai_generated"
    assert report.signal("provenance.aigc_label_malformed") is None


def test_an_ai_hint_alone_is_never_an_edit():
    """ "Possibly AI" and a detector score say generated, not retouched: suspicious at most,
    unless they add up with other evidence to AI_COMBINED."""
    for hint in (
        Signal("provenance.aigc_label", 0.7, data={"label": 2}),
        Signal("provenance.aigc_label_malformed", 0.6),
        Signal("model.ai_detector", 0.95),
    ):
        assert aggregate([hint])[1] == "suspicious"
    both = [Signal("provenance.aigc_label_malformed", 0.6), Signal("model.ai_detector", 0.99)]
    assert aggregate(both)[1] == "ai_generated"
