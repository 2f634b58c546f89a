"""Train the font-identification network on synthetic lines (DeepFont's recipe on our synthesizer).

Every sample is a random line (words, sentences, foreign-language and typeset text, names,
addresses, prices, dates) drawn in one style of one font class with the line synthesizer's crops,
ink effects, paper and degradations (blur, noise, JPEG, low resolution, binarisation, shadows), but
without what would change the face itself (horizontal stretching, printer dot matrices). Classes are
drawn uniformly, then a family of the class and one of its styles (bold and italic styles belong to
their family). Training crops a window of ``crop_width`` (lines are padded with ground); validation
renders ``val_lines`` whole lines with a seed of its own (texts never trained on) and scores top-1,
top-5 and the generic kind.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from textlens.errors import TextlensError
from textlens.synth.lines import LineSynthConfig, LineSynthesizer
from textlens.typeface.classifier import normalise_line, pad_batch
from textlens.typeface.families import FontClass, font_classes
from textlens.typeface.model import FontNetConfig

log = logging.getLogger(__name__)
CHECKPOINT_KIND = "textlens-font"
VALIDATION_SEED = 1_000_003  # renders for validation; benchmarks/fonts.py uses others

# What lines say: running text mostly, some names, numbers and dates (receipt jargon and code stay out).
TEXT_SOURCES = {
    "words": 0.25, "sentence": 0.25, "foreign": 0.1, "typeset": 0.1, "faker": 0.1, "short": 0.05,
    "address": 0.04, "price": 0.03, "date": 0.03, "numbers": 0.02, "upper": 0.03, "dialogue": 0.0,
    "receipt": 0.0, "code": 0.0, "punctuation": 0.0, "random": 0.0, "separator": 0.0,
}  # fmt: skip


def line_config(height: int, max_chars: int = 24) -> LineSynthConfig:
    """Line synthesis for font samples: the usual crops and degradations, the face left as drawn."""
    return LineSynthConfig(
        height=height, max_chars=max_chars, source_weights=TEXT_SOURCES, min_char_width=0.0,
        p_dot_matrix=0.0, p_bitmap=0.0, p_stretch=0.0, p_char_spacing=0.04, p_shear=0.0,
    )  # fmt: skip


@dataclass
class FontTrainConfig:
    out: str
    minutes: float = 30.0
    steps: int = 20000  # the learning-rate schedule's length
    batch_size: int = 48
    crop_width: int = 224
    lr: float = 2e-3
    weight_decay: float = 1e-4
    kind_weight: float = 0.3  # of the generic-kind loss beside the font loss
    val_lines: int = 1000
    val_every: int = 500
    threads: int = 2
    workers: int = 1
    seed: int = 0
    resume: bool = True
    model: FontNetConfig = field(default_factory=FontNetConfig)


class FontSampler:
    """Random (line image, class index, kind index) samples of a class list."""

    def __init__(self, classes: list[FontClass], kinds: tuple[str, ...], height: int, max_chars: int = 24) -> None:
        self.classes = classes
        self.kinds = kinds
        self.height = height
        self._families = [self._by_family(c) for c in classes]
        self.synth = LineSynthesizer(line_config(height, max_chars), fonts=[p for c in classes for p in c.paths])

    @staticmethod
    def _by_family(font_class: FontClass) -> list[list[str]]:
        from textlens.synth.fonts import font_info

        groups: dict[str, list[str]] = {}
        for path in font_class.paths:
            groups.setdefault(font_info(path).family, []).append(path)
        return list(groups.values())

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, int, int]:
        from textlens.synth.fonts import font_info

        index = int(rng.integers(len(self.classes)))
        family = self._families[index][int(rng.integers(len(self._families[index])))]
        # mostly upright: most text is, and italics of a family are that family's too
        upright = [p for p in family if not font_info(p).italic]
        pool = upright if upright and rng.random() < 0.8 else family
        path = pool[int(rng.integers(len(pool)))]
        image, _ = self.synth.sample_in(rng, path)
        return normalise_line(image, self.height), index, self.kinds.index(self.classes[index].kind)


def crop_or_pad(line: np.ndarray, width: int, rng: np.random.Generator) -> np.ndarray:
    """A ``width``-wide window of the line (random), or the line padded with ground."""
    if line.shape[1] > width:
        start = int(rng.integers(0, line.shape[1] - width + 1))
        return line[:, start : start + width]
    out = np.zeros((line.shape[0], width), np.float32)
    offset = int(rng.integers(0, width - line.shape[1] + 1))
    out[:, offset : offset + line.shape[1]] = line
    return out


def _stream(sampler: FontSampler, batch_size: int, width: int, seed: int, step: int) -> Iterator[tuple[Any, Any, Any]]:
    import torch

    info = torch.utils.data.get_worker_info()
    # the same run draws the same lines; a resumed one draws new ones (it starts at a later step)
    rng = np.random.default_rng([seed, info.id if info else 0, step])
    while True:
        images, fonts, kinds = [], [], []
        while len(images) < batch_size:
            try:
                line, font, kind = sampler.sample(rng)
            except TextlensError:
                continue
            images.append(crop_or_pad(line, width, rng))
            fonts.append(font)
            kinds.append(kind)
        yield torch.from_numpy(np.stack(images)[:, None]), torch.tensor(fonts), torch.tensor(kinds)


def validation_set(sampler: FontSampler, count: int, seed: int = VALIDATION_SEED) -> list[tuple[np.ndarray, int, int]]:
    rng = np.random.default_rng(seed)
    samples = []
    while len(samples) < count:
        try:
            samples.append(sampler.sample(rng))
        except TextlensError:
            continue
    return samples


def score(font_probabilities: np.ndarray, kind_probabilities: np.ndarray, fonts: list[int], kinds: list[int]) -> dict:
    """Top-1 and top-5 font-class accuracy and generic-kind accuracy."""
    order = np.argsort(-font_probabilities, axis=1)
    truth = np.asarray(fonts)
    return {
        "top1": float(np.mean(order[:, 0] == truth)),
        "top5": float(np.mean((order[:, :5] == truth[:, None]).any(axis=1))),
        "kind": float(np.mean(np.argmax(kind_probabilities, axis=1) == np.asarray(kinds))),
        "lines": len(fonts),
    }


def evaluate(model: Any, samples: list[tuple[np.ndarray, int, int]], batch_size: int = 32) -> dict[str, float]:
    import torch

    model.eval()
    order = np.argsort([s[0].shape[1] for s in samples])
    font_p = np.zeros((len(samples), len(model.config.classes)), np.float32)
    kind_p = np.zeros((len(samples), len(model.config.kinds)), np.float32)
    with torch.no_grad():
        for start in range(0, len(samples), batch_size):
            chosen = order[start : start + batch_size]
            fonts, kinds = model(torch.from_numpy(pad_batch([samples[i][0] for i in chosen])))
            font_p[chosen] = torch.softmax(fonts, 1).numpy()
            kind_p[chosen] = torch.softmax(kinds, 1).numpy()
    return score(font_p, kind_p, [s[1] for s in samples], [s[2] for s in samples])


def train(config: FontTrainConfig, classes: list[FontClass] | None = None) -> dict[str, Any]:
    import torch
    from torch.nn import functional as F
    from torch.utils.data import DataLoader, IterableDataset

    from textlens.typeface.model import FontNet

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    state = _resume_state(out / "last.pt") if config.resume else None
    if state is not None:
        config.model = FontNetConfig.from_dict(state["config"])
        classes = [FontClass(c["name"], c["families"], c["kind"], c.get("paths", [])) for c in state["classes"]]
        _check_fonts_present(classes)
    else:
        classes = classes if classes is not None else font_classes()
        config.model.classes = [c.to_dict() for c in classes]
    if len(classes) < 2:
        raise TextlensError("font identification needs at least two font classes; install more fonts")
    sampler = FontSampler(classes, config.model.kinds, config.model.height)
    log.info("%d font classes (%d families)", len(classes), sum(len(c.families) for c in classes))
    held_out = validation_set(sampler, config.val_lines)

    model = FontNet(config.model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, config.lr, total_steps=config.steps, pct_start=0.05)
    step, best = 0, {"top1": -1.0}
    if state is not None:
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        step, best = int(state["step"]), state.get("best", best)
        log.info("resumed at step %d (best top-1 %.3f)", step, best["top1"])

    class Stream(IterableDataset):
        def __iter__(self):
            return _stream(sampler, config.batch_size, config.crop_width, config.seed, step)

    loader = DataLoader(Stream(), batch_size=None, num_workers=config.workers, persistent_workers=False)
    started, seen = time.monotonic(), 0
    for images, fonts, kinds in loader:
        if step >= config.steps:
            break
        model.train()
        font_logits, kind_logits = model(images)
        loss = F.cross_entropy(font_logits, fonts, label_smoothing=0.05)
        loss = loss + config.kind_weight * F.cross_entropy(kind_logits, kinds)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        step += 1
        seen += len(fonts)
        minutes = (time.monotonic() - started) / 60
        if step % 100 == 0:
            log.info("step %d %.1f min loss %.3f %.0f lines/s", step, minutes, loss.item(), seen / (60 * minutes))
        done = minutes > config.minutes or step >= config.steps
        if step % config.val_every == 0 or done:
            result = evaluate(model, held_out)
            log.info(
                "step %d val top-1 %.3f top-5 %.3f kind %.3f", step, result["top1"], result["top5"], result["kind"]
            )
            if result["top1"] > best["top1"]:
                best = {**result, "step": step}
                save_checkpoint(out / "best.pt", model, config, classes, best, step)
            save_checkpoint(out / "last.pt", model, config, classes, best, step, optimiser, schedule)
        if done:
            break
    (out / "summary.json").write_text(json.dumps({"best": best, "classes": len(classes)}, indent=2))
    return best


def _check_fonts_present(classes: list[FontClass]) -> None:
    missing = [p for c in classes for p in c.paths if not Path(p).is_file()]
    if missing:
        raise TextlensError(f"the checkpoint's fonts are not on this machine (e.g. {missing[0]}); start a new run")


def _resume_state(path: Path) -> dict[str, Any] | None:
    return load_checkpoint(path) if path.is_file() else None


def save_checkpoint(
    path: Path, model: Any, config: FontTrainConfig, classes: list[FontClass], best: dict, step: int,
    optimiser: Any = None, schedule: Any = None,
) -> None:  # fmt: skip
    from textlens.training.common import save_checkpoint as save

    state = {
        "kind": CHECKPOINT_KIND,
        "model": {k: v.detach().clone() for k, v in model.state_dict().items()},
        "config": config.model.to_dict(),
        "classes": [{**c.to_dict(), "paths": c.paths} for c in classes],
        "train": {k: v for k, v in asdict(config).items() if k != "model"},
        "best": best,
        "step": step,
    }
    if optimiser is not None:
        state["optimiser"], state["schedule"] = optimiser.state_dict(), schedule.state_dict()
    save(path, state)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    from textlens.training.common import read_checkpoint

    return read_checkpoint(path, CHECKPOINT_KIND, "font")


def export_onnx(checkpoint: str | Path, output: str | Path, name: str | None = None) -> Path:
    """A self-describing ONNX font model: its classes, their families and kinds, and its validation scores."""
    import torch

    from textlens import __version__
    from textlens.runtime.export import export_with_metadata
    from textlens.typeface.model import FontNet

    state = load_checkpoint(checkpoint)
    model = FontNet(FontNetConfig.from_dict(state["config"]))
    model.load_state_dict(state["model"])
    model.eval()
    return export_with_metadata(
        model,
        torch.zeros(2, 1, model.config.height, 4 * model.config.height),
        output,
        (["images"], ["fonts", "kinds"]),
        {"images": {0: "batch", 3: "width"}, "fonts": {0: "batch"}, "kinds": {0: "batch"}},
        {
            "textlens_kind": "font",
            "textlens_version": __version__,
            "name": name or Path(output).stem,
            "config": state["config"],
            "validation": state.get("best", {}),
            "step": state.get("step"),
        },
    )
