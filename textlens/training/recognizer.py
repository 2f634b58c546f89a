"""Training loop for the CRNN-CTC recognizer.

Batches mix any number of labelled sources (manifests, folders, CSVs; each with a ratio)
with synthetic lines rendered on the fly. Validation runs periodically; the best
checkpoint by validation CER is kept, training stops early when it stalls, and a run
resumes from ``last.pt`` after an interruption. Checkpoints describe themselves: model
config, training config, charset and metrics travel with the weights.

Fine-tuning never ends worse than where it started: the starting model is scored on the
validation split first and stays the best checkpoint until something beats it.
"""

from __future__ import annotations

import copy
import math
import random
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rapidfuzz.distance import Levenshtein
from torch import nn
from torch.utils.data import DataLoader, IterableDataset

from textlens.errors import TextlensError
from textlens.recognition.bidi import model_order, reading_order
from textlens.recognition.charset import LOOKALIKES, SCRIPT_CHARS, Charset, normalize_text, strip_arabic_marks
from textlens.recognition.decoding import greedy_decode, hold_to_lengths
from textlens.recognition.model import CRNN, RecognizerConfig, output_length
from textlens.recognition.preprocess import fit_to_ink, normalize, pad_batch, resize_to_height, to_model_gray
from textlens.training.augment import augment_line, warp_line
from textlens.training.common import parse_spec, read_checkpoint, save_checkpoint, training_state, warmup_cosine
from textlens.training.sources import (
    Sample,
    check_duplicates,
    check_samples,
    drop_conflicting,
    drop_unlabelled,
    drop_unreadable,
    fold_case,
    labels_all_upper,
    load_crop,
    load_sources,
    looks_like_one_line,
    split_train_val,
)

CHECKPOINT_KIND = "textlens-recognizer-checkpoint"
MAX_CODE_LENGTHS = 8  # distinct label lengths a set of codes may have (more: free text, no length prior)
MAX_CODE_LENGTH = 24
SYNTH_KINDS = ("lines", "captcha")
TRAIN_MAX_WIDTH = 1024


@dataclass
class RecognizerTrainConfig:
    """Everything that decides a training run; written into every checkpoint."""

    out_dir: str = "runs/recognizer"
    train: list[str] = field(default_factory=list)  # data specs, optionally "SPEC@RATIO"
    val: list[str] = field(default_factory=list)  # empty: hold out part of `train`
    label_pattern: str | None = None  # folders: regex whose one group takes the label from the file name
    select_on: list[str] = field(default_factory=list)  # validate only on held-out parts of these train specs
    synth_ratio: float = 0.0  # share of each batch rendered synthetically
    synth_kind: str = "lines"  # "lines" (textlens.synth.lines) or "captcha" (textlens.synth.captcha, all styles)
    synth_weights: dict[str, float] = field(default_factory=dict)  # corpus source weight overrides (lines)
    synth_scan: float | None = None  # share of synthetic lines given the bilevel print-and-scan look (None: 0.1)
    model: RecognizerConfig = field(default_factory=RecognizerConfig)
    init_from: str | None = None  # checkpoint / shipped weights to fine-tune from
    init_choices: list[str] = field(default_factory=list)  # no init_from: start from the one reading val best
    infer_charset: bool = False  # charset = the labels' characters (rows of known ones kept when fine-tuning)
    fail_fast: bool = False  # an unreadable image stops the run (default: named in the log and left out)
    extend_charset: bool = False  # fine-tuning: add characters the labels need
    script: str | None = None  # a script group of SCRIPT_CHARS: the charset covers it, synthesis draws it
    keep_diacritics: bool = False  # Arabic: learn the harakat the labels give (default: strip them everywhere)
    synth_fonts: str = "all"  # font families synthesis draws: all, or the "train" split (textlens.synth.lines)
    case_fold: bool = False  # lower-case every label (labels whose case is arbitrary)
    length_prior: bool = True  # a specialised reader of short codes answers only with its labels' lengths
    caseless_upper: bool = True  # all-upper-case sets teach no letter case: case-blind loss and scoring there
    ink: str | None = None  # input colour mode for the model ("luma"/"contrast"); None: the starting model's
    fit_ink: bool | None = None  # crop inputs to their text band; None: the starting model's
    drop_unsupported: bool = False  # drop samples with characters outside the charset
    batch_size: int = 32
    lr: float = 1.5e-3
    weight_decay: float = 1e-4
    warmup_fraction: float = 0.03
    max_steps: int = 20_000
    max_minutes: float | None = None
    val_every: int | None = None  # None: every ~6 epochs of the real data, within 150..1000 steps
    patience: int = 8  # validations without improvement before stopping
    val_fraction: float = 0.1
    max_val: int = 1500
    case_insensitive: bool = False  # score validation case-insensitively
    augment: float = 1.0  # augmentation strength for real crops (0 = none)
    warp: float = 0.0  # shear/rotation/local-distortion strength for real crops (CAPTCHAs; 0 = none)
    invert: float = 0.1  # share of real crops shown light-on-dark ("luma" models; "contrast" input has no polarity)
    ema: float = 0.999  # validate and keep a moving average of the weights with this decay (0 = the raw weights)
    workers: int = 1
    threads: int = 1
    seed: int = 0
    resume: bool = True

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["model"] = self.model.to_dict()
        return data


@dataclass
class TrainResult:
    best_checkpoint: Path
    best_val_cer: float
    best_val_accuracy: float
    initial_val_cer: float | None
    steps: int
    seconds: float
    history: list[dict[str, float]]


# --------------------------------------------------------------------------- data


def prepare_line(gray: np.ndarray, height: int) -> np.ndarray:
    return resize_to_height(gray, height, max_width=TRAIN_MAX_WIDTH)


def model_gray(sample: Sample, config: RecognizerConfig) -> np.ndarray:
    """The grey crop of ``sample`` as the model's predictor would see it (ink mode, text-band fit)."""
    gray = load_crop(sample, ink=config.ink)
    return fit_to_ink(gray) if config.fit_ink else gray


class SynthSource:
    """Picklable synthetic-sample maker for the data-loading worker: text lines, or CAPTCHAs of
    every style drawn from the model's alphabet with the labels' length range."""

    def __init__(
        self,
        kind: str,
        config: RecognizerConfig,
        lengths: tuple[int, int],
        mixed_case: bool,
        weights: dict[str, float] | None = None,
        keep_diacritics: bool = False,
        font_split: str = "all",
        extra_chars: str = "",
        scan_share: float | None = None,
    ) -> None:
        if kind not in SYNTH_KINDS:
            raise TextlensError(f"unknown synthesis {kind!r}: choose from {', '.join(SYNTH_KINDS)}")
        self.kind, self.config, self.lengths, self.mixed_case = kind, config, lengths, mixed_case
        self.weights = dict(weights or {})
        # Arabic lines are drawn with their harakat, labelled without them unless they are learnt.
        self.strip_marks = config.script == "arabic" and not keep_diacritics
        self.font_split = font_split
        self.extra_chars = extra_chars  # characters new to the model, put into a share of the lines
        self.scan_share = scan_share
        self._sample: Callable[[np.random.Generator], tuple[np.ndarray, str]] | None = None

    def __call__(self, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        if self._sample is None:
            self._sample = self._lines() if self.kind == "lines" else self._captcha()
        gray, text = self._sample(rng)
        text = normalize_text(strip_arabic_marks(text)) if self.strip_marks else text
        return (fit_to_ink(gray) if self.config.fit_ink else gray), text

    def _lines(self) -> Callable[[np.random.Generator], tuple[np.ndarray, str]]:
        from textlens.synth.lines import LineSynthConfig, LineSynthesizer

        config = LineSynthConfig(
            height=self.config.height,
            charset=self.config.charset,
            source_weights=self.weights or None,
            script=self.config.script,
            font_split=self.font_split,
            extra_chars=self.extra_chars,
        )
        if self.scan_share is not None:
            config.p_print_scan = self.scan_share
        return LineSynthesizer(config).sample

    def _captcha(self) -> Callable[[np.random.Generator], tuple[np.ndarray, str]]:
        from textlens.synth.captcha import STYLES, random_text, render_captcha
        from textlens.synth.fonts import discover_fonts

        alphabet = "".join(c for c in self.config.charset if not c.isspace())
        # Labels folded to lower case stand for glyphs of either case: draw both.
        drawn = "".join(sorted(set(alphabet + alphabet.upper()))) if self.mixed_case else alphabet
        fonts = discover_fonts(drawn) or discover_fonts(alphabet)
        if not fonts:
            raise TextlensError(f"no installed font covers the alphabet {alphabet!r}")
        styles = sorted(STYLES)
        lo, hi = self.lengths

        def sample(rng: np.random.Generator) -> tuple[np.ndarray, str]:
            text = random_text(rng, alphabet, lo, hi)
            shown = "".join(c.upper() if rng.random() < 0.5 else c for c in text) if self.mixed_case else text
            style = styles[int(rng.integers(len(styles)))]
            image = render_captcha(shown, style, rng, fonts=fonts, height=int(rng.integers(40, 90)))
            return to_model_gray(np.asarray(image), self.config.ink), text

        return sample


class MixedLineStream(IterableDataset):
    """Endless stream of width-bucketed batches from weighted real sources + synthesis."""

    def __init__(
        self,
        sources: list[tuple[list[tuple[np.ndarray, str]], float]],
        synth_ratio: float,
        charset: Charset,
        config: RecognizerConfig,
        batch_size: int,
        augment: float,
        seed: int,
        synth: SynthSource | None = None,
        invert: float = 0.0,
        caseless: Sequence[bool] | None = None,
        warp: float = 0.0,
    ) -> None:
        flags = list(caseless) if caseless is not None else [False] * len(sources)
        kept = [(s, w, c) for (s, w), c in zip(sources, flags, strict=True) if s and w > 0]
        self.sources = [(s, w) for s, w, _ in kept]
        self.caseless = [c for _, _, c in kept]  # per source: its labels' letter case is unknown
        self.synth_ratio = synth_ratio if self.sources else 1.0
        self.charset = charset
        self.config = config
        self.batch_size = batch_size
        self.augment = augment
        self.warp = warp
        # Real sets are mostly dark ink on light paper; banners, signs and dark-mode screens are not.
        self.invert = invert if config.ink == "luma" else 0.0
        self.seed = seed
        self.synth = synth or SynthSource("lines", config, (1, 40), mixed_case=False)

    def _real(self, rng: np.random.Generator) -> tuple[np.ndarray, str, bool]:
        weights = np.array([w for _, w in self.sources], dtype=np.float64)
        source = int(rng.choice(len(self.sources), p=weights / weights.sum()))
        crops = self.sources[source][0]
        gray, text = crops[int(rng.integers(len(crops)))]
        if self.warp > 0 and rng.random() < 0.6:
            gray = warp_line(gray, rng, self.warp)
        if self.augment > 0:
            gray = augment_line(gray, rng, self.augment)
        if rng.random() < self.invert:
            gray = 255 - gray
        return gray, text, self.caseless[source]

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        info = torch.utils.data.get_worker_info()
        worker = info.id if info else 0
        rng = np.random.default_rng([self.seed, worker, int(time.time() * 1000) % 100_000])
        synth = self.synth if self.synth_ratio > 0 else None
        pool_size = self.batch_size * 8
        while True:
            pool = []
            while len(pool) < pool_size:
                try:
                    if synth is not None and rng.random() < self.synth_ratio:
                        gray, text = synth(rng)
                        caseless = False
                    else:
                        gray, text, caseless = self._real(rng)
                except TextlensError:
                    continue  # an unreadable file was reported by check_samples already
                line = prepare_line(gray, self.config.height)
                labels = self.charset.encode(model_order(text, self.config.script))
                if not labels or len(labels) > line.shape[1] // self.config.stride // 2 + 1:
                    continue  # empty or too long for the frames this width gives
                pool.append((line, labels, caseless))
            pool.sort(key=lambda item: item[0].shape[1])
            batches = [pool[i : i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
            random.Random(int(rng.integers(1 << 30))).shuffle(batches)
            for batch in batches:
                yield collate(batch, self.config)


def mark_caseless(samples: list[Sample]) -> list[Sample]:
    return [replace(s, caseless=True) for s in samples]


def preload_crops(
    samples: list[Sample], config: RecognizerConfig, max_height: int = 96
) -> list[tuple[np.ndarray, str]]:
    """Decode every crop once (pages hold many regions; random sampling would re-decode
    a whole page per line). Tall crops are scaled down to bound memory."""
    crops = []
    for sample in samples:
        gray = model_gray(sample, config)
        if gray.shape[0] > max_height:
            gray = resize_to_height(gray, max_height, max_width=4 * TRAIN_MAX_WIDTH)
        crops.append((gray, sample.text))
    return crops


def collate(batch: list[tuple[np.ndarray, list[int], bool]], config: RecognizerConfig):
    lines = [b[0] for b in batch]
    images = torch.from_numpy(normalize(pad_batch(lines), config.mean, config.std))
    targets = torch.tensor([i for _, labels, _ in batch for i in labels], dtype=torch.long)
    target_lengths = torch.tensor([len(labels) for _, labels, _ in batch], dtype=torch.long)
    input_lengths = torch.tensor([line.shape[1] // config.stride for line in lines], dtype=torch.long)
    caseless = torch.tensor([flag for _, _, flag in batch], dtype=torch.bool)
    return images, targets, target_lengths, input_lengths, caseless


def caseless_log_probs(log_probs: torch.Tensor, caseless: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
    """Make the upper-case classes of ``caseless`` lines stand for either case.

    ``log_probs`` is (T, B, C); ``pairs`` holds (upper, lower) class indices. Labels of an
    upper-cased set are capitals, so CTC scores only the upper class: giving it log(p_upper +
    p_lower) makes the loss blind to the case the model reads there, and the case it learns
    comes from the sets whose labels keep it.
    """
    if not bool(caseless.any()) or pairs.numel() == 0:
        return log_probs
    upper, lower = pairs[:, 0], pairs[:, 1]
    either = torch.logaddexp(log_probs[:, :, upper], log_probs[:, :, lower])
    columns = torch.where(caseless.view(1, -1, 1), either, log_probs[:, :, upper])
    return log_probs.index_copy(2, upper, columns)


# --------------------------------------------------------------------------- checkpoints


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    return read_checkpoint(path, CHECKPOINT_KIND, "recognizer")


def model_from_checkpoint(state: dict[str, Any]) -> CRNN:
    model = CRNN(RecognizerConfig.from_dict(state["model_config"]))
    model.load_state_dict(state["state_dict"])
    return model.eval()


def resolve_init(init_from: str) -> Path:
    """A checkpoint path, or the fine-tuning weights shipped beside a registered model."""
    path = Path(init_from)
    if path.is_file():
        return path
    from textlens.models.registry import registered_models

    for entry in registered_models():
        if entry.name == init_from and entry.kind == "recognizer":
            weights = entry.path.with_suffix(".pt")
            if weights.is_file():
                return weights
            raise TextlensError(f"model {init_from!r} ships no fine-tuning weights ({weights.name})")
    raise TextlensError(f"{init_from}: no such checkpoint or registered recognizer")


def starting_models() -> list[str]:
    """Shipped recognizers that carry fine-tuning weights, the default one first."""
    from textlens.models.registry import registered_models

    entries = [e for e in registered_models() if e.kind == "recognizer" and e.path.with_suffix(".pt").is_file()]
    return [e.name for e in sorted(entries, key=lambda e: not e.default)]


def transfer_weights(model: CRNN, state: dict[str, Any], old_charset: Charset, new_charset: Charset) -> None:
    """Load weights whose classifier may cover other characters (charset reduced or extended).

    A character the old model lacks starts from the nearest one it has: its other case (a
    case-blind CAPTCHA model's "a" already reads "A"), its base letter ("ἄ" from "α"), or a Latin
    letter of the same shape ("ο" from "o"); others start untrained.
    """
    weights = dict(state["state_dict"])
    w, b = weights.pop("classifier.weight"), weights.pop("classifier.bias")
    model.load_state_dict(weights, strict=False)
    with torch.no_grad():
        index = {c: i + 1 for i, c in enumerate(old_charset.chars)}
        rows = [0] + [starting_row(c, index) for c in new_charset.chars]
        for new_row, old_row in enumerate(rows):
            if old_row >= 0:
                model.classifier.weight[new_row] = w[old_row].float()
                model.classifier.bias[new_row] = b[old_row].float()


def starting_row(char: str, index: dict[str, int]) -> int:
    """The classifier row of the known character ``char`` is nearest to (see transfer_weights), or -1."""
    base = unicodedata.normalize("NFD", char)[:1]
    for candidate in (char, char.swapcase(), base, base.swapcase(), LOOKALIKES.get(base, "")):
        if candidate in index:
            return index[candidate]
    return -1


# --------------------------------------------------------------------------- evaluation


def code_lengths(texts: Sequence[str]) -> tuple[int, ...]:
    """The label lengths of a set of short codes (CAPTCHAs, serial numbers), which its reader may
    hold its answers to; () for labels that look like free text (many lengths, or long ones)."""
    lengths = sorted({len(t) for t in texts if t})
    if not lengths or len(lengths) > MAX_CODE_LENGTHS or lengths[-1] > MAX_CODE_LENGTH:
        return ()
    return tuple(lengths)


def read_lines(
    log_probs: torch.Tensor, lines: Sequence[np.ndarray], charset: Charset, config: RecognizerConfig
) -> Iterator[str]:
    """Greedy readings of a batch's (B, T, C) log-probabilities, each cut to its line's frames and
    held to the model's label lengths, as the ONNX predictor reads them."""
    scores = log_probs.numpy()
    for row, line in enumerate(lines):
        frames = scores[row, : output_length(line.shape[1], config.stride)]
        hits = hold_to_lengths(greedy_decode(frames, charset), frames, charset, config.lengths)
        yield reading_order(" ".join("".join(h.char for h in hits).split()), config.script)


@torch.no_grad()
def evaluate(
    model: CRNN,
    lines: list[np.ndarray],
    texts: list[str],
    charset: Charset,
    case_insensitive: bool,
    caseless: Sequence[bool] | None = None,
) -> dict[str, float]:
    """CER, whole-line accuracy (greedy decoding) and mean CTC loss on prepared (height-scaled)
    lines; lines flagged ``caseless`` are compared, and their loss taken, ignoring case."""
    model.eval()
    order = sorted(range(len(lines)), key=lambda i: lines[i].shape[1])
    preds: dict[int, str] = {}
    cfg = model.config
    flags = list(caseless) if caseless is not None else [False] * len(lines)
    pairs = torch.tensor(charset.case_pairs(), dtype=torch.long).reshape(-1, 2)
    loss_sum, loss_count = 0.0, 0
    for start in range(0, len(order), 64):
        idx = order[start : start + 64]
        batch = [lines[i] for i in idx]
        images = torch.from_numpy(normalize(pad_batch(batch), cfg.mean, cfg.std))
        log_probs = model(images)
        total, counted = _ctc_sum(
            log_probs,
            [lines[i] for i in idx],
            [texts[i] for i in idx],
            charset,
            cfg,
            torch.tensor([flags[i] for i in idx], dtype=torch.bool),
            pairs,
        )
        loss_sum, loss_count = loss_sum + total, loss_count + counted
        for i, text in zip(idx, read_lines(log_probs, [lines[i] for i in idx], charset, cfg)):
            preds[i] = text
    errors = length = correct = 0
    for i, ref in enumerate(texts):
        pred = preds[i]
        if case_insensitive or (caseless is not None and caseless[i]):
            pred, ref = pred.casefold(), ref.casefold()
        errors += Levenshtein.distance(pred, ref)
        length += len(ref)
        correct += pred == ref
    loss = loss_sum / loss_count if loss_count else math.inf
    return {"cer": errors / max(length, 1), "accuracy": correct / max(len(texts), 1), "loss": loss}


def _ctc_sum(
    log_probs: torch.Tensor,
    lines: list[np.ndarray],
    texts: list[str],
    charset: Charset,
    config: RecognizerConfig,
    caseless: torch.Tensor,
    pairs: torch.Tensor,
) -> tuple[float, int]:
    """Summed per-line CTC loss of a validation batch and how many lines it covers (lines whose
    text the charset cannot spell, or that are too short to emit it, are left out)."""
    keep, targets = [], []
    for row, (line, text) in enumerate(zip(lines, texts)):
        try:
            labels = charset.encode(model_order(text, config.script))
        except TextlensError:
            continue
        if labels and len(labels) <= output_length(line.shape[1], config.stride):
            keep.append(row)
            targets.append(labels)
    if not keep:
        return 0.0, 0
    rows = torch.tensor(keep, dtype=torch.long)
    picked = caseless_log_probs(log_probs[rows].permute(1, 0, 2), caseless[rows], pairs)
    losses = nn.functional.ctc_loss(
        picked,
        torch.tensor([c for labels in targets for c in labels], dtype=torch.long),
        torch.tensor([output_length(lines[r].shape[1], config.stride) for r in keep], dtype=torch.long),
        torch.tensor([len(labels) for labels in targets], dtype=torch.long),
        reduction="none",
        zero_infinity=True,
    )
    return float(losses.sum()), len(keep)


# --------------------------------------------------------------------------- the run


class RecognizerTrainer:
    """One training run: data, model, optimiser, schedule, validation and checkpoints."""

    def __init__(self, config: RecognizerTrainConfig, log: Callable[[str], None] = print) -> None:
        self.config = config
        self.log = log
        self.out_dir = Path(config.out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(config.seed)
        torch.set_num_threads(max(1, config.threads))
        self.train_sets, self.val_samples = self._load_data()
        if config.script == "arabic" and not config.keep_diacritics:
            self._strip_marks()
        if not config.fail_fast:  # one bad file or label must not stop a run: it is named and left out
            self._set_aside_bad_samples()
        if not config.init_from and config.init_choices:
            config.init_from = self._choose_start(config.init_choices)
        self.model, self.init_state = self._build_model()
        self.charset = Charset(self.model.config.charset)
        self._check_labels()
        model_cfg = self.model.config
        self.val_lines = [prepare_line(model_gray(s, model_cfg), model_cfg.height) for s in self.val_samples]
        self.val_texts = [s.text for s in self.val_samples]
        self.val_caseless = [s.caseless for s in self.val_samples]
        if not self.val_samples and config.synth_ratio > 0:
            self._synthetic_val()

    # -- set-up
    def _load_data(self) -> tuple[list[tuple[list[Sample], float]], list[Sample]]:
        cfg = self.config
        if not cfg.train and cfg.synth_ratio <= 0:
            raise TextlensError("no training data: give a data folder/manifest or --synth-ratio > 0")
        train_sets = []
        train_specs = [parse_spec(spec) for spec in cfg.train]
        loaded = load_sources([path for path, _ in train_specs], cfg.label_pattern)
        for (path, ratio), samples in zip(train_specs, loaded):
            if not samples:
                raise TextlensError(f"{path}: no labelled samples found")
            train_sets.append((self._mark_upper_cased(path, samples), ratio))
        val: list[Sample] = []
        val_paths = [parse_spec(spec)[0] for spec in cfg.val]
        for path, samples in zip(val_paths, load_sources(val_paths, cfg.label_pattern)):
            val += self._mark_upper_cased(path, samples)
        if not cfg.val and train_sets:
            split_sets = []
            for spec, (samples, ratio) in zip(cfg.train, train_sets):
                tr, va = split_train_val(samples, cfg.val_fraction, seed=cfg.seed)
                split_sets.append((tr, ratio))
                # Held out either way; only the chosen sources decide which checkpoint is best.
                if not cfg.select_on or any(key in spec for key in cfg.select_on):
                    val += va
            train_sets = split_sets
            if not val:
                raise TextlensError(f"--select-on {' '.join(cfg.select_on)} matches no training source")
        train_sets, val = self._drop_multi_line(train_sets, val)
        if len(val) > cfg.max_val:
            val = random.Random(cfg.seed).sample(val, cfg.max_val)
        if cfg.case_fold:
            train_sets = [([fold_case(s) for s in samples], ratio) for samples, ratio in train_sets]
            val = [fold_case(s) for s in val]
        return train_sets, val

    def _mark_upper_cased(self, path: str | Path, samples: list[Sample]) -> list[Sample]:
        if self.config.case_fold or not self.config.caseless_upper or not labels_all_upper([s.text for s in samples]):
            return samples
        self.log(f"{path}: every label is upper case; letters there are read case-blind (--exact-upper to teach it)")
        return mark_caseless(samples)

    def _drop_multi_line(
        self, train_sets: list[tuple[list[Sample], float]], val: list[Sample]
    ) -> tuple[list[tuple[list[Sample], float]], list[Sample]]:
        """Page regions that span several lines are no line-recognizer samples: drop and report them."""
        kept_sets = [([s for s in samples if looks_like_one_line(s)], ratio) for samples, ratio in train_sets]
        kept_val = [s for s in val if looks_like_one_line(s)]
        dropped = sum(len(a) - len(b) for (a, _), (b, _) in zip(train_sets, kept_sets)) + len(val) - len(kept_val)
        if dropped:
            self.log(f"dropped {dropped} page regions that span several lines (boxes too tall for their text)")
        for (before, _), (after, _), spec in zip(train_sets, kept_sets, self.config.train):
            if before and not after:
                raise TextlensError(f"{parse_spec(spec)[0]}: every region spans several lines; give line-level boxes")
        return kept_sets, kept_val

    def _choose_start(self, names: list[str]) -> str:
        """The starting model that reads the validation split best, ignoring case (equal CER: lower loss;
        then the earlier name).

        A text-line model and a CAPTCHA model both transfer, but to different data; reading the
        user's own held-out images settles which one, at the cost of one validation pass each.
        A resumed run keeps the choice it made.
        """
        last = self.out_dir / "last.pt"
        if self.config.resume and last.exists():
            return load_checkpoint(last)["train_config"].get("init_from") or names[0]
        if len(names) == 1 or not self.val_samples:
            return names[0]
        texts, caseless = [s.text for s in self.val_samples], [s.caseless for s in self.val_samples]
        scores = {}
        for name in names:
            self.config.init_from = name
            model, _ = self._build_model(report=False)
            cfg = model.config
            lines = [prepare_line(model_gray(s, cfg), cfg.height) for s in self.val_samples]
            charset = Charset(cfg.charset)
            # Ignoring case: a start is worth its glyph shapes; the case of a case-blind CAPTCHA model
            # is learnt in a few hundred steps (a mixed-case scheme: 98% after 337 steps from
            # captcha-crnn, 82% from latin-crnn, whose exact CER was the lower one).
            metrics = evaluate(model.eval(), lines, texts, charset, True, caseless)
            scores[name] = (metrics["cer"], metrics["loss"])
        # Equal error (a handful of validation images often gives one) is decided by the loss.
        best = min(names, key=lambda name: scores[name])
        listed = ", ".join(f"{name} {cer:.4f} (loss {loss:.3f})" for name, (cer, loss) in scores.items())
        self.log(f"val CER of the starting models, ignoring case: {listed}; starting from {best}")
        return best

    def _build_model(self, report: bool = True) -> tuple[CRNN, dict[str, Any] | None]:
        cfg = self.config
        last = self.out_dir / "last.pt"
        if cfg.resume and last.exists():
            # the model it was training, whatever its starting model or the script's charset has become since
            return CRNN(RecognizerConfig.from_dict(load_checkpoint(last)["model_config"])), None
        texts = [s.text for samples, _ in self.train_sets for s in samples]
        if cfg.init_from:
            state = load_checkpoint(resolve_init(cfg.init_from))
            model_cfg = RecognizerConfig.from_dict(state["model_config"])
            old = Charset(model_cfg.charset)
            if cfg.infer_charset:  # a specialised reader: only the labels' alphabet, known rows kept
                model_cfg.charset = Charset.from_texts(texts + [s.text for s in self.val_samples]).chars
            elif cfg.extend_charset:
                model_cfg.charset = old.extended(texts + [s.text for s in self.val_samples]).chars
                added = "".join(c for c in model_cfg.charset if c not in old.chars and not c.isspace())
                # the synthetic lines learn them too, in every font that draws them
                model_cfg.extra = {**model_cfg.extra, "added_chars": added}
            if cfg.script and not cfg.infer_charset:
                model_cfg.charset = Charset(model_cfg.charset).extended([SCRIPT_CHARS[cfg.script]]).chars
                model_cfg.script = cfg.script
            self._apply_input_style(model_cfg)
            model_cfg.lengths = self._label_lengths(texts)
            model = CRNN(model_cfg)
            transfer_weights(model, state, old, Charset(model_cfg.charset))
            new_chars = set(model_cfg.charset) - set(old.chars)
            known = {c: i + 1 for i, c in enumerate(old.chars)}
            untrained = {c for c in new_chars if starting_row(c, known) < 0}
            if report and new_chars - untrained:
                self.log(f"started from a known case or look-alike: {''.join(sorted(new_chars - untrained))!r}")
            if report and untrained:
                self.log(f"characters new to the starting model: {''.join(sorted(untrained))!r}")
            return model, state
        model_cfg = cfg.model
        if cfg.infer_charset:
            model_cfg.charset = Charset.from_texts(texts + [s.text for s in self.val_samples]).chars
        elif cfg.script:
            model_cfg.charset = SCRIPT_CHARS[cfg.script]
        model_cfg.script = cfg.script or model_cfg.script
        self._apply_input_style(model_cfg)
        model_cfg.lengths = self._label_lengths(texts)
        return CRNN(model_cfg), None

    def _label_lengths(self, texts: list[str]) -> tuple[int, ...]:
        """A specialised reader of short codes answers with its labels' lengths only (CAPTCHA schemes
        mostly use one or a few; a dropped or doubled character is then read again)."""
        if not (self.config.infer_charset and self.config.length_prior):
            return ()
        return code_lengths(texts + [s.text for s in self.val_samples])

    def _apply_input_style(self, model_cfg: RecognizerConfig) -> None:
        if self.config.ink is not None:
            model_cfg.ink = self.config.ink
        if self.config.fit_ink is not None:
            model_cfg.fit_ink = self.config.fit_ink

    def _strip_marks(self) -> None:
        """Arabic labels without harakat and tatweel: most transcriptions leave them out, so a model
        that wrote them would be marked wrong where they are printed and right where they are not."""
        self.train_sets = [
            ([replace(s, text=strip_arabic_marks(s.text)) for s in samples], r) for samples, r in self.train_sets
        ]
        self.val_samples = [replace(s, text=strip_arabic_marks(s.text)) for s in self.val_samples]

    def _set_aside_bad_samples(self) -> None:
        """Unreadable images, empty labels, and identical images labelled two ways (every copy: which
        label is right cannot be told, across the train/validation split too) are logged and left out."""
        sets = [drop_unlabelled(drop_unreadable(samples, self.log), self.log) for samples, _ in self.train_sets]
        val = drop_unlabelled(drop_unreadable(self.val_samples, self.log), self.log)
        kept = {id(s) for s in drop_conflicting([s for samples in sets for s in samples] + val, self.log)}
        self.train_sets = [([s for s in samples if id(s) in kept], r) for samples, (_, r) in zip(sets, self.train_sets)]
        self.val_samples = [s for s in val if id(s) in kept]

    def _check_labels(self) -> None:
        cfg = self.config
        if cfg.drop_unsupported:
            kept_sets = []
            for samples, ratio in self.train_sets:
                kept = [s for s in samples if not self.charset.missing(s.text) and s.text]
                if len(kept) < len(samples):
                    self.log(f"dropped {len(samples) - len(kept)} samples with unsupported characters")
                kept_sets.append((kept, ratio))
            self.train_sets = kept_sets
            self.val_samples = [s for s in self.val_samples if not self.charset.missing(s.text) and s.text]
            return
        for samples, _ in self.train_sets:
            check_samples(samples, self.charset, max_label_len=TRAIN_MAX_WIDTH // self.model.config.stride // 2)
        check_samples(self.val_samples, self.charset, max_label_len=None)
        # Across the split too: a copy with another label is an error wherever the halves fall.
        copies = check_duplicates([s for samples, _ in self.train_sets for s in samples] + self.val_samples)
        if copies:
            self.log(f"{copies} image file(s) are byte-identical copies of another with the same label")

    def _synth_weights(self) -> dict[str, float]:
        from textlens.synth.corpus import script_weights

        return script_weights(self.config.script or "latin", self.config.synth_weights)

    def _synthetic_val(self, count: int = 400) -> None:
        from textlens.synth.lines import LineSynthConfig, LineSynthesizer

        config = LineSynthConfig(
            height=self.model.config.height,
            charset=self.charset.chars,
            source_weights=self._synth_weights() or None,
            script=self.model.config.script,
            font_split=self.config.synth_fonts,
        )
        synth = LineSynthesizer(config)
        rng = np.random.default_rng(12345)
        for _ in range(count):
            gray, text = synth.sample(rng)
            gray = fit_to_ink(gray) if self.model.config.fit_ink else gray
            self.val_lines.append(prepare_line(gray, self.model.config.height))
            self.val_texts.append(text)
            self.val_caseless.append(False)

    # -- schedule
    def _lr_factor(self, step: int, elapsed: float) -> float:
        cfg = self.config
        return warmup_cosine(step, elapsed, cfg.max_steps, cfg.max_minutes, cfg.warmup_fraction)

    def _val_every(self) -> int:
        if self.config.val_every:
            return self.config.val_every
        real = sum(len(samples) for samples, _ in self.train_sets)
        if not real:
            return 1000
        return int(np.clip(6 * real / self.config.batch_size, 150, 1000))

    def _validate(self, model: CRNN | None = None) -> dict[str, float]:
        model = model or self.model
        metrics = evaluate(
            model, self.val_lines, self.val_texts, self.charset, self.config.case_insensitive, self.val_caseless
        )
        self.model.train()
        return metrics

    def _state(self, optimizer, step, elapsed, best, history, metrics, ema: CRNN | None = None) -> dict[str, Any]:
        """The checkpoint: the weights that are validated (the average when there is one) as
        ``state_dict``; the raw training weights too when they differ, to resume from."""
        progress = dict(step=step, elapsed=elapsed, best=best, metrics=metrics, history=history)
        if ema is None:
            return training_state(CHECKPOINT_KIND, self.model, self.config.to_dict(), optimizer, **progress)
        state = training_state(CHECKPOINT_KIND, ema, self.config.to_dict(), optimizer, **progress)
        state["train_state_dict"] = self.model.state_dict()
        return state

    def run(self) -> TrainResult:
        cfg = self.config
        model = self.model.train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        ctc = nn.CTCLoss(blank=0, zero_infinity=True)
        step, elapsed, history = 0, 0.0, []
        best = {"cer": math.inf, "accuracy": 0.0, "step": 0}
        initial_cer = None
        last, best_path = self.out_dir / "last.pt", self.out_dir / "best.pt"
        ema = copy.deepcopy(model).eval() if cfg.ema > 0 else None
        if cfg.resume and last.exists():
            state = load_checkpoint(last)
            model.load_state_dict(state.get("train_state_dict", state["state_dict"]))
            if ema is not None:
                ema.load_state_dict(state["state_dict"])
            optimizer.load_state_dict(state["optimizer"])
            step, elapsed, best, history = state["step"], state["elapsed"], state["best"], state["history"]
            self.log(f"resumed from {last} at step {step} (best val CER {best['cer']:.4f})")
        elif self.init_state is not None and self.val_lines:
            metrics = self._validate()
            initial_cer = metrics["cer"]
            best = {**metrics, "step": 0}
            save_checkpoint(best_path, self._state(optimizer, 0, 0.0, best, history, metrics))
            self.log(f"starting model: val CER {metrics['cer']:.4f}, accuracy {metrics['accuracy']:.4f}")
        self.log("loading training images ...")
        sources = [(preload_crops(samples, self.model.config), ratio) for samples, ratio in self.train_sets]
        self.log(f"loaded {sum(len(s) for s, _ in sources)} training crops from {len(sources)} sources")
        lengths = [len(text) for crops, _ in sources for _, text in crops] or [1, 40]
        synth = SynthSource(
            cfg.synth_kind,
            model.config,
            (min(lengths), max(lengths)),
            mixed_case=cfg.case_fold,
            weights=self._synth_weights(),
            keep_diacritics=cfg.keep_diacritics,
            font_split=cfg.synth_fonts,
            extra_chars=str(model.config.extra.get("added_chars", "")),
            scan_share=cfg.synth_scan,
        )
        stream = MixedLineStream(
            sources,
            cfg.synth_ratio,
            self.charset,
            model.config,
            cfg.batch_size,
            cfg.augment,
            cfg.seed + step,
            synth,
            invert=cfg.invert,
            caseless=[all(s.caseless for s in samples) for samples, _ in self.train_sets],
            warp=cfg.warp,
        )
        loader = DataLoader(stream, batch_size=None, num_workers=cfg.workers, persistent_workers=False)
        stalls, val_every = 0, self._val_every()
        started = time.monotonic() - elapsed
        running = 0.0
        last_report = elapsed
        pairs = torch.tensor(self.charset.case_pairs(), dtype=torch.long).reshape(-1, 2)
        for images, targets, target_lengths, input_lengths, caseless in loader:
            elapsed = time.monotonic() - started
            for group in optimizer.param_groups:
                group["lr"] = cfg.lr * self._lr_factor(step, elapsed)
            log_probs = caseless_log_probs(model(images).permute(1, 0, 2), caseless, pairs)  # T, B, C for CTCLoss
            loss = ctc(log_probs, targets, input_lengths, target_lengths)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            if ema is not None:
                _ema_update(ema, model, min(cfg.ema, (1 + step) / (10 + step)))
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 100 == 0:
                rate = 100 * cfg.batch_size / max(elapsed - last_report, 1e-6)
                self.log(f"step {step} {elapsed / 60:.1f} min loss {running:.3f} {rate:.0f} lines/s")
                last_report = elapsed
            out_of_time = cfg.max_minutes is not None and elapsed >= cfg.max_minutes * 60
            if step % val_every == 0 or step >= cfg.max_steps or out_of_time:
                metrics = self._validate(ema) if self.val_lines else {"cer": running, "accuracy": 0.0}
                history.append({"step": step, "seconds": elapsed, "loss": running, **metrics})
                improved = improves_on(metrics, best)
                if improved:
                    best, stalls = {**metrics, "step": step}, 0
                else:
                    stalls += 1
                state = self._state(optimizer, step, elapsed, best, history, metrics, ema)
                if improved:
                    save_checkpoint(best_path, state)
                save_checkpoint(last, state)
                self.log(
                    f"step {step} {elapsed / 60:.1f} min loss {running:.3f} val CER {metrics['cer']:.4f} "
                    f"acc {metrics['accuracy']:.4f} (best {best['cer']:.4f} @ {best['step']})"
                )
                if step >= cfg.max_steps or out_of_time or stalls >= cfg.patience:
                    break
        return TrainResult(best_path, best["cer"], best["accuracy"], initial_cer, step, elapsed, history)


def improves_on(metrics: dict[str, float], best: dict[str, float]) -> bool:
    """Lower validation CER wins; at equal CER the lower validation loss does.

    Small validation sets tie often and a set at its floor ties for good: the loss still tells a
    more confident (better generalising) model from the same one, and once it stops falling the
    run has converged and patience runs out instead of training on to the step limit.
    """
    if metrics["cer"] != best["cer"]:
        return metrics["cer"] < best["cer"]
    return metrics.get("loss", math.inf) < best.get("loss", math.inf)


@torch.no_grad()
def _ema_update(average: nn.Module, model: nn.Module, decay: float) -> None:
    """average <- decay * average + (1 - decay) * model; integer buffers are copied."""
    for mean, value in zip(average.state_dict().values(), model.state_dict().values()):
        if mean.dtype.is_floating_point:
            mean.mul_(decay).add_(value, alpha=1.0 - decay)
        else:
            mean.copy_(value)


def train_recognizer(config: RecognizerTrainConfig, log: Callable[[str], None] = print) -> TrainResult:
    """Train (or fine-tune) a recognizer; returns where the best checkpoint is and its scores."""
    return RecognizerTrainer(config, log).run()
