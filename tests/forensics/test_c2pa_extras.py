"""C2PA in plain words: the generator named, soft-binding vendors, a capture beside an AI
mark reported as a conflict, and the trust lists (signers, time-stamping authorities)."""

import pytest

from evidence.engine_settings import trust_anchors, tsa_anchors
from evidence.forensics import Context, analyze
from evidence.forensics.aggregate import aggregate, reconcile
from evidence.forensics.c2pa_manifest import Trust, judge, reader_settings
from evidence.forensics.c2pa_names import product, vendor
from evidence.forensics.types import AUTHENTIC, Signal
from tests.fixtures import c2pa_files as c2
from tests.fixtures import forensic as f
from tests.fixtures.c2pa_certs import make_chain
from tests.fixtures.photos import camera_photo

ACTIVE = "urn:c2pa:active"
DOUBAO = "001191110102MACQD9K64010000"
IPTC = c2.IPTC


def manifest(generator="", info=(), signer="", actions=(), more=()) -> dict:
    return {
        "claim_generator": generator,
        "claim_generator_info": [{"name": n} for n in info],
        "signature_info": {"common_name": signer, "issuer": signer},
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": list(actions)}},
            *more,
        ],
    }


def store(m: dict) -> dict:
    return {"active_manifest": ACTIVE, "manifests": {ACTIVE: m}, "_state": "Valid"}


@pytest.mark.parametrize(
    ("m", "name"),
    [
        (manifest(info=["ChatGPT"], signer="Truepic Lens CLI in Sora"), "ChatGPT (OpenAI)"),
        (manifest(info=["OpenAI Media Service API"], signer="OpenAI Media Service"), "OpenAI"),
        (manifest("Adobe_Firefly", ["Adobe_Firefly"], "Adobe Firefly C2PA"), "Adobe Firefly"),
        (manifest(info=["Black Forest Labs API"]), "Black Forest Labs (FLUX)"),
        (manifest(info=["Google C2PA Core Generator Library"]), "Google"),
        (manifest("Galaxy S25 c2pa-rs/0.62.0", signer="Samsung Galaxy"), "Samsung Galaxy"),
        (
            manifest("make_test_images/0.33.1 c2pa-rs/0.33.1"),
            "make test images/0.33.1 c2pa-rs/0.33.1",
        ),
        (manifest(), ""),
    ],
)
def test_the_claim_generator_in_plain_words(m, name):
    assert product(m) == name


def test_a_samsung_ai_edit_names_galaxy_ai():
    ai = [
        {
            "action": "c2pa.edited",
            "digitalSourceType": IPTC + "compositeWithTrainedAlgorithmicMedia",
        }
    ]
    m = manifest("Galaxy S25 c2pa-rs/0.62.0", signer="Samsung Galaxy", actions=ai)
    result = judge(store(m), anchors=False)
    (s,) = result.signals
    assert s.data["generator"] == "Samsung Galaxy AI" and "made with Samsung Galaxy AI" in s.detail
    assert result.metadata["c2pa"]["generator"] == "Samsung Galaxy"


def test_soft_binding_vendors_are_reported():
    created = [{"action": "c2pa.created", "digitalSourceType": IPTC + "trainedAlgorithmicMedia"}]
    bindings = [
        {"label": "c2pa.soft-binding", "data": {"alg": "com.adobe.trustmark.P", "blocks": []}},
        {"label": "c2pa.soft-binding__1", "data": {"alg": "com.example.mark.v1"}},
    ]
    m = manifest(info=["Adobe Content Authenticity"], actions=created, more=bindings)
    result = judge(store(m), anchors=False)
    assert result.metadata["c2pa"]["soft_bindings"] == [
        {"alg": "com.adobe.trustmark.P", "vendor": "Adobe TrustMark (watermark)"},
        {"alg": "com.example.mark.v1", "vendor": "example"},
    ]
    assert "registers Adobe TrustMark (watermark), example" in result.signals[0].detail


def test_no_soft_binding_no_vendor():
    created = [{"action": "c2pa.created", "digitalSourceType": IPTC + "trainedAlgorithmicMedia"}]
    result = judge(store(manifest(actions=created)), anchors=False)
    assert "soft_bindings" not in result.metadata["c2pa"]
    assert "registers" not in result.signals[0].detail
    assert vendor("com.digimarc.validate.1") == "Digimarc (watermark)"


ANCHORS = Context(trust_anchors_pem=make_chain().ca_pem)


def test_a_capture_beside_an_aigc_label_is_a_conflict_not_authenticity():
    labelled = camera_photo(width=320, height=240, xmp=f.aigc_xmp(1, producer=DOUBAO))
    report = analyze(c2.signed("digitalCapture", jpeg=labelled), ANCHORS)
    s = report.signal("provenance.conflict")
    assert s and s.data["markers"] == ["provenance.aigc_label"]
    assert s.data["capture"]["source_type"] == "digitalCapture"
    assert report.signal("provenance.c2pa_capture") is None
    assert report.verdict == "ai_generated"


def test_a_capture_alone_or_beside_a_detector_score_is_no_conflict():
    report = analyze(c2.signed("digitalCapture"), ANCHORS)
    assert report.signal("provenance.c2pa_capture") and not report.signal("provenance.conflict")
    capture = Signal("provenance.c2pa_capture", 0.9, AUTHENTIC, data={"source_type": "x"})
    detector = Signal("model.ai_detector", 0.7)
    assert reconcile([capture, detector]) == [capture, detector]


def test_a_conflict_takes_the_capture_s_pull_away():
    capture = Signal("provenance.c2pa_capture", 0.9, AUTHENTIC, data={"source_type": "x"})
    malformed = Signal("provenance.aigc_label_malformed", 0.6)
    pulled, _ = aggregate([capture, malformed])
    signals = reconcile([capture, malformed])
    assert [s.code for s in signals] == ["provenance.aigc_label_malformed", "provenance.conflict"]
    score, verdict = aggregate(signals)
    assert score > pulled and verdict == "suspicious"


def test_reader_settings_carry_both_lists_and_fetch_nothing():
    settings = reader_settings(Trust("SIGNERS", "TSA"))
    assert settings["verify"]["remote_manifest_fetch"] is False
    assert settings["verify"]["ocsp_fetch"] is False
    assert settings["trust"]["anchors"] == [
        {"trust_anchors": "SIGNERS", "trust_kind": "manifest"},
        {"trust_anchors": "TSA", "trust_kind": "tsa"},
    ]
    assert "trust" not in reader_settings(Trust())


def test_a_signer_under_the_tsa_list_alone_is_not_trusted():
    ca = make_chain().ca_pem
    only_tsa = analyze(c2.signed("digitalCapture"), Context(tsa_anchors_pem=ca))
    s = only_tsa.signal("provenance.c2pa_capture")
    assert s.data["trusted"] is False and only_tsa.metadata["c2pa"]["state"] == "Valid"
    other = make_chain("Tianping Test TSA").ca_pem
    both = analyze(
        c2.signed("digitalCapture"), Context(trust_anchors_pem=ca, tsa_anchors_pem=other)
    )
    assert both.signal("provenance.c2pa_capture").data["trusted"] is True


def test_the_lists_are_read_from_the_configured_files(settings, tmp_path):
    signers, tsa = tmp_path / "C2PA-TRUST-LIST.pem", tmp_path / "C2PA-TSA-TRUST-LIST.pem"
    signers.write_text("signers pem")
    tsa.write_text("tsa pem")
    settings.C2PA_TRUST_ANCHORS, settings.C2PA_TSA_TRUST_ANCHORS = str(signers), str(tsa)
    assert (trust_anchors(), tsa_anchors()) == ("signers pem", "tsa pem")
    settings.C2PA_TSA_TRUST_ANCHORS = ""
    assert tsa_anchors() is None
