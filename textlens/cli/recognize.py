"""Recognizer commands: `recognize`, `train recognizer`, `eval recognizer`, `export recognizer`."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from textlens.cli import app
from textlens.cli.groups import LM_HELP, WORDS_HELP, eval_app, export_app, train_app
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors
from textlens.errors import TextlensError

if TYPE_CHECKING:
    from textlens.recognition.lexicon import Lexicon


@app.command("recognize")
def recognize_command(
    images: list[str] = typer.Argument(
        ..., help="Images that each hold ONE text line or word (files, folders, globs)."
    ),
    model: str = typer.Option(None, "--model", "-m", help="Registered recognizer name or .onnx path."),
    output_format: str = typer.Option("text", "--format", "-f", help="text (one line per image) or json (JSON lines)."),
    decoder: str = typer.Option("greedy", help="greedy or beam."),
    lm: str = typer.Option("auto", "--lm", help=LM_HELP),
    lexicon: str = typer.Option(
        None,
        "--lexicon",
        help="Words file (one per line): each image reads as the word its frames make most probable. A .jsonl "
        'file gives each image its own: {"image": NAME, "lexicon": [WORD, ...]} per line (NAME as given or its '
        "file name; images not listed read freely).",
    ),
    words: str = typer.Option("auto", "--words", help=WORDS_HELP),
    threads: int = typer.Option(None, help="CPU threads for ONNX Runtime."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Read images that are already single text lines (no detection), one result per image.

    An image that cannot be read gets its one-line error on stderr and, in order, an empty line
    (text) or a record with "error" (json); the exit code is then 3 (2 when every image failed)."""
    from textlens.io.loading import expand_inputs, load_image
    from textlens.recognition.predictor import Recognizer

    if output_format not in ("text", "json"):
        raise TextlensError(f"unknown --format {output_format!r}: use text or json")
    lexicon_of = _lexicons(lexicon)
    errors = InputErrors(fail_fast)
    paths = expand_inputs(images, on_error=errors.report)
    missing = list(errors.failed)  # inputs that gave no file at all
    crops: dict[str, object] = {}
    for path in paths:
        with errors.guard(path):
            crops[path] = load_image(path)
    if crops:
        recognizer = Recognizer.load(model, threads=threads, decoder=decoder, lm=lm, words=words)
        lexicons = [lexicon_of(path) for path in crops]
        # with a lexicon, each image is one word of it (the word-image protocol of IIIT5K and SVT)
        predicted = recognizer.predict(list(crops.values()), lexicons=lexicons, whole_words=True)  # type: ignore[arg-type]
        read = dict(zip(crops, predicted))
    else:
        read = {}
    for path in [*missing, *paths]:
        result = read.get(path)
        if output_format == "json":
            sys.stdout.write(json.dumps(_record(path, result, errors), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write((result.text if result else "") + "\n")
    errors.finish(len(missing) + len(paths))


def _lexicons(path: str | None) -> Callable[[str], Lexicon | None]:
    """A function giving the lexicon of an image path: none, one for all, or one per image (.jsonl)."""
    from textlens.recognition.lexicon import Lexicon, load_lexicons

    if path is None:
        return lambda image: None
    if path.endswith(".jsonl"):
        table = load_lexicons(path)
        return lambda image: table.get(image, table.get(Path(image).name))
    lexicon = Lexicon.load(path)
    return lambda image: lexicon


def _synth_weights(spec: str | None) -> dict[str, float]:
    """``name=weight,...`` of corpus sources, checked against the sources that exist."""
    from textlens.synth.corpus import SOURCES

    weights: dict[str, float] = {}
    for item in (spec or "").split(","):
        if not item.strip():
            continue
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in SOURCES:
            raise TextlensError(f"--synth-weights: unknown source {name!r} (known: {', '.join(SOURCES)})")
        try:
            weights[name] = float(value)
        except ValueError:
            raise TextlensError(f"--synth-weights: {item.strip()!r} is not NAME=NUMBER") from None
        if not 0 <= weights[name] < float("inf"):
            raise TextlensError(f"--synth-weights: the weight of {name!r} must be a non-negative number")
    return weights


def _record(path: str, result: object, errors: InputErrors) -> dict[str, object]:
    if result is None:
        return {"image": path, "error": errors.failed[path]}
    return {"image": path, "text": result.text, "confidence": round(result.confidence, 4)}  # type: ignore[attr-defined]


LABEL_PATTERN_HELP = (
    "For a folder of images named by their labels: a regex whose one (group) takes the label from the file "
    "name without extension (default: the name up to a trailing -<n> or _<n> counter)."
)


def _check_label_pattern(pattern: str | None, paths: list[str]) -> None:
    if (
        pattern is not None
        and paths
        and all(Path(p).exists() for p in paths)
        and not any(Path(p).is_dir() for p in paths)
    ):
        raise TextlensError("--label-pattern applies only to a folder of images named by their labels")


@train_app.command("recognizer")
def train_recognizer_command(
    data: list[str] = typer.Argument(
        None,
        help="Labelled data: manifest.jsonl, a folder of images named by their labels, or a CSV/TSV of "
        "path,label. Append @RATIO to weight a source, e.g. receipts/manifest.jsonl@0.3.",
    ),
    out: Path = typer.Option(Path("runs/recognizer"), "--out", "-o", help="Run folder (checkpoints, log)."),
    val: list[str] = typer.Option(None, "--val", help="Validation data (default: 10% held out of DATA)."),
    label_pattern: str = typer.Option(None, help=LABEL_PATTERN_HELP),
    select_on: list[str] = typer.Option(
        None,
        "--select-on",
        help="Choose the best checkpoint on the held-out part of the DATA sources whose path contains this "
        "text (repeatable); the other sources' held-out parts stay unused.",
    ),
    synth_ratio: float = typer.Option(
        None, help="Share of synthetic images per batch (default 0.5 for new Latin models, 0 otherwise)."
    ),
    synth_kind: str = typer.Option(
        "lines", help="What synthesis draws: lines (printed text lines) or captcha (every textlens CAPTCHA style)."
    ),
    synth_weights: str = typer.Option(
        None,
        "--synth-weights",
        help="Line synthesis: how often each text source is drawn, e.g. foreign=0.4,typeset=0.15 (the others keep "
        "their weights; sources: textlens.synth.corpus.SOURCES).",
    ),
    synth_scan: float = typer.Option(
        None,
        "--synth-scan",
        min=0.0,
        max=1.0,
        help="Line synthesis: share of lines shown as a bilevel office scan of their print-out (default 0.1).",
    ),
    finetune: str = typer.Option(
        None, "--finetune", help="Fine-tune this model (shipped name or checkpoint), keeping its charset."
    ),
    extend_charset: bool = typer.Option(False, help="When fine-tuning, add characters the labels need."),
    script: str = typer.Option(
        None,
        help="Script group the recognizer reads: latin, greek (Latin plus polytonic Greek) or arabic (read right "
        "to left, output in logical order). The charset covers it (new letters start from their Latin "
        "look-alikes) and synthesis draws its text and fonts.",
    ),
    synth_fonts: str = typer.Option(
        "all",
        help="Font families synthesis draws: all, or train (7 in 8; `synth lines --fonts test` renders the rest).",
    ),
    keep_diacritics: bool = typer.Option(
        False, help="Arabic: learn the harakat the labels give (default: strip them from every label)."
    ),
    from_scratch: bool = typer.Option(
        False,
        "--from-scratch",
        help="Start from random weights. Default for a specialised reader (data, no synthesis): start from "
        "the shipped recognizer (text lines or CAPTCHAs) that reads the validation split best, with the "
        "charset reduced to the labels' characters, which learns far faster.",
    ),
    case_fold: str = typer.Option(
        "auto", help="Lower-case all labels: on, off, or auto (when label case looks arbitrary)."
    ),
    caseless_upper: bool = typer.Option(
        True,
        "--caseless-upper/--exact-upper",
        help="A set whose labels are all capitals (receipts, SVT) may hide the printed case: its letters are "
        "learnt and scored case-blind. --exact-upper teaches its capitals as given.",
    ),
    charset_from_data: bool = typer.Option(
        None, help="Charset = the labels' characters (default: on for a specialised reader)."
    ),
    drop_unsupported: bool = typer.Option(False, help="Skip samples with characters outside the charset."),
    length_prior: bool = typer.Option(
        True,
        "--length-prior/--any-length",
        help="A specialised reader of short codes (at most 8 label lengths, none over 24) answers only with "
        "the lengths its labels have: a dropped or doubled character is read again.",
    ),
    ink: str = typer.Option(
        "auto",
        help="How colour becomes grey: luma, contrast (distance from the background colour, for pale or "
        "coloured glyphs), or auto (contrast for a specialised reader, else the starting model's).",
    ),
    fit_ink: bool = typer.Option(
        None,
        "--fit-ink/--no-fit-ink",
        help="Crop every image to its text band before scaling (default: on for a specialised reader).",
    ),
    case_insensitive: bool = typer.Option(False, help="Score validation ignoring case."),
    steps: int = typer.Option(20_000, help="Maximum optimizer steps."),
    minutes: float = typer.Option(None, help="Wall-clock budget; the LR schedule follows it."),
    batch_size: int = typer.Option(32, help="Lines per batch."),
    lr: float = typer.Option(1.5e-3, help="Peak learning rate (AdamW, cosine)."),
    val_every: int = typer.Option(None, help="Validate every N steps (default: about every 6 epochs, 150-1000)."),
    patience: int = typer.Option(8, help="Stop after N validations without improvement."),
    augment: float = typer.Option(1.0, help="Augmentation strength for real images (0 = off)."),
    warp: float = typer.Option(
        None,
        help="Shear, rotation and local distortion of real images (0 = off; default: 1 for a specialised reader).",
    ),
    invert: float = typer.Option(
        0.1, min=0.0, max=1.0, help="Share of real images shown light-on-dark (grey-input models only)."
    ),
    ema: float = typer.Option(
        0.999, min=0.0, max=0.99999, help="Validate and keep a moving average of the weights (0 = raw weights)."
    ),
    workers: int = typer.Option(1, help="Data-loading worker processes."),
    threads: int = typer.Option(1, help="Torch threads for training."),
    seed: int = typer.Option(0, help="Random seed."),
    fresh: bool = typer.Option(False, "--fresh", help="Ignore an existing last.pt instead of resuming."),
    fail_fast: bool = typer.Option(
        False,
        "--strict",
        "--fail-fast",
        help="Stop at an image that cannot be opened, an empty label, or identical images labelled two ways "
        "(default: name them in the log and leave them out).",
    ),
) -> None:
    """Train or fine-tune a CRNN-CTC line recognizer; keeps the best checkpoint by validation CER."""
    from textlens.recognition.charset import SCRIPT_CHARS
    from textlens.training.common import parse_spec
    from textlens.training.recognizer import RecognizerTrainConfig, starting_models, train_recognizer
    from textlens.training.sources import labels_look_case_folded, load_sources

    data = list(data or [])
    _check_label_pattern(label_pattern, [parse_spec(spec)[0] for spec in [*data, *(val or [])]])
    if synth_ratio is None:
        synth_ratio = 0.0 if (data or finetune) else 1.0
    if synth_kind not in ("lines", "captcha"):
        raise TextlensError(f"--synth-kind must be lines or captcha (got {synth_kind!r})")
    # A specialised reader: the user's own labelled images, at most padded with synthetic CAPTCHAs.
    specialised = bool(data) and not finetune and (synth_ratio == 0 or synth_kind == "captcha")
    # A specialised reader starts from whichever shipped model reads its validation split best.
    choices = [] if finetune or from_scratch or not specialised else starting_models()
    if script is not None and script not in SCRIPT_CHARS:
        raise TextlensError(f"--script must be one of {', '.join(SCRIPT_CHARS)} (got {script!r})")
    if synth_fonts not in ("all", "train"):
        raise TextlensError(f"--synth-fonts must be all or train (got {synth_fonts!r})")
    if case_fold not in ("auto", "on", "off"):
        raise TextlensError(f"--case-fold must be auto, on or off (got {case_fold!r})")
    if case_fold == "auto":
        sources = load_sources([parse_spec(spec)[0] for spec in data], label_pattern)
        texts = [s.text for samples in sources for s in samples]
        fold = specialised and labels_look_case_folded(texts)
    else:
        fold = case_fold == "on"
    if ink not in ("auto", "luma", "contrast"):
        raise TextlensError(f"--ink must be auto, luma or contrast (got {ink!r})")
    if fold:
        typer.echo("labels are lower-cased (their case looks arbitrary); scoring ignores case", err=True)
    config = RecognizerTrainConfig(
        out_dir=str(out),
        train=data,
        val=list(val or []),
        label_pattern=label_pattern,
        select_on=list(select_on or []),
        synth_ratio=synth_ratio,
        synth_kind=synth_kind,
        synth_weights=_synth_weights(synth_weights),
        synth_scan=synth_scan,
        init_from=finetune,
        init_choices=choices,
        infer_charset=specialised if charset_from_data is None else charset_from_data,
        case_fold=fold,
        caseless_upper=caseless_upper,
        ink=("contrast" if specialised else None) if ink == "auto" else ink,
        fit_ink=(True if specialised else None) if fit_ink is None else fit_ink,
        extend_charset=extend_charset,
        script=script,
        keep_diacritics=keep_diacritics,
        synth_fonts=synth_fonts,
        drop_unsupported=drop_unsupported,
        length_prior=length_prior,
        case_insensitive=case_insensitive or fold,
        max_steps=steps,
        max_minutes=minutes,
        batch_size=batch_size,
        lr=lr,
        val_every=val_every,
        patience=patience,
        augment=augment,
        warp=(1.0 if specialised else 0.0) if warp is None else warp,
        invert=invert,
        ema=ema,
        workers=workers,
        threads=threads,
        seed=seed,
        resume=not fresh,
        fail_fast=fail_fast,
    )
    result = train_recognizer(config, log=lambda msg: typer.echo(msg, err=True))
    summary = f"best checkpoint {result.best_checkpoint}: val CER {result.best_val_cer:.4f}, "
    summary += f"accuracy {result.best_val_accuracy:.4f} after {result.steps} steps ({result.seconds / 60:.1f} min)"
    if result.initial_val_cer is not None:
        summary += f"; starting model had val CER {result.initial_val_cer:.4f}"
    typer.echo(summary)


@eval_app.command("recognizer")
def eval_recognizer_command(
    data: str = typer.Option(..., "--data", "-d", help="Labelled line crops (manifest, folder or CSV)."),
    model: str = typer.Option(None, "--model", "-m", help="Registered recognizer name or .onnx path."),
    decoder: str = typer.Option("greedy", help="greedy or beam."),
    lm: str = typer.Option("auto", "--lm", help=LM_HELP),
    threads: int = typer.Option(None, help="CPU threads for ONNX Runtime."),
    limit: int = typer.Option(None, help="Score only the first N samples."),
    label_pattern: str = typer.Option(None, help=LABEL_PATTERN_HELP),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """CER, WER, word accuracy (exact and case-insensitive) and lines/s on a labelled set."""
    from textlens.eval.metrics import CropScores
    from textlens.recognition.predictor import Recognizer
    from textlens.training.sources import load_crop, load_sources

    _check_label_pattern(label_pattern, [data])
    samples = load_sources([data], label_pattern)[0][:limit]
    if not samples:
        raise TextlensError(f"{data}: no labelled samples")
    errors = InputErrors(fail_fast)
    crops, readable = [], []
    for sample in samples:
        with errors.guard(str(sample)):
            crops.append(load_crop(sample, ink="rgb"))  # the predictor converts, as for any user image
            readable.append(sample)
    if not crops:
        errors.finish(len(samples))
    recognizer = Recognizer.load(model, threads=threads, decoder=decoder, lm=lm)
    started = time.perf_counter()
    results = recognizer.predict(crops)
    seconds = time.perf_counter() - started
    scores = CropScores().update([r.text for r in results], [s.text for s in readable])
    skipped = f" ({len(errors.failed)} unreadable, not scored)" if errors.failed else ""
    typer.echo(
        f"{len(readable)} lines{skipped}  CER {scores.cer:.2%}  CER (case-insensitive) {scores.cer_ci:.2%}  "
        f"WER {scores.wer:.2%}  WER (case-insensitive) {scores.wer_ci:.2%}  "
        f"accuracy {scores.accuracy:.2%}  accuracy (case-insensitive) {scores.accuracy_ci:.2%}  "
        f"{len(readable) / seconds:.1f} lines/s"
    )
    errors.finish(len(samples))


@export_app.command("recognizer")
def export_recognizer_command(
    checkpoint: Path = typer.Argument(..., help="Training checkpoint (best.pt)."),
    output: Path = typer.Option(..., "--output", "-o", help="ONNX file to write."),
    name: str = typer.Option(None, help="Model name stored in the metadata (default: file stem)."),
) -> None:
    """Write a self-describing ONNX recognizer (charset, height, normalisation, version)."""
    from textlens.runtime.export import export_recognizer

    path = export_recognizer(checkpoint, output, name)
    typer.echo(f"wrote {path} and {path.with_suffix('.pt')} (fine-tuning weights)")
