import pytest

from textlens.errors import TextlensError
from textlens.training.common import read_checkpoint, save_checkpoint, warmup_cosine


def test_schedule_warms_up_then_decays_to_the_floor():
    assert warmup_cosine(0, 0, 100, None, 0.1) == pytest.approx(0.02)
    assert warmup_cosine(5, 0, 100, None, 0.1) == pytest.approx(0.5)
    assert warmup_cosine(10, 0, 100, None, 0.1) == pytest.approx(1.0)
    assert warmup_cosine(55, 0, 100, None, 0.1) == pytest.approx(0.51)
    assert warmup_cosine(100, 0, 100, None, 0.1) == pytest.approx(0.02)


def test_wall_clock_budget_drives_the_schedule_when_it_is_further_along():
    # Step 1 of 1000, but 9 of 10 minutes spent: nearly annealed.
    assert warmup_cosine(1, 540, 1000, 10, 0.03) < 0.05


def test_checkpoints_round_trip_and_check_their_kind(tmp_path):
    path = tmp_path / "sub" / "c.pt"
    save_checkpoint(path, {"kind": "k", "x": 1})
    assert read_checkpoint(path, "k", "thing")["x"] == 1
    with pytest.raises(TextlensError, match="not a textlens other checkpoint"):
        read_checkpoint(path, "other-kind", "other")
    with pytest.raises(TextlensError, match="no such checkpoint"):
        read_checkpoint(tmp_path / "missing.pt", "k", "thing")
    (tmp_path / "junk.pt").write_bytes(b"junk")
    with pytest.raises(TextlensError, match="cannot read checkpoint"):
        read_checkpoint(tmp_path / "junk.pt", "k", "thing")


class _RunsCode:
    """A pickled object that would run code when unpickled (what a tampered checkpoint holds)."""

    def __reduce__(self):
        return (_mark_pwned, ())


PWNED: list[bool] = []


def _mark_pwned() -> None:
    PWNED.append(True)


def test_a_checkpoint_that_would_run_code_is_refused_without_running_it(tmp_path):
    import torch

    path = tmp_path / "tampered.pt"
    torch.save({"kind": "k", "payload": _RunsCode()}, path)
    with pytest.raises(TextlensError, match="cannot read checkpoint"):
        read_checkpoint(path, "k", "thing")
    assert PWNED == []


@pytest.mark.parametrize("module", ["textlens.training.fonts", "textlens.training.signatures"])
def test_each_trainers_checkpoint_loader_refuses_a_file_that_is_not_a_checkpoint(tmp_path, module):
    pytest.importorskip("torch")
    import importlib

    bad = tmp_path / "x.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(TextlensError, match="cannot read checkpoint"):
        importlib.import_module(module).load_checkpoint(bad)
