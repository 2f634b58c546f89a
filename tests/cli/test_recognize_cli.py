"""The recognizer commands, run in-process: train (from a folder named by labels), export,
recognize (text and JSON lines) and eval."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torch")

from textlens.cli import main  # noqa: E402
from textlens.synth.lines import LineSynthConfig, LineSynthesizer  # noqa: E402


def render_named_folder(folder, charset: str, count: int, seed: int, upper_every_other: bool = False):
    """Images of rendered text saved as ``<label>-<i>.png`` (a folder named by its labels)."""
    synth = LineSynthesizer(LineSynthConfig(charset=charset, max_chars=6))
    rng = np.random.default_rng(seed)
    for i in range(count):
        image, text = synth.sample(rng)
        text = text.replace(" ", "") or charset[0]
        Image.fromarray(image).save(folder / f"{text.upper() if upper_every_other and i % 2 else text}-{i}.png")
    return folder


@pytest.fixture(scope="module")
def labelled_folder(tmp_path_factory):
    return render_named_folder(tmp_path_factory.mktemp("named"), "0123456789", 24, seed=3)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, labelled_folder):
    run = tmp_path_factory.mktemp("run")
    code = main(
        [
            "train",
            "recognizer",
            str(labelled_folder),
            "-o",
            str(run),
            "--steps",
            "4",
            "--val-every",
            "2",
            "--workers",
            "0",
            "--batch-size",
            "8",
        ]
    )
    assert code == 0
    model = run / "model.onnx"
    assert main(["export", "recognizer", str(run / "best.pt"), "-o", str(model), "--name", "digits"]) == 0
    return model


def test_train_from_named_folder_infers_charset_and_starts_from_shipped_model(trained, labelled_folder):
    import torch

    from textlens.training.recognizer import starting_models

    state = torch.load(trained.parent / "best.pt", weights_only=False)
    assert set(state["model_config"]["charset"]) <= set("0123456789")
    assert state["train_config"]["infer_charset"] is True
    # a shipped reader, the one that read the held-out images best
    assert state["train_config"]["init_from"] in starting_models()
    assert state["train_config"]["init_choices"] == starting_models()
    assert state["train_config"]["case_fold"] is False
    assert state["train_config"]["warp"] == 1.0  # small sets of one scheme get glyph-shape variety
    # specialised readers see colour contrast, cropped to the text band, and the model says so
    assert state["model_config"]["ink"] == "contrast" and state["model_config"]["fit_ink"] is True
    from textlens.recognition.predictor import Recognizer

    reader = Recognizer.load(trained)
    assert reader.ink == "contrast" and reader.fit_ink is True
    # a reader of short codes answers with its labels' lengths only
    lengths = sorted({len(p.stem.rsplit("-", 1)[0]) for p in labelled_folder.glob("*.png")})
    assert list(reader.lengths) == state["model_config"]["lengths"] == lengths


def test_arbitrary_label_case_is_folded_and_synthetic_captchas_pad_the_data(tmp_path, capsys):
    render_named_folder(tmp_path, "abcdefgh", 20, seed=5, upper_every_other=True)
    run = tmp_path / "run"
    args = ["train", "recognizer", str(tmp_path), "-o", str(run), "--steps", "2", "--workers", "0", "--from-scratch"]
    assert main([*args, "--synth-ratio", "0.5", "--synth-kind", "captcha"]) == 0
    assert "lower-cased" in capsys.readouterr().err
    import torch

    state = torch.load(run / "best.pt", weights_only=False)
    assert state["train_config"]["case_fold"] is True and state["train_config"]["init_from"] is None
    assert state["model_config"]["charset"] == state["model_config"]["charset"].lower()
    # still a specialised reader: the labels' alphabet, CAPTCHA-style input
    assert state["train_config"]["infer_charset"] is True and state["train_config"]["synth_kind"] == "captcha"
    assert set(state["model_config"]["charset"]) <= set("abcdefgh")


def test_any_length_turns_the_length_prior_off(labelled_folder, tmp_path):
    import torch

    run = tmp_path / "run"
    args = ["train", "recognizer", str(labelled_folder), "-o", str(run), "--steps", "1", "--workers", "0"]
    assert main([*args, "--from-scratch", "--any-length"]) == 0
    state = torch.load(run / "best.pt", weights_only=False)
    assert state["model_config"]["lengths"] == [] and state["train_config"]["length_prior"] is False


def test_recognize_prints_one_result_per_image(trained, labelled_folder, capsys):
    images = sorted(labelled_folder.glob("*.png"))[:3]
    assert main(["recognize", *map(str, images), "--model", str(trained), "--format", "json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["image"] for r in records] == [str(p) for p in images]
    assert all(0.0 <= r["confidence"] <= 1.0 and isinstance(r["text"], str) for r in records)

    assert main(["recognize", *map(str, images), "--model", str(trained)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_eval_reports_all_metrics(trained, labelled_folder, capsys):
    assert main(["eval", "recognizer", "--data", str(labelled_folder), "--model", str(trained)]) == 0
    out = capsys.readouterr().out
    for key in ("CER", "WER", "accuracy", "case-insensitive", "lines/s"):
        assert key in out


def test_user_errors_exit_2_with_one_line(tmp_path, trained, capsys):
    assert main(["recognize", str(tmp_path / "missing.png"), "--model", str(trained)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing.png" in err[0]

    assert main(["recognize", str(tmp_path), "--model", str(tmp_path / "nope.onnx")]) == 2
    bad_model = tmp_path / "bad.onnx"
    bad_model.write_bytes(b"not onnx")
    image = tmp_path / "a.png"
    Image.new("L", (40, 20), 255).save(image)
    assert main(["recognize", str(image), "--model", str(bad_model)]) == 2
    assert "not a valid ONNX model" in capsys.readouterr().err
    bad_lm = tmp_path / "bad.npz"
    bad_lm.write_bytes(b"not a language model")
    assert main(["recognize", str(image), "--model", str(trained), "--lm", str(bad_lm)]) == 2
    assert "not a textlens language model" in capsys.readouterr().err

    assert main(["export", "recognizer", str(bad_model), "-o", str(tmp_path / "x.onnx")]) == 2
    assert "checkpoint" in capsys.readouterr().err


def test_label_pattern_reads_labels_from_other_file_name_shapes(tmp_path, capsys):
    (tmp_path / "plain").mkdir()
    source = render_named_folder(tmp_path / "plain", "0123456789", 12, seed=9)
    shaped = tmp_path / "shaped"
    shaped.mkdir()
    for i, image in enumerate(sorted(source.glob("*.png"))):  # "captcha_0042_label.png"
        image.rename(shaped / f"captcha_{i:04d}_{image.stem.rsplit('-', 1)[0]}.png")
    run = tmp_path / "run"
    args = ["train", "recognizer", str(shaped), "-o", str(run), "--steps", "2", "--workers", "0"]
    assert main([*args, "--label-pattern", r"^captcha_\d+_(.+)$"]) == 0
    import torch

    state = torch.load(run / "best.pt", weights_only=False)
    assert set(state["model_config"]["charset"]) <= set("0123456789")  # "captcha_" is no part of a label
    assert state["train_config"]["label_pattern"] == r"^captcha_\d+_(.+)$"
    model = run / "model.onnx"
    assert main(["export", "recognizer", str(run / "best.pt"), "-o", str(model)]) == 0
    capsys.readouterr()
    assert (
        main(["eval", "recognizer", "-d", str(shaped), "-m", str(model), "--label-pattern", r"^captcha_\d+_(.+)$"]) == 0
    )
    assert capsys.readouterr().out.startswith("12 lines")

    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"image": str(next(shaped.glob("*.png"))), "text": "1"}) + "\n")
    assert main(["train", "recognizer", str(manifest), "-o", str(run), "--label-pattern", "(.*)"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "only to a folder" in err[0]


def tiny_letter(path, letter: str, size: tuple[int, int] = (5, 9)) -> None:
    """A letter of a shipped-quality sans font drawn at 9 px: a glyph cut from a scene photo."""
    from PIL import ImageDraw, ImageFont

    from textlens.synth.fonts import discover_fonts

    font_path = next(f for f in discover_fonts() if f.endswith("DejaVuSans.ttf"))
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((0, -1), letter, font=ImageFont.truetype(font_path, 10), fill=0)
    image.save(path)


def test_recognize_reads_every_good_image_and_names_the_bad(tmp_path, capsys):
    folder = tmp_path / "crops"
    render_named_folder(folder_made(folder), "0123456789", 15, seed=5)
    tiny_letter(folder / "zz-tiny.png", "7")
    bad = {"cut.png": (folder / sorted(p.name for p in folder.iterdir())[0]).read_bytes()[:200], "empty.png": b""}
    bad |= {"noise.png": bytes(range(256)) * 4, "text.jpg": b"hello\n" * 20}
    for name, data in bad.items():
        (folder / name).write_bytes(data)

    assert main(["recognize", str(folder), "--format", "json"]) == 3
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert len(records) == 20  # one JSON line per input, errors included, in order
    failed = {r["image"].rsplit("/", 1)[-1]: r["error"] for r in records if "error" in r}
    assert sorted(failed) == sorted(bad) and all(name in failed[name] for name in bad)
    read = [r for r in records if "error" not in r]
    assert len(read) == 16 and all(isinstance(r["text"], str) and 0 <= r["confidence"] <= 1 for r in read)
    assert read[-1]["image"].endswith("zz-tiny.png") and read[-1]["text"] == "7"  # 5 x 9 px, upscaled and read
    assert sum(line.startswith("textlens: error:") for line in captured.err.splitlines()) == 4

    # text output keeps one line per input (empty for the failed ones)
    assert main(["recognize", str(folder)]) == 3
    assert len(capsys.readouterr().out.splitlines()) == 20
    assert main(["recognize", str(folder), "--fail-fast"]) == 2


def test_eval_scores_the_readable_samples_and_names_the_rest(tmp_path, trained, capsys):
    folder = render_named_folder(folder_made(tmp_path / "set"), "0123456789", 6, seed=7)
    (folder / "12-99.png").write_bytes(b"broken")
    assert main(["eval", "recognizer", "--data", str(folder), "--model", str(trained)]) == 3
    captured = capsys.readouterr()
    assert "6 lines (1 unreadable, not scored)" in captured.out and "12-99.png" in captured.err


def test_training_leaves_out_unreadable_images(labelled_folder, tmp_path, capsys):
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(labelled_folder, folder)
    (folder / "555-0.png").write_bytes(b"not a png")
    args = ["train", "recognizer", str(folder), "-o", str(tmp_path / "run"), "--steps", "1", "--workers", "0"]
    assert main([*args, "--from-scratch"]) == 0
    assert "skipped 1 unreadable image(s)" in capsys.readouterr().err
    assert main([*args, "--from-scratch", "--fresh", "--fail-fast"]) == 2
    assert "555-0.png" in capsys.readouterr().err


def test_training_sets_aside_identical_images_labelled_two_ways(labelled_folder, tmp_path, capsys):
    """Real labelled folders hold such noise (a CAPTCHA set of 2,360 had 4 pairs): the run names
    every copy, leaves them out and goes on; --strict stops as before."""
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(labelled_folder, folder)
    first = sorted(folder.glob("*.png"))[0]
    shutil.copy(first, folder / "0000-90.png")  # the same bytes with another label
    shutil.copy(first, folder / f"{first.stem.split('-')[0]}-91.png")  # and a same-label copy
    args = ["train", "recognizer", str(folder), "-o", str(tmp_path / "run"), "--steps", "1", "--workers", "0"]
    assert main([*args, "--from-scratch"]) == 0
    err = capsys.readouterr().err
    assert "set aside 3 image(s): 1 identical image(s) carry different labels" in err and "0000-90.png" in err
    assert main([*args, "--from-scratch", "--fresh", "--strict"]) == 2
    err = capsys.readouterr().err
    assert "identical image file(s) carry different labels" in err and "--strict" in err


def folder_made(path):
    path.mkdir()
    return path
