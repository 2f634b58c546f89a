"""CAPTCHA strength audit: how many labelled samples does an attacker need to break a scheme?

The audit trains the standard recognizer on growing, nested subsets of the labelled
training data (e.g. 50, 100, 200, 400, 800 images), measures the whole-sequence solve rate
on held-out data after each run, and writes

* ``audit.md``: the table and a one-line verdict,
* ``learning_curve.png``: solve rate (and character accuracy) against labelled samples,
* ``audit.json``: the same numbers for machines,
* ``runs/n0050/...``: each run's subset manifests and checkpoints.

Each subset is all an attacker would have: its checkpoint-selection split is carved out of
the subset itself, never from the test data. A finished run is reused when the audit is
run again with the same settings (so an interrupted audit continues where it stopped).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from textlens.errors import TextlensError
from textlens.io.atomic import write_atomic
from textlens.training.sources import (
    Sample,
    fold_case,
    labels_look_case_folded,
    load_samples,
    split_train_val,
)

WEAK_AT = 0.5  # a solver this good makes the scheme useless against bots
BROKEN_AT = 0.01  # bots retry for free: ~1 % already counts as broken (Bursztein et al., 2011)
NEAR_BEST = 0.02  # "reaches X with N samples": the smallest N within this of the best rate


@dataclass(frozen=True)
class AuditConfig:
    """One audit; written into ``audit.json``."""

    data: str
    test: str | None = None  # None: hold out ``test_fraction`` of ``data``
    out_dir: str = "captcha-audit"
    sizes: tuple[int, ...] = (50, 100, 200, 400, 800)  # 0 means "all the training data"
    minutes_per_run: float = 5.0
    ignore_case: bool | None = None  # None: decide from the labels (see labels_look_case_folded)
    test_fraction: float = 0.2
    val_fraction: float = 0.1  # of each subset, for choosing the checkpoint
    seed: int = 0
    label_pattern: str | None = None
    # Recognizer the attacker fine-tunes: "default" = the shipped one (from scratch if none
    # ships fine-tuning weights), "none" = from scratch, else a model name or checkpoint.
    base: str = "default"

    def validate(self) -> None:
        if not self.sizes or any(n < 0 for n in self.sizes):
            raise TextlensError(f"--sizes must be positive sample counts (got {list(self.sizes)})")
        if self.minutes_per_run <= 0:
            raise TextlensError(f"--minutes-per-run must be positive (got {self.minutes_per_run})")
        if not 0 < self.test_fraction < 1 or not 0 < self.val_fraction < 1:
            raise TextlensError("test and validation fractions must be between 0 and 1")


@dataclass
class AuditRun:
    """The outcome of training on one subset size."""

    size: int  # labelled samples the attacker used (train + checkpoint-selection split)
    train: int
    val: int
    solve_rate: float  # whole-sequence accuracy on the test data
    char_accuracy: float  # 1 - CER on the test data, floored at 0
    minutes: float
    checkpoint: str


@dataclass
class AuditReport:
    config: AuditConfig
    runs: list[AuditRun]
    test_samples: int
    train_pool: int
    ignore_case: bool
    verdict: str
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": asdict(self.config),
            "runs": [asdict(r) for r in self.runs],
            "test_samples": self.test_samples,
            "train_pool": self.train_pool,
            "ignore_case": self.ignore_case,
            "verdict": self.verdict,
            "files": self.files,
        }


# Injected steps (the defaults train and score the textlens recognizer; tests pass fakes).
# train manifest, val manifest, out dir, minutes, ignore case, seed, starting models, log -> best checkpoint
TrainFn = Callable[[Path, Path, Path, float, bool, int, Sequence[str], Callable[[str], None]], Path]
PredictFn = Callable[[Path, Sequence[Sample]], list[str]]  # checkpoint, samples -> texts


# --------------------------------------------------------------------------- data


def nested_subsets(pool: Sequence[Sample], sizes: Sequence[int], seed: int) -> list[list[Sample]]:
    """Subsets of the sizes asked for (0 or more than the pool: all of it), each containing
    the smaller ones, so the curve measures more data and nothing else; duplicates dropped."""
    order = list(pool)
    random.Random(seed).shuffle(order)
    wanted = sorted({min(n, len(order)) if n > 0 else len(order) for n in sizes})
    return [order[:n] for n in wanted if n > 0]


def _fold(samples: Sequence[Sample], ignore_case: bool) -> list[Sample]:
    return [fold_case(s) for s in samples] if ignore_case else list(samples)


def _write_manifest(path: Path, samples: Sequence[Sample]) -> None:
    rows = []
    for s in samples:
        if s.quad is None:
            rows.append({"image": s.image, "text": s.text})
        else:
            rows.append({"image": s.image, "regions": [{"quad": list(s.quad), "text": s.text}]})
    write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- scoring


def score(preds: Sequence[str], refs: Sequence[str], ignore_case: bool) -> tuple[float, float]:
    """``(solve rate, character accuracy)``: exact whole-sequence matches, and 1 - CER."""
    if len(preds) != len(refs):
        raise ValueError(f"{len(preds)} predictions for {len(refs)} references")
    if not refs:
        return 0.0, 0.0
    fold = str.casefold if ignore_case else (lambda t: t)
    pairs = [("".join(fold(p).split()), "".join(fold(r).split())) for p, r in zip(preds, refs, strict=True)]
    solved = sum(p == r for p, r in pairs)
    errors = sum(Levenshtein.distance(p, r) for p, r in pairs)
    chars = sum(len(r) for _, r in pairs)
    return solved / len(pairs), max(0.0, 1.0 - errors / max(chars, 1))


def verdict(runs: Sequence[AuditRun], minutes_per_run: float) -> str:
    """One line rating the scheme from the learning curve."""
    if not runs:
        return "NO RESULT: no training run finished"
    best = max(runs, key=lambda r: (r.solve_rate, -r.size))
    first = min((r for r in runs if r.solve_rate >= best.solve_rate - NEAR_BEST), key=lambda r: r.size)
    pct = f"{100 * first.solve_rate:.0f}%"
    also = f" ({100 * best.solve_rate:.0f}% with {best.size})" if best.size != first.size else ""
    rising = len(runs) > 1 and runs[-1].solve_rate > runs[-2].solve_rate + 0.05
    more = "; still improving with more labels" if rising else ""
    if best.solve_rate >= WEAK_AT:
        return f"WEAK: a solver reaches {pct} with {first.size} labelled samples{also}{more}"
    if best.solve_rate >= BROKEN_AT:
        return (
            f"BROKEN BY RETRIES: a solver reaches {pct} with {first.size} labelled samples{also}, "
            f"enough for bots that retry{more}"
        )
    return (
        f"RESISTANT (to this attack): best solve rate {100 * best.solve_rate:.1f}% with {best.size} "
        f"labelled samples and {minutes_per_run:g} min CPU training per run{more}"
    )


def markdown(report: AuditReport) -> str:
    cfg = report.config
    lines = [
        "# CAPTCHA strength audit",
        "",
        f"**{report.verdict}**",
        "",
        f"- training data: `{cfg.data}` ({report.train_pool} labelled samples available)",
        f"- test data: `{cfg.test or f'{cfg.test_fraction:.0%} held out of the training data'}` "
        f"({report.test_samples} samples)",
        f"- comparison: {'case-insensitive' if report.ignore_case else 'case-sensitive'}, whole sequence",
        f"- training: up to {cfg.minutes_per_run:g} min per run, starting from "
        f"{' or '.join(resolve_base(cfg.base)) or 'scratch'}, seed {cfg.seed}",
        "",
        "| labelled samples | train | checkpoint val | solve rate | char accuracy | minutes |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report.runs:
        lines.append(
            f"| {r.size} | {r.train} | {r.val} | {100 * r.solve_rate:.1f}% | "
            f"{100 * r.char_accuracy:.1f}% | {r.minutes:.1f} |"
        )
    lines += ["", "![learning curve](learning_curve.png)", ""]
    return "\n".join(lines)


def plot_learning_curve(runs: Sequence[AuditRun], path: Path, title: str) -> None:
    """Solve rate and character accuracy against labelled samples (log x axis), as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # A bare Figure with the Agg canvas: no pyplot global state, no display needed.
    fig = Figure(figsize=(6.4, 4.0), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    sizes = [r.size for r in runs]
    ax.plot(sizes, [100 * r.solve_rate for r in runs], "o-", label="solve rate (whole sequence)")
    ax.plot(sizes, [100 * r.char_accuracy for r in runs], "s--", alpha=0.6, label="character accuracy")
    for r in runs:
        ax.annotate(
            f"{100 * r.solve_rate:.0f}%",
            (r.size, 100 * r.solve_rate),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
    if len(set(sizes)) > 1:
        ax.set_xscale("log")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.minorticks_off()
    ax.set_ylim(0, 105)
    ax.set_xlabel("labelled training samples")
    ax.set_ylabel("% of test CAPTCHAs")
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    write_atomic(path, buf.getvalue())


# --------------------------------------------------------------------------- default steps


def resolve_base(base: str) -> list[str]:
    """The recognizers an attacker may start from (empty: from scratch).

    A pretrained reader already knows glyphs and CTC alignment: on captcha-images-v2 it reaches
    ~96% after 150 steps where a model from scratch is still outputting blanks. ``default``
    offers every shipped one (text lines, CAPTCHAs); training starts from the one that reads the
    validation split best.
    """
    if base == "none":
        return []
    if base != "default":
        return [base]
    from textlens.training.recognizer import starting_models

    return starting_models()


def train_with_textlens(
    train: Path,
    val: Path,
    out_dir: Path,
    minutes: float,
    ignore_case: bool,
    seed: int,
    bases: Sequence[str],
    log: Callable[[str], None],
) -> Path:
    """Train the textlens recognizer on one subset, fine-tuning the best of ``bases`` (none: from scratch)."""
    from textlens.training.recognizer import RecognizerTrainConfig, train_recognizer

    config = RecognizerTrainConfig(
        out_dir=str(out_dir),
        train=[str(train)],
        val=[str(val)],
        init_choices=list(bases),
        # Exactly the alphabet the labels use (known rows kept), as `textlens train recognizer` picks for
        # a specialised reader: a base's extra characters would only be wrong answers (a case-blind
        # base's lower-case rows would read an upper-case scheme in the wrong case).
        infer_charset=True,
        case_insensitive=ignore_case,
        ink="contrast",  # specialised-reader input, as `textlens train recognizer` picks for such data
        fit_ink=True,
        warp=1.0,
        max_minutes=minutes,
        seed=seed,
    )
    result = train_recognizer(config, log=log)
    return Path(result.best_checkpoint)


def predict_with_checkpoint(checkpoint: Path, samples: Sequence[Sample]) -> list[str]:
    """Greedy CTC read of every sample with a training checkpoint (PyTorch, CPU)."""
    import torch

    from textlens.recognition.charset import Charset
    from textlens.recognition.preprocess import normalize, pad_batch
    from textlens.training.recognizer import (
        load_checkpoint,
        model_from_checkpoint,
        model_gray,
        prepare_line,
        read_lines,
    )

    model = model_from_checkpoint(load_checkpoint(checkpoint))
    cfg = model.config
    charset = Charset(cfg.charset)
    lines = [prepare_line(model_gray(s, cfg), cfg.height) for s in samples]
    order = sorted(range(len(lines)), key=lambda i: lines[i].shape[1])
    preds = [""] * len(lines)
    with torch.no_grad():
        for start in range(0, len(order), 64):
            idx = order[start : start + 64]
            images = torch.from_numpy(normalize(pad_batch([lines[i] for i in idx]), cfg.mean, cfg.std))
            for i, text in zip(idx, read_lines(model(images), [lines[i] for i in idx], charset, cfg)):
                preds[i] = text
    return preds


# --------------------------------------------------------------------------- the audit


def _load(config: AuditConfig) -> tuple[list[Sample], list[Sample]]:
    pool = load_samples(config.data, label_pattern=config.label_pattern)
    if config.test:
        test = load_samples(config.test)
        overlap = {s.image for s in pool} & {s.image for s in test}
        if overlap:
            raise TextlensError(
                f"{config.test}: {len(overlap)} test image(s) are also in the training data "
                f"(e.g. {sorted(overlap)[0]}); give disjoint sets"
            )
        return pool, test
    return split_train_val(pool, config.test_fraction, seed=config.seed, min_val=1, max_val=len(pool))


def audit_captcha(
    config: AuditConfig,
    *,
    train_fn: TrainFn | None = None,
    predict_fn: PredictFn | None = None,
    log: Callable[[str], None] = print,
) -> AuditReport:
    """Run the audit and write its report files into ``config.out_dir``."""
    config.validate()
    train_fn = train_fn or train_with_textlens
    predict_fn = predict_fn or predict_with_checkpoint
    out = Path(config.out_dir)
    pool, test = _load(config)
    ignore_case = config.ignore_case
    if ignore_case is None:
        ignore_case = labels_look_case_folded([s.text for s in pool])
    if ignore_case:
        log("labels look case-folded (both all-upper and all-lower labels): comparing case-insensitively")
    pool, test = _fold(pool, ignore_case), _fold(test, ignore_case)
    subsets = nested_subsets(pool, config.sizes, config.seed)
    if subsets and len(subsets[0]) < 4:
        raise TextlensError(f"{config.data}: need at least 4 labelled samples per run (got {len(subsets[0])})")
    log(f"{len(pool)} labelled samples for training, {len(test)} for testing; runs: {[len(s) for s in subsets]}")
    runs: list[AuditRun] = []
    for subset in subsets:
        runs.append(_run_one(config, out, subset, test, ignore_case, train_fn, predict_fn, log))
        _write_report(config, out, runs, len(test), len(pool), ignore_case)  # partial results survive a stop
    return _write_report(config, out, runs, len(test), len(pool), ignore_case)


def _run_one(
    config: AuditConfig,
    out: Path,
    subset: list[Sample],
    test: list[Sample],
    ignore_case: bool,
    train_fn: TrainFn,
    predict_fn: PredictFn,
    log: Callable[[str], None],
) -> AuditRun:
    n = len(subset)
    run_dir = out / "runs" / f"n{n:04d}"
    key = _fingerprint(
        [asdict(s) for s in subset],
        [asdict(s) for s in test],
        config.minutes_per_run,
        config.seed,
        config.val_fraction,
        ignore_case,
        config.base,
    )
    done = run_dir / "result.json"
    if done.is_file():
        saved = json.loads(done.read_text(encoding="utf-8"))
        if saved.get("key") == key and Path(saved["run"]["checkpoint"]).is_file():
            log(f"n={n}: reusing the finished run in {run_dir}")
            return AuditRun(**saved["run"])
    min_val = min(max(2, n // 10), 200)
    train, val = split_train_val(subset, config.val_fraction, seed=config.seed, min_val=min_val, max_val=200)
    run_dir.mkdir(parents=True, exist_ok=True)
    _write_manifest(run_dir / "train.jsonl", train)
    _write_manifest(run_dir / "val.jsonl", val)
    log(f"n={n}: training on {len(train)} (+{len(val)} for checkpoint choice), up to {config.minutes_per_run:g} min")
    started = time.monotonic()
    checkpoint = train_fn(
        run_dir / "train.jsonl",
        run_dir / "val.jsonl",
        run_dir / "model",
        config.minutes_per_run,
        ignore_case,
        config.seed,
        resolve_base(config.base),
        lambda msg: log(f"  n={n}: {msg}"),
    )
    minutes = (time.monotonic() - started) / 60
    preds = predict_fn(Path(checkpoint), test)
    solve, chars = score(preds, [s.text for s in test], ignore_case)
    run = AuditRun(n, len(train), len(val), solve, chars, minutes, str(checkpoint))
    write_atomic(done, json.dumps({"key": key, "run": asdict(run)}, indent=2) + "\n")
    log(f"n={n}: solve rate {100 * solve:.1f}%, char accuracy {100 * chars:.1f}% ({minutes:.1f} min)")
    return run


def data_label(data: str | Path) -> str:
    """A short name for a data source: a folder's name, or a file with its folder (many sets
    call their manifest ``train.jsonl``)."""
    path = Path(data)
    return f"{path.parent.name}/{path.name}" if path.is_file() and path.parent.name else path.name


def _write_report(
    config: AuditConfig, out: Path, runs: list[AuditRun], n_test: int, n_pool: int, ignore_case: bool
) -> AuditReport:
    report = AuditReport(config, list(runs), n_test, n_pool, ignore_case, verdict(runs, config.minutes_per_run))
    files = {"report": out / "audit.md", "curve": out / "learning_curve.png", "json": out / "audit.json"}
    report.files = {k: str(v) for k, v in files.items()}
    if runs:
        plot_learning_curve(runs, files["curve"], f"{data_label(config.data)}: solve rate vs labelled samples")
    write_atomic(files["report"], markdown(report))
    write_atomic(files["json"], json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return report
