"""CAPTCHA audit: subsets, scoring, verdicts, report files, reuse of finished runs, the CLI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image

from textlens.apps import captcha as audit_mod
from textlens.apps.captcha import (
    AuditConfig,
    AuditRun,
    audit_captcha,
    data_label,
    nested_subsets,
    score,
    verdict,
)
from textlens.cli import main
from textlens.cli.captcha import parse_sizes
from textlens.errors import TextlensError
from textlens.training.sources import Sample, load_samples


def _folder(root: Path, labels: Sequence[str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i, label in enumerate(labels):
        Image.new("L", (40, 16), i % 250).save(root / f"{label}-{i}.png")
    return root


def _labels(n: int, upper_every: int = 0) -> list[str]:
    out = []
    for i in range(n):
        text = f"c{i:03d}x"
        out.append(text.upper() if upper_every and i % upper_every == 0 else text)
    return out


class FakeSolver:
    """Training writes a file; reading is right for a share of the test set that grows with
    the number of training samples (so the learning curve rises)."""

    def __init__(self) -> None:
        self.trained: list[int] = []

    def train(
        self, train: Path, val: Path, out_dir: Path, minutes: float, ignore_case: bool, seed: int, base, log
    ) -> Path:
        self.base = base
        n = len(load_samples(train)) + len(load_samples(val))
        self.trained.append(n)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "best.pt").write_text(str(n))
        return out_dir / "best.pt"

    def predict(self, checkpoint: Path, samples: Sequence[Sample]) -> list[str]:
        n = int(checkpoint.read_text())
        right = min(len(samples), n * len(samples) // 40)
        return [s.text if i < right else "?" for i, s in enumerate(samples)]


def test_nested_subsets() -> None:
    pool = [Sample(f"/{i}.png", str(i)) for i in range(30)]
    subsets = nested_subsets(pool, [10, 5, 100, 0, 10], seed=1)
    assert [len(s) for s in subsets] == [5, 10, 30]
    assert subsets[0] == subsets[1][:5] and subsets[1] == subsets[2][:10]
    assert nested_subsets(pool, [5], seed=1) == nested_subsets(pool, [5], seed=1)


def test_score() -> None:
    assert score(["abc", "ABD", "x y"], ["abc", "abc", "xy"], ignore_case=True) == (2 / 3, pytest.approx(1 - 1 / 8))
    assert score(["ABC"], ["abc"], ignore_case=False)[0] == 0.0
    assert score([], [], ignore_case=False) == (0.0, 0.0)


def _run(size: int, rate: float) -> AuditRun:
    return AuditRun(size, size, 0, rate, rate, 1.0, "x")


def test_verdict_levels() -> None:
    weak = verdict([_run(50, 0.2), _run(100, 0.6), _run(400, 0.97), _run(800, 0.98)], 5)
    assert weak == "WEAK: a solver reaches 97% with 400 labelled samples (98% with 800)"
    broken = verdict([_run(50, 0.0), _run(800, 0.12)], 5)
    assert broken.startswith("BROKEN BY RETRIES: a solver reaches 12% with 800") and "still improving" in broken
    assert verdict([_run(50, 0.0), _run(800, 0.002)], 5).startswith("RESISTANT")
    assert verdict([], 5).startswith("NO RESULT")


def test_parse_sizes() -> None:
    assert parse_sizes("50, 100,all") == (50, 100, 0)
    for bad in ("", "10,-3", "ten"):
        with pytest.raises(TextlensError, match="--sizes"):
            parse_sizes(bad)


def test_audit_writes_report_and_reuses_runs(tmp_path: Path) -> None:
    data = _folder(tmp_path / "train", _labels(40, upper_every=2))
    test = _folder(tmp_path / "test", [f"t{i}" for i in range(10)])
    solver = FakeSolver()
    cfg = AuditConfig(data=str(data), test=str(test), out_dir=str(tmp_path / "out"), sizes=(10, 20, 0))
    report = audit_captcha(cfg, train_fn=solver.train, predict_fn=solver.predict, log=lambda _m: None)
    assert solver.trained == [10, 20, 40] and solver.base == audit_mod.resolve_base("default")
    assert [r.size for r in report.runs] == [10, 20, 40]
    assert [r.solve_rate for r in report.runs] == [0.2, 0.5, 1.0]
    assert report.ignore_case  # half the labels upper-case, none mixed
    assert report.verdict == "WEAK: a solver reaches 100% with 40 labelled samples; still improving with more labels"
    out = tmp_path / "out"
    md = (out / "audit.md").read_text()
    assert report.verdict in md and "| 20 |" in md and "case-insensitive" in md
    assert Image.open(out / "learning_curve.png").size[0] > 100
    saved = json.loads((out / "audit.json").read_text())
    assert saved["runs"][1]["solve_rate"] == 0.5 and saved["config"]["sizes"] == [10, 20, 0]
    train_rows = (out / "runs" / "n0010" / "train.jsonl").read_text().splitlines()
    assert all(json.loads(r)["text"].islower() for r in train_rows)  # labels folded for training
    # Running again reuses every finished run.
    again = audit_captcha(cfg, train_fn=solver.train, predict_fn=solver.predict, log=lambda _m: None)
    assert solver.trained == [10, 20, 40] and again.verdict == report.verdict


def test_audit_holds_out_test_when_none_given(tmp_path: Path) -> None:
    data = _folder(tmp_path / "d", _labels(50))
    solver = FakeSolver()
    cfg = AuditConfig(data=str(data), out_dir=str(tmp_path / "o"), sizes=(800,), ignore_case=False)
    report = audit_captcha(cfg, train_fn=solver.train, predict_fn=solver.predict, log=lambda _m: None)
    assert report.test_samples == 10 and report.train_pool == 40 and solver.trained == [40]
    assert not report.ignore_case


def test_audit_rejects_overlapping_test(tmp_path: Path) -> None:
    data = _folder(tmp_path / "d", _labels(10))
    cfg = AuditConfig(data=str(data), test=str(data), out_dir=str(tmp_path / "o"))
    with pytest.raises(TextlensError, match="also in the training data"):
        audit_captcha(cfg, train_fn=FakeSolver().train, predict_fn=FakeSolver().predict, log=lambda _m: None)


def test_cli_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    solver = FakeSolver()
    monkeypatch.setattr(audit_mod, "train_with_textlens", solver.train)
    monkeypatch.setattr(audit_mod, "predict_with_checkpoint", solver.predict)
    data = _folder(tmp_path / "d", _labels(30))
    code = main(["captcha", "audit", str(data), "--out", str(tmp_path / "o"), "--sizes", "8,all", "--match-case"])
    assert code == 0
    captured = capsys.readouterr()
    assert "labelled samples" in captured.out and (tmp_path / "o" / "audit.md").is_file()
    assert solver.trained == [8, 24]
    assert main(["captcha", "audit", str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("base", ["none", "default"])
def test_real_trainer_smoke(tmp_path: Path, base: str) -> None:
    """A few seconds of the real trainer and checkpoint reader, to catch API drift."""
    pytest.importorskip("torch")
    from textlens.synth.captcha import CaptchaSynthConfig, synth_captchas

    matplotlib = pytest.importorskip("matplotlib")
    font = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    manifest = synth_captchas(
        CaptchaSynthConfig(count=24, styles=("lines",), alphabet="abc", min_len=3, max_len=3, fonts=(font,)),
        tmp_path / "caps",
    )
    cfg = AuditConfig(data=str(manifest), out_dir=str(tmp_path / "o"), sizes=(0,), minutes_per_run=0.03, base=base)
    report = audit_captcha(cfg, log=lambda _m: None)
    assert len(report.runs) == 1 and Path(report.runs[0].checkpoint).is_file()
    assert 0.0 <= report.runs[0].solve_rate <= 1.0


def test_data_label_names_a_manifest_with_its_folder(tmp_path):
    scheme = tmp_path / "scheme-a"
    scheme.mkdir()
    (scheme / "train.jsonl").write_text("")
    assert data_label(scheme / "train.jsonl") == "scheme-a/train.jsonl"  # not just "train.jsonl"
    assert data_label(scheme) == "scheme-a"
