"""One tiny end-to-end run: train -> checkpoint -> resume -> export -> ONNX parity -> fine-tune guard."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")

from textlens.errors import TextlensError  # noqa: E402
from textlens.recognition.charset import Charset  # noqa: E402
from textlens.recognition.model import CRNN, RecognizerConfig  # noqa: E402
from textlens.recognition.predictor import Recognizer  # noqa: E402
from textlens.runtime.export import export_recognizer  # noqa: E402
from textlens.synth.lines import LineSynthConfig, LineSynthesizer  # noqa: E402
from textlens.training.recognizer import (  # noqa: E402
    MixedLineStream,
    RecognizerTrainConfig,
    caseless_log_probs,
    evaluate,
    improves_on,
    load_checkpoint,
    starting_row,
    train_recognizer,
    transfer_weights,
)

DIGITS = "0123456789 "
TINY = dict(channels=(4, 8, 8, 16, 16), rnn_hidden=16, rnn_input=16, rnn_layers=1)


def _write_lines(root, synth: LineSynthesizer, count: int = 40):
    """``count`` rendered lines of ``synth`` (seed 0) as a manifest under ``root``."""
    (root / "img").mkdir()
    rng = np.random.default_rng(0)
    with open(root / "manifest.jsonl", "w") as handle:
        for i in range(count):
            image, text = synth.sample(rng)
            Image.fromarray(image).save(root / "img" / f"{i}.png")
            handle.write(json.dumps({"image": f"img/{i}.png", "text": text}) + "\n")
    return root / "manifest.jsonl"


@pytest.fixture(scope="module")
def line_set(tmp_path_factory):
    """A small manifest of rendered digit lines (our own renderer)."""
    return _write_lines(tmp_path_factory.mktemp("lines"), LineSynthesizer(LineSynthConfig(charset=DIGITS)))


@pytest.fixture(scope="module")
def clean_line_set(tmp_path_factory):
    """Undegraded digit lines in one face (DejaVu Sans), the same on every machine: the shipped
    reader reads them right, so a less sure copy of it can only lose on the loss."""
    from textlens.synth.fonts import discover_fonts

    face = [f for f in discover_fonts(DIGITS) if f.endswith("/DejaVuSans.ttf")][:1]
    synth = LineSynthesizer(LineSynthConfig(charset=DIGITS, degrade=0.0), fonts=face)
    return _write_lines(tmp_path_factory.mktemp("clean-lines"), synth)


def tiny_config(out, data, **kw) -> RecognizerTrainConfig:
    base = dict(
        out_dir=str(out),
        train=[str(data)],
        model=RecognizerConfig(charset=DIGITS, **TINY),
        batch_size=8,
        max_steps=12,
        val_every=6,
        workers=0,
        augment=0.5,
        lr=3e-3,
    )
    base.update(kw)
    return RecognizerTrainConfig(**base)


def test_train_checkpoint_resume_export_and_onnx_parity(tmp_path, line_set):
    result = train_recognizer(tiny_config(tmp_path / "run", line_set), log=lambda m: None)
    assert result.steps == 12 and len(result.history) == 2
    assert all(np.isfinite(h["loss"]) for h in result.history)
    state = load_checkpoint(result.best_checkpoint)
    assert state["model_config"]["charset"] == DIGITS
    assert state["train_config"]["max_steps"] == 12  # the recipe travels with the weights

    # Resume: a longer budget continues from step 12 instead of starting over.
    resumed = train_recognizer(tiny_config(tmp_path / "run", line_set, max_steps=18), log=lambda m: None)
    assert resumed.steps == 18 and len(resumed.history) == 3

    onnx_path = export_recognizer(result.best_checkpoint, tmp_path / "tiny.onnx", name="tiny")
    state = load_checkpoint(result.best_checkpoint)  # the resumed run may have improved best.pt
    assert onnx_path.with_suffix(".pt").exists()
    recognizer = Recognizer.load(onnx_path)
    assert recognizer.info.name == "tiny" and len(recognizer.info.sha256) == 64

    model = CRNN(RecognizerConfig.from_dict(state["model_config"]))
    model.load_state_dict(state["state_dict"])
    model.eval()
    rng = np.random.default_rng(1)
    for batch, width in [(1, 96), (3, 200)]:  # batch and width differ from the export dummy
        images = rng.normal(size=(batch, 1, 32, width)).astype(np.float32)
        expected = model(torch.from_numpy(images)).detach().numpy()
        got = recognizer.session.run(None, {"images": images})[0]
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-4)


def test_finetune_never_ends_worse_than_the_start(tmp_path, line_set):
    first = train_recognizer(tiny_config(tmp_path / "a", line_set), log=lambda m: None)
    # Fine-tune with a learning rate so high it can only hurt: the starting model must stay best.
    tuned = train_recognizer(
        tiny_config(tmp_path / "b", line_set, init_from=str(first.best_checkpoint), lr=5.0, max_steps=6),
        log=lambda m: None,
    )
    assert tuned.initial_val_cer is not None
    assert tuned.best_val_cer <= tuned.initial_val_cer


def test_training_starts_from_the_candidate_that_reads_validation_best(tmp_path, line_set):
    from textlens.training.common import save_checkpoint
    from textlens.training.recognizer import resolve_init

    # A copy of the shipped reader whose output rows are rotated: it reads every digit wrongly.
    state = load_checkpoint(resolve_init("latin-crnn"))
    weights = dict(state["state_dict"])
    for key in ("classifier.weight", "classifier.bias"):
        weights[key] = torch.cat([weights[key][:1], weights[key][1:].roll(1, dims=0)])
    scrambled = tmp_path / "scrambled.pt"
    save_checkpoint(scrambled, {**state, "state_dict": weights})

    logs: list[str] = []
    choices = [str(scrambled), "latin-crnn"]
    config = tiny_config(tmp_path / "run", line_set, init_choices=choices, infer_charset=True, max_steps=1)
    result = train_recognizer(config, log=logs.append)
    chosen = load_checkpoint(result.best_checkpoint)["train_config"]["init_from"]
    assert chosen == "latin-crnn"
    assert any(f"{scrambled} " in m and m.endswith("starting from latin-crnn") for m in logs)
    assert result.initial_val_cer is not None and result.initial_val_cer < 0.2


def test_equal_starting_error_is_decided_by_the_loss(tmp_path, clean_line_set):
    from textlens.training.common import save_checkpoint
    from textlens.training.recognizer import resolve_init

    # The shipped reader, less sure of itself: every frame's ranking (so every reading) is unchanged.
    state = load_checkpoint(resolve_init("latin-crnn"))
    weights = dict(state["state_dict"])
    for key in ("classifier.weight", "classifier.bias"):
        weights[key] = weights[key] * 0.3
    unsure = tmp_path / "unsure.pt"
    save_checkpoint(unsure, {**state, "state_dict": weights})

    logs: list[str] = []
    config = tiny_config(
        tmp_path / "run", clean_line_set, init_choices=[str(unsure), "latin-crnn"], infer_charset=True, max_steps=1
    )
    result = train_recognizer(config, log=logs.append)
    assert load_checkpoint(result.best_checkpoint)["train_config"]["init_from"] == "latin-crnn"
    choice = next(m for m in logs if m.startswith("val CER of the starting models"))
    cers = [float(part.split()[-3]) for part in choice.split(": ", 1)[1].split(";")[0].split(", ")]
    assert cers[0] == cers[1]  # read alike: the loss decided


def test_the_starting_model_is_chosen_on_glyph_shapes_not_letter_case(tmp_path):
    from PIL import ImageDraw, ImageFont

    from textlens.synth.fonts import discover_fonts
    from textlens.training.common import save_checkpoint
    from textlens.training.recognizer import resolve_init

    words = ["Bad", "Cafe", "Dice", "Face", "Bead", "Deaf", "Ace", "Bid"]
    texts = [f"{w} {n}" for n in range(10, 15) for w in words]  # more letters than digits
    font = ImageFont.truetype(discover_fonts("".join(texts))[0], 24)
    (tmp_path / "img").mkdir()
    with open(tmp_path / "manifest.jsonl", "w") as handle:
        for i, text in enumerate(texts):
            image = Image.new("L", (int(font.getlength(text)) + 16, 32), 255)
            ImageDraw.Draw(image).text((8, 2), text, font=font, fill=0)
            image.save(tmp_path / "img" / f"{i}.png")
            handle.write(json.dumps({"image": f"img/{i}.png", "text": text}) + "\n")

    state = load_checkpoint(resolve_init("latin-crnn"))
    charset = Charset(state["model_config"]["charset"])
    rows = {c: i + 1 for i, c in enumerate(charset.chars)}

    def variant(name: str, swaps: list[tuple[str, str]]):
        weights = dict(state["state_dict"])
        for key in ("classifier.weight", "classifier.bias"):
            table = weights[key].clone()
            for a, b in swaps:
                table[[rows[a], rows[b]]] = weights[key][[rows[b], rows[a]]]
            weights[key] = table
        save_checkpoint(tmp_path / name, {**state, "state_dict": weights})
        return str(tmp_path / name)

    # Every letter read in the other case (right shapes), against every digit read as another digit.
    other_case = variant("other-case.pt", [(c, c.upper()) for c in "abcdefi"])
    wrong_digits = variant("wrong-digits.pt", [("0", "5"), ("1", "7"), ("2", "8"), ("3", "9"), ("4", "6")])
    logs: list[str] = []
    config = tiny_config(
        tmp_path / "run",
        tmp_path / "manifest.jsonl",
        init_choices=[wrong_digits, other_case],
        infer_charset=True,
        max_steps=1,
        val_fraction=0.5,
    )
    result = train_recognizer(config, log=logs.append)
    assert load_checkpoint(result.best_checkpoint)["train_config"]["init_from"] == other_case


def test_labels_outside_charset_are_refused(tmp_path, line_set):
    from textlens.errors import TextlensError

    with pytest.raises(TextlensError, match="charset"):
        train_recognizer(
            tiny_config(tmp_path / "c", line_set, model=RecognizerConfig(charset="0123 ", **TINY)),
            log=lambda m: None,
        )


def test_synthetic_captchas_follow_the_model_alphabet_lengths_and_input_style():
    from textlens.training.recognizer import SynthSource

    config = RecognizerConfig(charset="abc123", ink="contrast", fit_ink=True)
    source = SynthSource("captcha", config, (3, 5), mixed_case=True)
    rng = np.random.default_rng(0)
    for _ in range(6):
        gray, text = source(rng)
        assert gray.ndim == 2 and gray.dtype == np.uint8
        assert 3 <= len(text) <= 5 and set(text) <= set("abc123")  # labels stay folded
        assert gray.shape[0] < 90  # fitted to the text band of a 40-90 px canvas


def test_synthetic_lines_draw_their_text_sources_by_the_given_weights():
    from textlens.cli.recognize import _synth_weights
    from textlens.errors import TextlensError
    from textlens.synth.corpus import SOURCES
    from textlens.training.recognizer import SynthSource

    weights = _synth_weights(",".join(f"{name}=0" for name in SOURCES if name != "foreign") + ",foreign=1")
    source = SynthSource("lines", RecognizerConfig(), (1, 40), mixed_case=False, weights=weights)
    rng = np.random.default_rng(0)
    texts = [source(rng)[1] for _ in range(30)]
    assert sum(any(c.isalpha() and not c.isascii() for c in t) for t in texts) >= 10  # only other languages
    assert all(not any(c.isdigit() for c in t) for t in texts)  # no receipts, prices, dates or codes
    for bad in ("bogus=1", "foreign=x", "foreign=-1"):
        with pytest.raises(TextlensError, match="--synth-weights"):
            _synth_weights(bad)


def test_unknown_synthesis_kind_is_refused():
    from textlens.errors import TextlensError
    from textlens.training.recognizer import SynthSource

    with pytest.raises(TextlensError, match="unknown synthesis"):
        SynthSource("photos", RecognizerConfig(charset=DIGITS), (1, 4), mixed_case=False)


def test_select_on_validates_only_on_the_chosen_sources(tmp_path, line_set):
    import shutil

    from textlens.errors import TextlensError
    from textlens.training.recognizer import RecognizerTrainer

    for name in ("receipts", "forms"):
        shutil.copytree(line_set.parent, tmp_path / name)
    data = [str(tmp_path / "receipts" / "manifest.jsonl"), str(tmp_path / "forms" / "manifest.jsonl@0.5")]
    trainer = RecognizerTrainer(tiny_config(tmp_path / "run", data[0], train=data, select_on=["receipts"]))
    assert trainer.val_samples and all("/receipts/" in s.image for s in trainer.val_samples)
    # the forms' held-out part is still kept out of training
    forms_train = {s.image for s in trainer.train_sets[1][0]}
    assert len(forms_train) < 40
    with pytest.raises(TextlensError, match="matches no training source"):
        RecognizerTrainer(tiny_config(tmp_path / "run2", data[0], train=data, select_on=["scene"]))


def _letter_set(root, texts, height=32):
    """A manifest with the given labels (the pictures do not matter: nothing is trained)."""
    (root / "img").mkdir(parents=True)
    with open(root / "manifest.jsonl", "w") as handle:
        for i, text in enumerate(texts):
            Image.new("L", (96 + i, height), 255).save(root / "img" / f"{i}.png")
            handle.write(json.dumps({"image": f"img/{i}.png", "text": text}) + "\n")
    return root / "manifest.jsonl"


def test_upper_case_sets_are_read_case_blind_and_mixed_case_sets_are_not(tmp_path):
    from textlens.training.recognizer import RecognizerTrainer

    capitals = _letter_set(tmp_path / "receipts", ["AB", "BA A", "ABBA"] * 10)
    mixed = _letter_set(tmp_path / "forms", ["Ab", "ba A", "aBBa"] * 10, height=30)
    model = RecognizerConfig(charset="abAB ", **TINY)
    trainer = RecognizerTrainer(tiny_config(tmp_path / "run", capitals, train=[str(capitals), str(mixed)], model=model))
    caseless = {"/receipts/" in s.image: s.caseless for samples, _ in trainer.train_sets for s in samples}
    assert caseless == {True: True, False: False}
    assert trainer.val_caseless == ["/receipts/" in s.image for s in trainer.val_samples]
    exact = RecognizerTrainer(
        tiny_config(tmp_path / "run2", capitals, train=[str(capitals)], model=model, caseless_upper=False)
    )
    assert not any(s.caseless for s in exact.train_sets[0][0])


def test_caseless_lines_score_either_case_of_a_letter():
    charset = Charset("aA")
    pairs = torch.tensor(charset.case_pairs())
    assert pairs.tolist() == [[2, 1]]
    # two lines, three frames each: blank, "a" (lower), blank
    probs = torch.tensor([[0.9, 0.05, 0.05], [0.05, 0.85, 0.1], [0.9, 0.05, 0.05]])
    log_probs = probs.log().unsqueeze(1).repeat(1, 2, 1)  # T, B, C
    merged = caseless_log_probs(log_probs, torch.tensor([True, False]), pairs)
    assert torch.allclose(merged[1, 0, 2].exp(), torch.tensor(0.95))  # "A" stands for either case
    assert torch.equal(merged[:, 1], log_probs[:, 1])  # the exact line is untouched
    assert torch.equal(merged[:, :, :2], log_probs[:, :, :2])
    ctc = torch.nn.CTCLoss(blank=0, reduction="none")
    loss = ctc(merged, torch.tensor([2, 2]), torch.tensor([3, 3]), torch.tensor([1, 1]))
    assert loss[0] < 0.5 < 2.0 < loss[1]  # label "A" read as "a": fine case-blind, wrong exactly


def test_validation_ignores_case_only_on_caseless_lines():
    model = CRNN(RecognizerConfig(charset="aA", **TINY)).eval()
    with torch.no_grad():  # a model that reads "a" whatever it sees
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([0.0, 10.0, 0.0]))
    lines, refs = [np.full((32, 64), 255, np.uint8)] * 2, ["A", "A"]
    exact = evaluate(model, lines, refs, Charset("aA"), False, caseless=[False, False])
    blind = evaluate(model, lines, refs, Charset("aA"), False, caseless=[True, False])
    assert (exact["cer"], exact["accuracy"]) == (1.0, 0.0)
    assert (blind["cer"], blind["accuracy"]) == (0.5, 0.5)
    assert blind["loss"] < exact["loss"]  # the case-blind line's "a" costs nothing against "A"


def test_equal_validation_error_is_decided_by_the_loss():
    best = {"cer": 0.01, "accuracy": 0.9, "loss": 0.5, "step": 100}
    assert improves_on({"cer": 0.005, "accuracy": 0.95, "loss": 0.9}, best)  # lower error wins outright
    assert not improves_on({"cer": 0.02, "accuracy": 0.95, "loss": 0.1}, best)
    assert improves_on({"cer": 0.01, "accuracy": 0.9, "loss": 0.4}, best)  # a tie goes to the surer model
    assert not improves_on({"cer": 0.01, "accuracy": 0.9, "loss": 0.5}, best)  # a full tie is a stall
    assert improves_on({"cer": 0.01, "accuracy": 0.9, "loss": 0.6}, {"cer": 0.01, "step": 5})  # old checkpoints


def _real_stream(ink: str, invert: float) -> MixedLineStream:
    dark_on_light = np.full((32, 96), 255, np.uint8)
    dark_on_light[10:22, 8:88] = 0
    config = RecognizerConfig(charset="ab", ink=ink)
    return MixedLineStream([([(dark_on_light, "ab")], 1.0)], 0.0, Charset("ab"), config, 1, 0.0, 0, invert=invert)


@pytest.mark.parametrize(
    ("ink", "invert", "expected"), [("luma", 1.0, 1.0), ("luma", 0.0, 0.0), ("contrast", 1.0, 0.0)]
)
def test_real_crops_are_inverted_only_for_grey_input_models(ink, invert, expected):
    stream = _real_stream(ink, invert)
    rng = np.random.default_rng(0)
    shown = [stream._real(rng)[0] for _ in range(20)]
    light_on_dark = np.mean([g[0, 0] == 0 for g in shown])
    assert light_on_dark == expected


def test_about_the_requested_share_of_real_crops_is_inverted():
    stream = _real_stream("luma", 0.25)
    rng = np.random.default_rng(1)
    share = np.mean([stream._real(rng)[0][0, 0] == 0 for _ in range(2000)])
    assert 0.21 < share < 0.29


def test_weight_average_moves_towards_the_model_and_copies_counters():
    from textlens.training.recognizer import _ema_update

    average, model = torch.nn.BatchNorm1d(2), torch.nn.BatchNorm1d(2)
    with torch.no_grad():
        average.weight.fill_(0.0)
        model.weight.fill_(1.0)
    model.num_batches_tracked.fill_(7)
    _ema_update(average, model, 0.9)
    assert torch.allclose(average.weight, torch.full((2,), 0.1))
    assert int(average.num_batches_tracked) == 7


def test_checkpoints_hold_the_averaged_weights_and_resume_the_raw_ones(tmp_path, line_set):
    result = train_recognizer(tiny_config(tmp_path / "run", line_set, ema=0.9), log=lambda m: None)
    last = load_checkpoint(tmp_path / "run" / "last.pt")
    averaged, raw = last["state_dict"], last["train_state_dict"]
    assert any(not torch.equal(averaged[k], raw[k]) for k in averaged if averaged[k].is_floating_point())
    assert "train_state_dict" in load_checkpoint(result.best_checkpoint)
    resumed = train_recognizer(tiny_config(tmp_path / "run", line_set, ema=0.9, max_steps=18), log=lambda m: None)
    assert resumed.steps == 18
    raw_only = train_recognizer(tiny_config(tmp_path / "plain", line_set, ema=0.0), log=lambda m: None)
    assert "train_state_dict" not in load_checkpoint(raw_only.best_checkpoint)


def test_transfer_starts_a_missing_capital_from_its_lower_case_row():
    old = CRNN(RecognizerConfig(charset="ab1", **TINY))
    state = {"state_dict": old.state_dict()}
    new = CRNN(RecognizerConfig(charset="AB1z", **TINY))
    transfer_weights(new, state, Charset("ab1"), Charset("AB1z"))
    w_old, w_new = old.classifier.weight, new.classifier.weight
    assert torch.equal(w_new[1], w_old[1]) and torch.equal(w_new[2], w_old[2])  # A <- a, B <- b
    assert torch.equal(w_new[3], w_old[3]) and torch.equal(w_new[0], w_old[0])  # "1" and blank kept
    assert not torch.equal(w_new[4], w_old[1])  # "z" has no counterpart: left as initialised
    assert torch.equal(new.features[0].weight, old.features[0].weight)  # the body is copied whole


def test_a_copy_with_another_label_is_found_wherever_the_split_puts_it(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(10):
        Image.fromarray(rng.integers(0, 255, (32, 64), dtype=np.uint8)).save(folder / f"{i}{i}-{i}.png")
    # labelled "99", drawn as "88": seed 0 holds out 88-8.png alone, so the pair straddles the split
    (folder / "99-99.png").write_bytes((folder / "88-8.png").read_bytes())
    config = RecognizerTrainConfig(
        out_dir=str(tmp_path / "run"),
        train=[str(folder)],
        model=RecognizerConfig(charset=DIGITS, **TINY),
        max_steps=1,
        workers=0,
        fail_fast=True,
    )
    with pytest.raises(TextlensError, match="identical image"):  # --strict: an error
        train_recognizer(config, log=lambda message: None)
    for i in range(10, 30):  # by default both copies are set aside and the run goes on
        Image.fromarray(rng.integers(0, 255, (32, 64), dtype=np.uint8)).save(folder / f"{i}-{i}.png")
    logged: list[str] = []
    train_recognizer(replace(config, fail_fast=False, out_dir=str(tmp_path / "run2")), log=logged.append)
    assert any("set aside 2 image(s)" in line and "88-8.png" in line and "99-99.png" in line for line in logged)


def test_label_lengths_of_codes_and_of_free_text():
    from textlens.training.recognizer import code_lengths

    assert code_lengths(["abcde", "12345", "x9y8z"]) == (5,)
    assert code_lengths(["abcd", "abcdefgh", "abcde"]) == (4, 5, 8)
    assert code_lengths([t * n for n in range(1, 10) for t in "a"]) == ()  # nine lengths: free text
    assert code_lengths(["a" * 30]) == ()  # too long for a code
    assert code_lengths([]) == ()


def test_a_reader_of_codes_answers_only_with_its_labels_lengths(tmp_path):
    from textlens.training.recognizer import RecognizerTrainer

    codes = _letter_set(tmp_path / "codes", ["abab", "baab", "abba", "bbaa"] * 8)
    config = tiny_config(tmp_path / "run", codes, model=RecognizerConfig(charset="ab", **TINY), infer_charset=True)
    assert RecognizerTrainer(config).model.config.lengths == (4,)
    any_length = tiny_config(
        tmp_path / "run2", codes, model=RecognizerConfig(charset="ab", **TINY), infer_charset=True, length_prior=False
    )
    assert RecognizerTrainer(any_length).model.config.lengths == ()
    general = tiny_config(tmp_path / "run3", codes, model=RecognizerConfig(charset="ab", **TINY))
    assert RecognizerTrainer(general).model.config.lengths == ()  # not a specialised reader

    # The lengths travel into the ONNX model, and its predictor holds its answers to them.
    model = CRNN(RecognizerConfig(charset="ab", lengths=(4,), **TINY)).eval()
    with torch.no_grad():  # reads "a" in every frame (greedy: one "a"); blank next, "b" far behind
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([2.0, 10.0, -10.0]))
    from textlens.training.common import save_checkpoint

    state = {"kind": "textlens-recognizer-checkpoint", "model_config": model.config.to_dict()}
    save_checkpoint(tmp_path / "codes.pt", {**state, "state_dict": model.state_dict(), "train_config": {}})
    recognizer = Recognizer.load(export_recognizer(tmp_path / "codes.pt", tmp_path / "codes.onnx"), lm=None)
    assert recognizer.lengths == (4,)
    line = np.full((32, 96), 255, np.uint8)
    assert recognizer.predict([line])[0].text == "aaaa"
    recognizer.lengths = ()
    assert recognizer.predict([line])[0].text == "a"


def test_greek_letters_start_from_their_base_letter_or_latin_look_alike():
    index = {c: i + 1 for i, c in enumerate("aoOſ")}
    assert starting_row("ἄ", index) == index["a"]  # ἄ -> α -> a
    assert starting_row("Ὀ", index) == index["O"]  # Ὀ -> Ο -> O
    assert starting_row("ο", index) == index["o"]
    assert starting_row("ſ", index) == index["ſ"]
    assert starting_row("λ", index) == -1  # no Latin letter looks like lambda


def test_a_script_extends_a_finetuned_charset_and_draws_that_script(tmp_path, line_set):
    first = train_recognizer(tiny_config(tmp_path / "a", line_set, max_steps=2), log=lambda m: None)
    config = tiny_config(
        tmp_path / "b", line_set, init_from=str(first.best_checkpoint), script="greek", max_steps=2, synth_ratio=0.5
    )
    result = train_recognizer(config, log=lambda m: None)
    charset = load_checkpoint(result.best_checkpoint)["model_config"]["charset"]
    assert charset.startswith(DIGITS) and {"α", "ῶ", "ἄ", "ſ"} <= set(charset)
    assert load_checkpoint(result.best_checkpoint)["train_config"]["script"] == "greek"


def test_a_resumed_finetune_keeps_its_own_charset_when_its_start_has_changed(tmp_path, line_set):
    start = train_recognizer(tiny_config(tmp_path / "a", line_set, max_steps=2), log=lambda m: None)
    config = tiny_config(tmp_path / "b", line_set, init_from=str(start.best_checkpoint), max_steps=2)
    train_recognizer(config, log=lambda m: None)
    charset = load_checkpoint(tmp_path / "b" / "last.pt")["model_config"]["charset"]
    # the start is retrained with a wider alphabet (a new shipped model); the run resumes as it was
    train_recognizer(
        tiny_config(tmp_path / "a", line_set, max_steps=2, resume=False, script="greek"), log=lambda m: None
    )
    assert "α" in load_checkpoint(start.best_checkpoint)["model_config"]["charset"]
    result = train_recognizer(replace(config, max_steps=4), log=lambda m: None)
    assert load_checkpoint(result.best_checkpoint)["model_config"]["charset"] == charset
    assert load_checkpoint(tmp_path / "b" / "last.pt")["step"] == 4


def test_arabic_lines_are_learnt_in_visual_order_and_read_back_in_logical_order():
    from textlens.recognition.bidi import visual_order
    from textlens.recognition.charset import SCRIPT_CHARS, strip_arabic_marks
    from textlens.training.recognizer import SynthSource, read_lines

    config = RecognizerConfig(charset=SCRIPT_CHARS["arabic"], script="arabic", **TINY)
    charset = Charset(config.charset)
    source = SynthSource("lines", config, (1, 40), mixed_case=False, weights={"arabic": 1.0, "words": 0.0})
    rng = np.random.default_rng(0)
    samples = [source(rng) for _ in range(6)]
    assert all(text == strip_arabic_marks(text) for _, text in samples)  # drawn with harakat, labelled without
    assert any("ال" in text for _, text in samples)
    stream = MixedLineStream([], 1.0, charset, config, 4, 0.0, 0, synth=lambda rng: samples[0])
    _, targets, lengths, _, _ = next(iter(stream))
    assert targets[: lengths[0]].tolist() == charset.encode(visual_order(samples[0][1]))
    # A reading emitted left to right across the image comes back in reading order.
    word = "في البيت"
    frames = [charset.encode(c)[0] for c in visual_order(word)]
    log_probs = torch.full((1, 2 * len(frames), charset.num_classes), -20.0)
    for t, label in enumerate(frames):
        log_probs[0, 2 * t, label] = 0.0
        log_probs[0, 2 * t + 1, 0] = 0.0
    line = np.zeros((32, 8 * len(frames)), np.uint8)
    assert list(read_lines(log_probs, [line], charset, config)) == [word]


def test_extend_charset_records_the_new_characters_and_synthesises_lines_with_them(tmp_path, line_set):
    first = train_recognizer(tiny_config(tmp_path / "a", line_set, max_steps=2), log=lambda m: None)
    rupee = LineSynthesizer(LineSynthConfig(charset=DIGITS + "₹", extra_chars="₹", p_extra=1.0))
    (tmp_path / "rupee").mkdir()
    examples = _write_lines(tmp_path / "rupee", rupee, count=8)
    assert "\\u20b9" in (tmp_path / "rupee" / "manifest.jsonl").read_text(encoding="utf-8")  # JSON-escaped
    config = tiny_config(
        tmp_path / "b", examples, init_from=str(first.best_checkpoint), extend_charset=True, max_steps=2
    )
    config.synth_ratio = 0.5
    result = train_recognizer(config, log=lambda m: None)
    model_config = load_checkpoint(result.best_checkpoint)["model_config"]
    assert "₹" in model_config["charset"] and model_config["extra"]["added_chars"] == "₹"


@pytest.mark.parametrize("share, expected", [(0.0, 0), (1.0, 12)])
def test_synthetic_lines_get_the_scan_look_in_the_share_asked_for(monkeypatch, share, expected):
    from textlens.synth import degrade
    from textlens.training.recognizer import SynthSource

    scanned = []
    real_scan = degrade.print_scan
    monkeypatch.setattr(degrade, "print_scan", lambda img, rng: scanned.append(1) or real_scan(img, rng))
    source = SynthSource("lines", RecognizerConfig(), (1, 40), mixed_case=False, scan_share=share)
    rng = np.random.default_rng(0)
    for _ in range(12):
        source(rng)
    assert len(scanned) == expected
