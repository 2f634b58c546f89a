"""Font identification: classes by look, line normalisation, a short training run exported to ONNX
and used from the app and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from textlens.cli import main
from textlens.errors import TextlensError
from textlens.typeface.classifier import normalise_line, pad_batch
from textlens.typeface.families import FontClass, class_name, font_classes, generic_kind, regular_style, text_faces

DEJAVU = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono")  # bundled with matplotlib: on every machine


@pytest.mark.parametrize(
    ("family", "kind"),
    [
        ("DejaVu Sans Mono", "mono"),
        ("Fira Code", "mono"),
        ("Junicode Two Beta", "serif"),  # "code" inside a word is not a coding font
        ("CMU Typewriter Text Variable Width", "serif"),
        ("Z003", "script"),
        ("Bebas Neue", "display"),
        ("DSEG7 Classic", "display"),
        ("Noto Sans Display", "sans"),
        ("Liberation Serif", "serif"),
    ],
)
def test_generic_kind_from_the_family_name(family, kind):
    assert generic_kind(family) == kind


def test_an_unknown_fixed_pitch_family_is_mono():
    assert generic_kind("Foo", mono=True) == "mono" and generic_kind("Foo") == "serif"


def test_families_drawn_alike_become_one_class():
    faces = text_faces()
    sans = faces["DejaVu Sans"]
    clone = [s for s in sans]  # the same files under another family name: a metric clone
    classes = font_classes({"DejaVu Sans": sans, "Vera Clone": clone, "DejaVu Serif": faces["DejaVu Serif"]})
    assert [c.families for c in classes] == [["DejaVu Sans", "Vera Clone"], ["DejaVu Serif"]]
    assert classes[0].name == "DejaVu Sans / Vera Clone" and classes[0].kind == "sans"
    assert class_name(["A", "B", "C", "D"]) == "A (+3 drawn alike)"
    assert not regular_style(sans).italic


def test_dark_on_light_and_light_on_dark_lines_normalise_alike():
    rng = np.random.default_rng(0)
    ink = np.zeros((30, 200), np.uint8)
    ink[8:22, 10:190:6] = 1
    dark_on_light = np.where(ink, 20, 235).astype(np.uint8) + rng.integers(0, 6, ink.shape).astype(np.uint8)
    light_on_dark = 255 - dark_on_light
    a, b = normalise_line(dark_on_light, 48), normalise_line(light_on_dark, 48)
    assert a.shape == b.shape == (48, 320) and a.dtype == np.float32
    assert a.max() == pytest.approx(1.0) and np.median(a) < 0.1  # ink bright, ground dark
    assert np.abs(a - b).mean() < 0.05
    long_line = normalise_line(np.full((20, 20 * 100), 200, np.uint8), 48)
    assert long_line.shape[1] == 24 * 48  # the middle of very long lines
    assert pad_batch([a, long_line]).shape == (2, 1, 48, 24 * 48)


def test_an_empty_image_is_refused():
    with pytest.raises(TextlensError, match="text line image"):
        normalise_line(np.zeros((0, 5), np.uint8), 48)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """250 steps on three DejaVu faces (serif, sans, mono), exported to ONNX."""
    pytest.importorskip("torch")
    from textlens.training.fonts import FontTrainConfig, export_onnx, train
    from textlens.typeface.model import FontNetConfig

    root = tmp_path_factory.mktemp("fonts")
    classes = [c for c in font_classes() if c.name in DEJAVU]
    assert len(classes) == 3
    config = FontTrainConfig(
        out=str(root / "run"), minutes=5, steps=250, batch_size=16, lr=3e-3, val_lines=90, val_every=125,
        threads=1, workers=0, model=FontNetConfig(channels=(8, 16, 24, 32, 48)),
    )  # fmt: skip
    best = train(config, classes)
    return best, export_onnx(root / "run" / "best.pt", root / "fonts.onnx", "tiny-fonts"), root, classes


def test_a_short_run_learns_to_tell_three_faces_apart(trained):
    best, _, root, _ = trained
    assert best["top1"] > 0.5 and best["top5"] == 1.0  # chance is 1/3
    assert json.loads((root / "run" / "summary.json").read_text())["classes"] == 3


def test_a_finished_run_resumes_without_training_again(trained):
    from textlens.training.fonts import FontTrainConfig, load_checkpoint, train

    _, _, root, _ = trained
    before = load_checkpoint(root / "run" / "last.pt")
    again = train(FontTrainConfig(out=str(root / "run"), steps=250, val_lines=30, threads=1, workers=0))
    assert before["step"] == 250 and again["top1"] == pytest.approx(before["best"]["top1"])


def test_the_exported_model_names_the_face_of_a_crop_without_torch(trained):
    from textlens.apps.fonts import identify_font
    from textlens.training.fonts import FontSampler

    _, model, _, classes = trained
    sampler = FontSampler(classes, ("serif", "sans", "mono", "script", "display"), 48)
    rng = np.random.default_rng(5)
    images, truth = [], []
    for _ in range(30):
        path_class = int(rng.integers(3))
        path = classes[path_class].paths[0]
        image, _ = sampler.synth.sample_in(rng, path)
        images.append(image)
        truth.append(classes[path_class].name)
    guesses = [identify_font(image, top=2, model=str(model)) for image in images]
    assert all(len(g.fonts) == 2 and g.fonts[0][1] >= g.fonts[1][1] for g in guesses)
    assert sum(g.font == t for g, t in zip(guesses, truth)) >= 15  # chance: 10
    assert {g.kind for g in guesses} <= {"serif", "sans", "mono", "script", "display"}


def test_the_font_command_on_a_crop_and_on_a_page(trained, tmp_path, capsys):
    from PIL import ImageDraw, ImageFont

    _, model, _, classes = trained
    serif = next(c for c in classes if c.name == "DejaVu Serif").paths[0]
    font = ImageFont.truetype(next(p for p in classes[0].paths if not p.endswith("Oblique.ttf")), 40)
    crop = Image.new("L", (520, 64), 250)
    ImageDraw.Draw(crop).text((10, 8), "Hamburgefonstiv", font=ImageFont.truetype(serif, 40), fill=20)
    crop.save(tmp_path / "crop.png")
    assert main(["font", str(tmp_path / "crop.png"), "--model", str(model), "--top", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["top"]) == 3 and result["kind"] in ("serif", "sans", "mono")
    page = Image.new("RGB", (1000, 600), "white")
    draw = ImageDraw.Draw(page)
    for i, text in enumerate(["The quick brown fox jumps", "over the lazy dog again"]):
        draw.text((60, 100 + 120 * i), text, font=font, fill="black")
    page.save(tmp_path / "page.png")
    assert main(["font", str(tmp_path / "page.png"), "--model", str(model), "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["lines"]
    assert len(lines) == 2 and all(len(line["top"]) == 3 for line in lines)  # 3 classes: the top 5 is 3
    assert lines[0]["box"][1] < lines[1]["box"][1] and "fox" in lines[0]["text"]


def test_the_font_command_refuses_a_model_of_another_kind(tmp_path, capsys):
    from textlens.models.registry import resolve_model

    crop = tmp_path / "crop.png"
    Image.new("L", (200, 40), 255).save(crop)
    assert main(["font", str(crop), "--model", str(resolve_model(None, "recognizer"))]) != 0
    assert "not a font model" in capsys.readouterr().err


def test_a_damaged_image_is_one_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    assert main(["font", str(bad)]) != 0
    err = capsys.readouterr().err
    assert "bad.png" in err and "Traceback" not in err


def test_font_class_round_trips_to_the_model_metadata():
    c = FontClass("A / B", ["A", "B"], "sans", ["/x/a.ttf"])
    assert c.to_dict() == {"name": "A / B", "families": ["A", "B"], "kind": "sans"}
