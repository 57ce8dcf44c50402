"""The aggregation rule and the report as a whole."""

from evidence.forensics import Context, analyze
from evidence.forensics.aggregate import SUSPICIOUS, aggregate
from evidence.forensics.types import AUTHENTIC, Signal
from tests.fixtures.photos import camera_photo


def sig(code, score, polarity="forgery", **data):
    return Signal(code, score, polarity, data=data)


def test_nothing_is_no_findings():
    assert aggregate([]) == (0.0, "no_findings")


def test_any_ai_provenance_is_ai_generated():
    for code in ("provenance.c2pa_ai", "provenance.iptc_ai", "provenance.generator_metadata"):
        assert aggregate([sig(code, 0.8)])[1] == "ai_generated"
    assert aggregate([sig("provenance.aigc_label", 0.97, label=1)])[1] == "ai_generated"
    assert aggregate([sig("provenance.aigc_label", 0.5, label=3)])[1] != "ai_generated"


def test_strong_combined_evidence_with_an_ai_hint_is_ai_generated():
    signals = [sig("provenance.aigc_label", 0.7, label=2), sig("model.ai_detector", 0.95)]
    assert aggregate(signals)[1] == "ai_generated"


def test_edit_signals_make_it_edited():
    assert aggregate([sig("reuse.local_edit", 0.9)])[1] == "edited"
    assert aggregate([sig("pixel.copy_move", 0.7)])[1] == "edited"


def test_weak_signals_alone_stay_below_suspicious():
    score, verdict = aggregate([sig("metadata.no_camera_data", 0.15)])
    assert score < SUSPICIOUS and verdict == "no_findings"
    score, verdict = aggregate([sig("pixel.double_jpeg", 0.5)])
    assert verdict == "no_findings"


def test_signals_combine_and_authentic_evidence_pulls_down():
    one, _ = aggregate([sig("pixel.ela", 0.6)])
    two, verdict = aggregate([sig("pixel.ela", 0.6), sig("pixel.noise_inconsistency", 0.6)])
    assert two > one and verdict == "suspicious"
    capture = Signal("provenance.c2pa_capture", 0.9, AUTHENTIC)
    pulled, _ = aggregate([sig("pixel.ela", 0.6), sig("pixel.noise_inconsistency", 0.6), capture])
    assert pulled < two


def test_camera_photos_at_several_qualities_have_no_findings():
    for quality, seed in ((70, 0), (82, 1), (90, 2), (95, 3)):
        report = analyze(camera_photo(seed=seed, quality=quality))
        assert report.verdict == "no_findings", (quality, report.signals)
        assert not report.signals


def test_report_dict_and_metadata():
    report = analyze(camera_photo(width=320, height=240))
    d = report.to_dict(file="a.jpg")
    assert list(d) == [
        "file",
        "sha256",
        "width",
        "height",
        "format",
        "forgery_score",
        "verdict",
        "signals",
        "metadata",
    ]
    assert d["metadata"]["detector"] == "not configured"
    assert d["metadata"]["analyzer_version"]
    assert len(d["metadata"]["fingerprints"]["phash"]) == 16


def test_detector_configured_without_onnxruntime_says_so(tmp_path):
    model = tmp_path / "m.onnx"
    model.write_bytes(b"not really a model")
    report = analyze(camera_photo(width=160, height=120), Context(detector_model_path=str(model)))
    assert report.signal("model.ai_detector") is None
    assert "onnxruntime" in report.metadata["detector"] or "failed" in report.metadata["detector"]


class _FakeSession:
    """Stands in for onnxruntime.InferenceSession (not a dependency of the project)."""

    def __init__(self, path, providers):
        self.probability = 0.93 if "ai" in path else 0.1

    def get_inputs(self):
        return [type("Input", (), {"name": "image", "shape": [1, 3, 64, 64]})()]

    def run(self, outputs, feeds):
        assert feeds["image"].shape == (1, 3, 64, 64)
        return [[self.probability]]


def test_detector_slot_fires_above_one_half(monkeypatch, tmp_path):
    import sys
    import types

    fake = types.ModuleType("onnxruntime")
    fake.InferenceSession = _FakeSession
    monkeypatch.setitem(sys.modules, "onnxruntime", fake)
    photo = camera_photo(width=160, height=120)
    fired = analyze(photo, Context(detector_model_path=str(tmp_path / "ai.onnx")))
    assert fired.signal("model.ai_detector").score == 0.93
    quiet = analyze(photo, Context(detector_model_path=str(tmp_path / "real.onnx")))
    assert quiet.signal("model.ai_detector") is None
    assert quiet.metadata["detector_probability"] == 0.1
