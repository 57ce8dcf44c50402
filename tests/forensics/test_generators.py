"""Generator metadata outside PNG chunks (A1111 and Fooocus in EXIF UserComment, InvokeAI,
NovelAI and its stealth alpha bits, Midjourney, xAI Grok, Ideogram) and phone AI edits
(Samsung Galaxy AI, Google Photos, Apple Clean Up). Each one fires on the layout its tool
writes and stays silent on the look-alikes honest photos carry."""

import base64
import gzip
import io
import json
import struct

import numpy as np
import pytest
from PIL import Image

from evidence.forensics import analyze
from evidence.forensics.aggregate import aggregate, ai_involvement
from evidence.forensics.exiftext import text
from evidence.forensics.types import Signal
from tests.fixtures import forensic as f
from tests.fixtures import uploads
from tests.fixtures.photos import camera_photo, scene

GENERATOR = "provenance.generator_metadata"
AI_EDIT = "provenance.ai_edit"
PROMPT = "一只有裂纹的陶瓷杯, product photo"
A1111 = (
    f"{PROMPT}\nNegative prompt: blurry\n"
    "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 1234, Size: 512x512"
)
EXIF_IFD = 0x8769


def generator(data: bytes):
    return analyze(data).signal(GENERATOR)


def with_exif(fmt: str, ifd0: dict | None = None, exif_ifd: dict | None = None) -> bytes:
    exif = Image.Exif()
    for tag, value in (ifd0 or {}).items():
        exif[tag] = value
    for tag, value in (exif_ifd or {}).items():
        exif.get_ifd(EXIF_IFD)[tag] = value
    out = io.BytesIO()
    Image.fromarray(scene(256, 192)).save(out, fmt, exif=exif.tobytes(), quality=90)
    return out.getvalue()


# --- EXIF UserComment ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        A1111.encode("utf-16-be"),  # A1111 through piexif, whatever the file's byte order
        A1111.encode("utf-16-le"),  # exiftool in a little-endian file
        b"\xfe\xff" + A1111.encode("utf-16-be"),
        b"\xff\xfe" + A1111.encode("utf-16-le"),
    ],
)
def test_unicode_user_comment_reads_in_either_byte_order(body):
    assert text(b"UNICODE\0" + body) == A1111


def test_unicode_user_comment_without_latin_text():
    for encoding in ("utf-16-be", "utf-16-le"):
        assert text(b"UNICODE\0" + "西湖边的咖啡杯".encode(encoding)) == "西湖边的咖啡杯"


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le"])
def test_a1111_parameters_in_exif_user_comment(fmt, encoding):
    comment = b"UNICODE\0" + A1111.encode(encoding)
    s = generator(with_exif(fmt, exif_ifd={0x9286: comment}))
    assert s.data == {"generator": "Stable Diffusion WebUI (A1111)", "where": "EXIF UserComment"}
    assert analyze(with_exif(fmt, exif_ifd={0x9286: comment})).verdict == "ai_generated"


def test_a_caption_in_user_comment_is_not_a1111():
    for caption in ("Family trip\nSteps: 3 flights to the lake", "Negative prompt: none\n西湖"):
        comment = b"UNICODE\0" + caption.encode("utf-16-be")
        assert generator(with_exif("JPEG", exif_ifd={0x9286: comment})) is None


FOOOCUS_JSON = json.dumps(
    {
        "full_prompt": [PROMPT],
        "base_model": "juggernautXL_v8Rundiffusion.safetensors",
        "steps": 30,
        "sampler": "dpmpp_2m_sde_gpu",
        "version": "Fooocus v2.5.5",
    }
)


def test_fooocus_png_json_parameters_with_its_scheme():
    data = f.png(scene(256, 192), text={"parameters": FOOOCUS_JSON, "fooocus_scheme": "fooocus"})
    assert generator(data).data["generator"] == "Fooocus"


def test_fooocus_jpeg_user_comment_software_and_maker_note():
    ifd0 = {0x9286: FOOOCUS_JSON, 0x0131: "Fooocus v2.5.5", 0x927C: "fooocus"}
    s = generator(with_exif("JPEG", ifd0=ifd0))
    assert s.data == {"generator": "Fooocus", "where": "EXIF IFD0 UserComment"}
    a1111_scheme = {0x9286: A1111, 0x0131: "Fooocus v2.5.5", 0x927C: "a1111"}
    assert generator(with_exif("WEBP", ifd0=a1111_scheme)).data["generator"] == "Fooocus"


def test_json_parameters_of_another_app_are_not_fooocus():
    other = json.dumps({"filter": "warm", "version": "2.1"})
    assert generator(f.png(scene(256, 192), text={"parameters": other})) is None
    assert generator(with_exif("JPEG", ifd0={0x9286: other, 0x927C: "fooocus"})) is None


# --- InvokeAI, NovelAI ----------------------------------------------------------------------


def test_invokeai_metadata_chunks():
    meta = json.dumps({"generation_mode": "txt2img", "positive_prompt": PROMPT, "seed": 7})
    for key in ("invokeai_metadata", "sd-metadata"):
        s = generator(f.png(scene(256, 192), text={key: meta}))
        assert s.data["generator"] == "InvokeAI" and key in s.data["where"]
    dream = f"{PROMPT} -s 50 -S 3357757885 -W 512 -H 512 -C 7.5 -A k_lms"
    assert generator(f.png(scene(256, 192), text={"Dream": dream})).data["generator"] == "InvokeAI"


def test_invokeai_keys_without_their_content_do_not_fire():
    for key, value in (("invokeai_metadata", "see notes"), ("Dream", "a dream holiday")):
        assert generator(f.png(scene(256, 192), text={key: value})) is None


NOVELAI_COMMENT = json.dumps(
    {"prompt": PROMPT, "steps": 28, "sampler": "k_euler_ancestral", "seed": 5, "uc": "lowres"}
)


def test_novelai_png_chunks():
    chunks = {"Software": "NovelAI", "Source": "NovelAI Diffusion V4.5", "Comment": NOVELAI_COMMENT}
    assert generator(f.png(scene(256, 192), text=chunks)).data["generator"] == "NovelAI"
    comment_only = {"Comment": NOVELAI_COMMENT}
    assert generator(f.png(scene(256, 192), text=comment_only)).data["generator"] == "NovelAI"


def test_an_ordinary_png_comment_is_not_novelai():
    chunks = {"Comment": json.dumps({"prompt": "rate this photo", "seed": 1}), "Software": "GIMP"}
    assert generator(f.png(scene(256, 192), text=chunks)) is None


def stealth_png(payload: bytes, magic: bytes = b"stealth_pngcomp", size=(160, 120)) -> bytes:
    """Write `magic`, the payload's length in bits and the payload into the lowest bit of the
    alpha channel, down each column from the left, as NovelAI does."""
    w, h = size
    rgb = scene(w, h)
    alpha = np.full((h, w), 255, np.uint8)
    stream = magic + struct.pack(">I", len(payload) * 8) + payload
    bits = np.unpackbits(np.frombuffer(stream, np.uint8))
    column_major = alpha.T.copy().ravel()
    column_major[: bits.size] = (column_major[: bits.size] & 0xFE) | bits
    alpha = column_major.reshape(w, h).T
    out = io.BytesIO()
    Image.fromarray(np.dstack([rgb, alpha])).save(out, "PNG")
    return out.getvalue()


def test_novelai_stealth_info_in_the_alpha_channel():
    info = {"Software": "NovelAI", "Comment": NOVELAI_COMMENT, "Description": PROMPT}
    s = generator(stealth_png(gzip.compress(json.dumps(info).encode())))
    assert s.data["generator"] == "NovelAI" and "alpha" in s.data["where"]
    plain = stealth_png(A1111.encode(), magic=b"stealth_pnginfo")
    assert generator(plain).data["generator"] == "Stable Diffusion WebUI (A1111)"


def test_alpha_without_the_stealth_magic_does_not_fire():
    rng = np.random.default_rng(4)
    rgba = np.dstack([scene(160, 120), rng.integers(0, 256, (120, 160), dtype=np.uint8)])
    out = io.BytesIO()
    Image.fromarray(rgba).save(out, "PNG")
    assert generator(out.getvalue()) is None
    broken = stealth_png(b"not gzip at all")  # the magic, but no payload that decodes
    assert generator(broken) is None


# --- Midjourney, Grok, Ideogram, free text --------------------------------------------------

JOB = "2b6e053b-9a65-4ca9-9e13-b6f4465164d4"


def test_midjourney_job_id_with_its_parameters():
    description = f"a cracked cup, studio light --ar 4:3 --v 6.1 Job ID: {JOB}"
    s = generator(f.png(scene(256, 192), text={"Description": description}))
    assert s.data["generator"] == "Midjourney" and JOB in s.data["where"]


def test_midjourney_words_in_free_text_are_not_a_generator():
    for description in (
        f"Print order for our shop. Job ID: {JOB}",
        "A midjourney-style poster hangs behind the cup; made with Firefly lights",
    ):
        assert generator(f.png(scene(256, 192), text={"Description": description})) is None
    subject = f.xmp_packet(
        "<dc:subject><rdf:Bag><rdf:li>firefly</rdf:li><rdf:li>imagen</rdf:li></rdf:Bag></dc:subject>",
        {"dc": "http://purl.org/dc/elements/1.1/"},
    )
    assert generator(camera_photo(width=320, height=240, xmp=subject)) is None


SIGNATURE = "Signature: " + base64.b64encode(bytes(range(224))).decode()
UUID = "4800156b-8880-4786-9056-7ca3da449d8c"


def test_grok_artist_uuid_and_signature():
    data = with_exif("JPEG", ifd0={0x013B: UUID, 0x010E: SIGNATURE})
    report = analyze(data)
    assert report.signal(GENERATOR).data["generator"] == "xAI Grok"
    assert report.verdict == "ai_generated"


def test_grok_marks_alone_or_short_do_not_fire():
    for ifd0 in (
        {0x013B: UUID},
        {0x010E: SIGNATURE, 0x013B: "Li Wei"},
        {0x010E: "Signature: " + base64.b64encode(b"x" * 32).decode(), 0x013B: UUID},
    ):
        assert generator(with_exif("JPEG", ifd0=ifd0)) is None


def test_ideogram_names_itself_in_make():
    assert generator(with_exif("JPEG", ifd0={0x010F: "Ideogram AI"})).data == {
        "generator": "Ideogram",
        "where": "EXIF Make",
    }
    assert generator(with_exif("JPEG", ifd0={0x010F: "Canon", 0x0110: "EOS R6"})) is None


# --- phone AI edits -------------------------------------------------------------------------

UTC = (b"\x00\x00\x01\x0a", b"Image_UTC_Data", b"1748430286000")


def re_edit(gen_ai_type) -> tuple[bytes, bytes, bytes]:
    body = {"originalPath": "/storage/emulated/0/DCIM/Camera/20250528_101446.jpg"}
    if gen_ai_type is not None:
        body["genAIType"] = gen_ai_type
    return b"\x00\x00\xa1\x0b", b"PhotoEditor_Re_Edit_Data", json.dumps(body).encode()


def galaxy_photo(gen_ai_type=5) -> bytes:
    photo = camera_photo(width=480, height=360, make="samsung", model="SM-S931B", software=None)
    return photo + uploads.sef_records([UTC, re_edit(gen_ai_type)])


def test_samsung_galaxy_ai_edit_in_the_jpeg_trailer():
    report = analyze(galaxy_photo(5))
    s = report.signal(AI_EDIT)
    assert s.data["tool"] == "Samsung Galaxy AI" and s.data["gen_ai_type"] == 5
    assert report.verdict == "ai_generated"
    assert report.metadata["ai_involvement"] == "partial_edit"


def test_samsung_trailer_without_a_generative_edit_is_an_ordinary_photo():
    for gen_ai_type in (None, 0):
        report = analyze(galaxy_photo(gen_ai_type))
        assert report.signal(AI_EDIT) is None
        assert report.verdict == "no_findings" and "ai_involvement" not in report.metadata
    loose = camera_photo(width=480, height=360) + b'PhotoEditor_Re_Edit_Data{"genAIType":5}'
    assert analyze(loose).signal(AI_EDIT) is None  # not an SEF block: nobody wrote it so


def test_samsung_galaxy_ai_png_and_heic():
    assert analyze(uploads.samsung_sef_png()).signal(AI_EDIT).data["gen_ai_type"] == 8
    info = uploads.sef_block(uploads.GALAXY_AI_INFO, name=b"PEg_Info", tag=b"\x00\x00\x91\x0d")
    assert analyze(uploads.samsung_sefd_heic(info)).signal(AI_EDIT).data["gen_ai_type"] == 8
    assert analyze(uploads.samsung_sefd_heic()).signal(AI_EDIT) is None


def credit_xmp(credit: str, source: str | None = "compositeWithTrainedAlgorithmicMedia") -> bytes:
    ns = {
        "photoshop": "http://ns.adobe.com/photoshop/1.0/",
        "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    }
    body = f"<photoshop:Credit>{credit}</photoshop:Credit>"
    if source:
        url = f"http://cv.iptc.org/newscodes/digitalsourcetype/{source}"
        body += f"<Iptc4xmpExt:DigitalSourceType>{url}</Iptc4xmpExt:DigitalSourceType>"
    return f.xmp_packet(body, ns)


@pytest.mark.parametrize(
    "credit, tool",
    [
        ("Edited with Google AI", "Google Photos (Edited with Google AI)"),
        ("Apple Photos Clean Up", "Apple Photos Clean Up"),
    ],
)
def test_google_and_apple_ai_edits_in_xmp(credit, tool):
    report = analyze(camera_photo(width=320, height=240, xmp=credit_xmp(credit)))
    s = report.signal(AI_EDIT)
    assert s.data["tool"] == tool
    assert s.data["source_type"] == "compositeWithTrainedAlgorithmicMedia"
    assert report.verdict == "ai_generated"
    assert report.metadata["ai_involvement"] == "partial_edit"


def iim_credit_jpeg(credit: str) -> bytes:
    """A JPEG whose APP13 Photoshop block holds an IPTC-IIM Credit (2:110)."""
    value = credit.encode()
    iim = b"\x1c\x02\x00\x00\x02\x00\x04" + b"\x1c\x02\x6e" + struct.pack(">H", len(value)) + value
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", len(iim)) + iim
    resource += b"\0" * (len(iim) & 1)
    payload = b"Photoshop 3.0\0" + resource
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    photo = camera_photo(width=320, height=240)
    return photo[:2] + segment + photo[2:]


def test_apple_clean_up_credit_in_iptc_iim():
    s = analyze(iim_credit_jpeg("Apple Photos Clean Up")).signal(AI_EDIT)
    assert s.data["tool"] == "Apple Photos Clean Up" and s.data["where"] == "IPTC Credit"


def test_other_credits_are_not_ai_edits():
    for credit in ("Google", "Photo: Apple Store Hangzhou", "Edited with Snapseed"):
        assert (
            analyze(camera_photo(width=320, height=240, xmp=credit_xmp(credit, None))).signal(
                AI_EDIT
            )
            is None
        )
        assert analyze(iim_credit_jpeg(credit)).signal(AI_EDIT) is None


# --- the rule -------------------------------------------------------------------------------


def test_ai_edit_is_ai_provenance_and_reads_as_a_partial_edit():
    edit = Signal(AI_EDIT, 0.9, data={"tool": "Samsung Galaxy AI"})
    assert aggregate([edit]) == (0.9, "ai_generated")
    assert ai_involvement([edit]) == "partial_edit"
    composite = Signal(
        "provenance.c2pa_ai", 0.9, data={"source_type": "compositeWithTrainedAlgorithmicMedia"}
    )
    assert ai_involvement([composite]) == "partial_edit"
    generated = Signal("provenance.c2pa_ai", 0.97, data={"source_type": "trainedAlgorithmicMedia"})
    assert ai_involvement([edit, generated]) == "generated"
    assert ai_involvement([Signal("pixel.ela", 0.9)]) is None


def test_a_camera_photo_has_no_ai_involvement():
    report = analyze(camera_photo(width=320, height=240))
    assert "ai_involvement" not in report.metadata
    assert analyze(with_exif("JPEG", ifd0={0x010F: "Canon"})).signal(AI_EDIT) is None
