"""C2PA: which validation failures mean "changed after signing" and which do not.

Files are signed here with test chains (tests/fixtures/c2pa_files.py) in the layouts of the
real corpus files; the failure classes no test file can be signed into (a certificate
without the EKU, CAWG identity codes, the 2023 Truepic exclusion layout) are judged from
reader stores of the same shape as c2pa-python 0.38.1 reads those real files.
"""

import io

import pytest
from PIL import Image

from evidence.forensics import Context, analyze
from evidence.forensics.c2pa_manifest import CAPTURE_SCORE_UNTRUSTED, judge
from tests.fixtures import c2pa_files as c2
from tests.fixtures.c2pa_certs import make_chain
from tests.fixtures.photos import scene

ANCHORS = Context(trust_anchors_pem=make_chain().ca_pem)
C2PA_CODES = {"provenance.c2pa_ai", "provenance.c2pa_capture", "provenance.c2pa_invalid"}


@pytest.fixture(scope="module")
def expired():
    return c2.expired_credential_files()


def test_c2pa_ai_manifest_makes_it_ai_generated():
    report = analyze(c2.signed("trainedAlgorithmicMedia"), ANCHORS)
    s = report.signal("provenance.c2pa_ai")
    assert s and s.data["trusted"] is True
    assert "trusted" in s.detail
    assert report.verdict == "ai_generated"


def test_c2pa_capture_counts_for_authenticity_and_notes_trust():
    signed = c2.signed("digitalCapture")
    trusted = analyze(signed, ANCHORS).signal("provenance.c2pa_capture")
    untrusted = analyze(signed).signal("provenance.c2pa_capture")
    assert trusted.polarity == "authentic" and trusted.data["trusted"]
    assert not untrusted.data["trusted"] and "not trusted" in untrusted.detail
    assert trusted.score > untrusted.score
    assert analyze(signed, ANCHORS).signal("provenance.c2pa_ai") is None


def test_c2pa_tampered_after_signing_is_invalid():
    report = analyze(c2.tampered(c2.signed("digitalCapture")), ANCHORS)
    assert report.signal("provenance.c2pa_invalid")
    assert report.signal("provenance.c2pa_capture") is None
    assert report.verdict == "edited"


def test_an_expired_credential_keeps_the_ai_declaration(expired):
    chain, files = expired
    for context in (Context(), Context(trust_anchors_pem=chain.ca_pem)):
        report = analyze(files["ai"], context)
        assert "signingCredential.expired" in report.metadata["c2pa"]["failures"]
        assert report.metadata["c2pa"]["integrity"] == "intact"
        assert report.metadata["c2pa"]["credential"] == "expired"
        s = report.signal("provenance.c2pa_ai")
        assert s and s.data["credential"] == "expired" and s.data["trusted"] is False
        assert "certificate has expired" in s.detail and "hashes" in s.detail
        assert report.signal("provenance.c2pa_invalid") is None
        assert report.verdict == "ai_generated"


def test_tampering_with_an_expired_credential_file_is_still_a_change(expired):
    report = analyze(c2.tampered(expired[1]["ai"]))
    s = report.signal("provenance.c2pa_invalid")
    assert s and "assertion.dataHash.mismatch" in s.data["failures"]
    assert "changed after it was signed" in s.detail
    assert report.signal("provenance.c2pa_ai") is None
    assert report.verdict == "edited"


def test_an_expired_capture_counts_only_as_untrusted(expired):
    chain, files = expired
    report = analyze(files["capture"], Context(trust_anchors_pem=chain.ca_pem))
    s = report.signal("provenance.c2pa_capture")
    assert s.score == CAPTURE_SCORE_UNTRUSTED and s.data["credential"] == "expired"
    assert report.signal("provenance.c2pa_invalid") is None


def test_ai_declared_in_the_parent_ingredient_counts():
    """ChatGPT / Gemini: the active manifest only opens a parent whose manifest is AI."""
    child = c2.signed(parent=c2.signed("trainedAlgorithmicMedia"))
    report = analyze(child, ANCHORS)
    s = report.signal("provenance.c2pa_ai")
    assert s.data["declared_in"] == "parent_ingredient"
    assert s.data["source_type"] == "trainedAlgorithmicMedia"
    assert report.verdict == "ai_generated"


def test_an_expired_opener_of_an_ai_parent_is_ai_generated(expired):
    """The real chatgpt-1.png: parent layout and an expired active credential at once."""
    report = analyze(expired[1]["opened"])
    assert report.signal("provenance.c2pa_ai").data["declared_in"] == "parent_ingredient"
    assert report.signal("provenance.c2pa_invalid") is None
    assert report.verdict == "ai_generated"


def test_an_edit_of_a_camera_capture_is_not_ai():
    report = analyze(c2.signed(parent=c2.signed("digitalCapture")), ANCHORS)
    assert not report.codes() & C2PA_CODES
    assert report.verdict != "ai_generated"


def test_a_jpeg_with_a_gain_map_index_is_read():
    """Pixel-style captures carry an MPF index (the Ultra HDR gain map): Pillow says MPO."""
    first, gain_map = Image.fromarray(scene(320, 240, 1)), Image.fromarray(scene(160, 120, 2))
    mpo = io.BytesIO()
    first.save(mpo, "MPO", save_all=True, append_images=[gain_map], quality=90)
    report = analyze(c2.signed("computationalCapture", jpeg=mpo.getvalue()), ANCHORS)
    assert report.format == "MPO"
    assert report.signal("provenance.c2pa_capture").data["trusted"] is True


@pytest.mark.parametrize(
    "url", ["https://manifests.example.invalid/store/abc", "https://example.invalid/c2pa/abc"]
)
def test_a_remote_manifest_is_not_verifiable_and_not_tampering(url):
    report = analyze(c2.signed("trainedAlgorithmicMedia", remote_url=url))
    assert not report.codes() & C2PA_CODES
    assert report.metadata["c2pa"] == {"state": "remote", "integrity": "not_verifiable", "url": url}


def test_an_unreadable_manifest_is_not_tampering():
    data = bytearray(c2.signed("digitalCapture"))
    at = data.find(b"jumb")
    data[at : at + 4] = b"xxxx"
    report = analyze(bytes(data))
    assert not report.codes() & C2PA_CODES
    assert report.metadata["c2pa"]["state"] == "unreadable"


# Reader stores shaped as c2pa-python reads the real files.

ACTIVE = "urn:c2pa:active"
SIGNATURE = f"self#jumbf=/c2pa/{ACTIVE}/c2pa.signature"
DATA_HASH = f"self#jumbf=/c2pa/{ACTIVE}/c2pa.assertions/c2pa.hash.data"
UNTRUSTED = {"code": "signingCredential.untrusted", "url": SIGNATURE}


def action(name: str, source_type: str | None = None) -> dict:
    out = {"action": name}
    if source_type:
        out["digitalSourceType"] = c2.IPTC + source_type
    return out


def manifest(actions=(), ingredients=(), signer="Samsung Galaxy") -> dict:
    return {
        "signature_info": {"common_name": signer, "issuer": signer},
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": list(actions)}}],
        "ingredients": list(ingredients),
    }


def store(failures=(), successes=(), deltas=(), actions=(), more=None, state="Invalid"):
    return {
        "active_manifest": ACTIVE,
        "manifests": {ACTIVE: manifest(actions, (more or {}).get("ingredients", ()))}
        | (more or {}).get("manifests", {}),
        "validation_results": {
            "activeManifest": {"success": list(successes), "failure": [UNTRUSTED, *failures]},
            "ingredientDeltas": [
                {
                    "ingredientAssertionURI": f"self#jumbf=/c2pa/{ACTIVE}/c2pa.assertions/ing",
                    "validationDeltas": {"success": [], "failure": list(deltas)},
                }
            ],
        },
        "_state": state,
    }


def codes(result) -> set[str]:
    return {s.code for s in result.signals}


def test_a_certificate_without_the_required_eku_keeps_a_samsung_ai_edit():
    result = judge(
        store(
            [{"code": "signingCredential.invalid", "url": SIGNATURE}],
            actions=[action("c2pa.edited", "compositeWithTrainedAlgorithmicMedia")],
        ),
        anchors=False,
    )
    (s,) = result.signals
    assert s.code == "provenance.c2pa_ai" and s.score == 0.9
    assert s.data["credential"] == "invalid" and "not valid for C2PA signing" in s.detail


@pytest.mark.parametrize(
    "code",
    [
        "cawg.ica.did_unavailable",
        "cawg.ica.signature_mismatch",
        "cawg.ica.valid_until.invalid",
        "cawg.x509.credential.untrusted",
    ],
)
def test_cawg_identity_failures_are_not_a_change(code):
    url = f"self#jumbf=/c2pa/{ACTIVE}/c2pa.assertions/cawg.identity"
    result = judge(store([{"code": code, "url": url}]), anchors=False)
    assert "provenance.c2pa_invalid" not in codes(result)
    assert result.metadata["c2pa"]["identity"] == "unverified"
    assert result.metadata["c2pa"]["integrity"] == "intact"


def test_an_exclusion_layout_refusal_with_a_matching_hash_is_not_verifiable():
    """2023 Truepic captures: the data hash matches, only its exclusion range is refused."""
    result = judge(
        store(
            [{"code": "assertion.dataHash.mismatch", "url": DATA_HASH}],
            successes=[{"code": "assertion.dataHash.match", "url": DATA_HASH}],
            actions=[action("c2pa.created", "digitalCapture")],
        ),
        anchors=False,
    )
    assert result.signals == []  # neither a change nor capture credit
    assert result.metadata["c2pa"]["integrity"] == "not_verifiable"


@pytest.mark.parametrize(
    "code",
    [
        "assertion.dataHash.mismatch",
        "assertion.bmffHash.mismatch",
        "assertion.boxesHash.mismatch",
        "claimSignature.mismatch",
        "assertion.hashedURI.mismatch",
        "assertion.required.missing",
        "claim.hardBindings.missing",
    ],
)
def test_hash_signature_and_claim_failures_are_a_change(code):
    result = judge(
        store(
            [{"code": code, "url": DATA_HASH}],
            actions=[action("c2pa.created", "trainedAlgorithmicMedia")],
        ),
        anchors=False,
    )
    assert codes(result) == {"provenance.c2pa_invalid"}
    assert result.signals[0].score >= 0.5
    assert "trainedAlgorithmicMedia" in result.signals[0].detail


def test_an_ingredient_manifest_altered_inside_the_file_is_a_change():
    mismatch = {"code": "claimSignature.mismatch", "url": "self#jumbf=/c2pa/urn:c2pa:ing"}
    result = judge(store(deltas=[mismatch]), anchors=False)
    (s,) = result.signals
    assert s.code == "provenance.c2pa_invalid" and "ingredient" in s.detail


@pytest.mark.parametrize("code", ["general.error", "algorithm.unsupported", "com.vendor.odd"])
def test_unknown_or_unsupported_codes_accuse_nobody(code):
    result = judge(
        store(
            [{"code": code, "url": SIGNATURE}],
            actions=[action("c2pa.created", "trainedAlgorithmicMedia")],
        ),
        anchors=False,
    )
    assert codes(result) == {"provenance.c2pa_ai"}  # a declaration against interest stands
    assert result.metadata["c2pa"]["integrity"] == "not_verifiable"
    assert code in result.signals[0].detail


def test_a_revoked_capture_gets_no_credit():
    revoked = {"code": "signingCredential.ocsp.revoked", "url": SIGNATURE}
    result = judge(store([revoked], actions=[action("c2pa.created", "digitalCapture")]), False)
    assert result.signals == []
    assert result.metadata["c2pa"]["credential"] == "revoked"


def test_a_parent_whose_own_validation_shows_a_change_is_not_followed():
    parent = "urn:c2pa:parent"
    ingredient = {
        "relationship": "parentOf",
        "active_manifest": parent,
        "validation_results": {
            "activeManifest": {"failure": [{"code": "assertion.dataHash.mismatch"}]}
        },
    }
    more = {
        "ingredients": [ingredient],
        "manifests": {parent: manifest([action("c2pa.created", "trainedAlgorithmicMedia")])},
    }
    followed = dict(ingredient, validation_results={})
    assert codes(judge(store(actions=[action("c2pa.opened")], more=more), False)) == set()
    more["ingredients"] = [followed]
    result = judge(store(actions=[action("c2pa.opened")], more=more), False)
    assert codes(result) == {"provenance.c2pa_ai"}


def test_a_component_ingredient_is_not_read_as_the_file_s_source():
    component = "urn:c2pa:component"
    more = {
        "ingredients": [{"relationship": "componentOf", "active_manifest": component}],
        "manifests": {component: manifest([action("c2pa.created", "trainedAlgorithmicMedia")])},
    }
    result = judge(store(actions=[action("c2pa.placed")], more=more), False)
    assert codes(result) == set()
