"""`textlens train lm`: language models from the labels of training sets, minus their held-out part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from textlens.cli import main
from textlens.errors import TextlensError
from textlens.recognition.lm import CharNgramLM
from textlens.training.lm import LmConfig, build_lm, training_lines
from textlens.training.sources import load_samples, split_train_val


def _crop_set(folder: Path, texts: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            Image.new("L", (40, 12), 255).save(folder / f"{i}.png")
            handle.write(json.dumps({"image": f"{i}.png", "text": text}) + "\n")
    return folder / "manifest.jsonl"


def test_held_out_lines_are_those_the_recognizer_trainer_holds_out(tmp_path):
    texts = [f"LINE {i:03d}" for i in range(40)] + ["###", ""]
    manifest = _crop_set(tmp_path / "set", texts)
    lines, used = training_lines([str(manifest)], LmConfig(hold_out=0.1, seed=0))
    train, val = split_train_val(load_samples(manifest), 0.1, seed=0)
    assert sorted(lines) == sorted(s.text for s in train if s.text != "###")
    assert not set(lines) & {s.text for s in val} and used[str(manifest)] == len(lines)
    everything, _ = training_lines([str(manifest)], LmConfig(hold_out=0.0))
    assert len(everything) == 40  # don't-care and empty labels never count


def test_plain_text_files_are_taken_whole(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Hello  world\n\nsecond   line\n", encoding="utf-8")
    lm = build_lm([str(corpus)], LmConfig(order=3))
    assert lm.meta["lines"] == 2 and lm.order == 3
    assert lm.score("hello") < lm.score("Hello")
    with pytest.raises(TextlensError, match="no such file"):
        build_lm([str(tmp_path / "missing.txt")])


def test_cli_writes_a_language_model(tmp_path, capsys):
    manifest = _crop_set(tmp_path / "set", [f"TOTAL {i}.00" for i in range(20)])
    out = tmp_path / "models" / "receipts.npz"
    assert main(["train", "lm", str(manifest), "-o", str(out), "--order", "4"]) == 0
    assert "order 4" in capsys.readouterr().out
    lm = CharNgramLM.load(out)
    assert lm.order == 4 and lm.meta["config"]["hold_out"] == 0.1 and not lm.folded
    folded = tmp_path / "models" / "folded.npz"
    assert main(["train", "lm", str(manifest), "-o", str(folded), "--order", "4", "--fold-accents"]) == 0
    assert CharNgramLM.load(folded).folded
    assert main(["train", "lm", str(tmp_path / "nothing.jsonl"), "-o", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert CharNgramLM.load(out).order == 4  # the failed run left the earlier model alone
