import pytest

from textlens.errors import TextlensError
from textlens.models.registry import file_sha256, registered_models, resolve_model


def test_every_registered_model_exists_and_matches_its_hash():
    entries = registered_models()
    assert entries, "textlens ships its default models"
    for entry in entries:
        assert entry.path.is_file(), entry.name
        assert file_sha256(entry.path) == entry.sha256, entry.name
        assert entry.path.stat().st_size < 15e6  # shipped models stay small


def test_one_default_per_kind_and_names_resolve():
    kinds = {e.kind for e in registered_models()}
    for kind in kinds:
        defaults = [e for e in registered_models() if e.kind == kind and e.default]
        assert len(defaults) == 1, kind
        assert resolve_model(None, kind) == defaults[0].path
        assert resolve_model(defaults[0].name, kind) == defaults[0].path


def test_paths_work_wherever_names_do_and_bad_names_fail_clearly(tmp_path):
    model = tmp_path / "mine.onnx"
    model.write_bytes(b"x")
    assert resolve_model(str(model), "recognizer") == model
    with pytest.raises(TextlensError, match="no such model file or registered recognizer"):
        resolve_model("no-such-model", "recognizer")


def test_a_model_of_the_wrong_kind_is_refused():
    recognizer = next(e for e in registered_models() if e.kind == "recognizer")
    with pytest.raises(TextlensError, match="not a detector"):
        resolve_model(recognizer.name, "detector")
