"""Build a character language model from the text of labelled sets (``textlens train lm``).

Each source's validation share is held out exactly as ``textlens train recognizer`` holds it
out (same fraction, same seed, whole page images to one side), so a recognizer and its
language model never see the lines its validation and held-out scores come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from textlens.errors import TextlensError
from textlens.recognition.charset import normalize_text
from textlens.recognition.lm import CharNgramLM
from textlens.training.sources import DONT_CARE, load_samples, split_train_val


@dataclass(frozen=True)
class LmConfig:
    """``order``: characters of context + 1; ``hold_out``/``seed``: as the recognizer trainer's
    ``val_fraction``/``seed`` (plain ``.txt`` sources are taken whole, one line per line);
    ``fold_accents``: count letters without their accents."""

    order: int = 7
    hold_out: float = 0.1
    seed: int = 0
    fold_accents: bool = False  # count letters without their accents (see textlens.recognition.lm)


def training_lines(sources: Sequence[str], config: LmConfig) -> tuple[list[str], dict[str, int]]:
    """Normalised label lines of every source minus its held-out part; lines used per source."""
    lines: list[str] = []
    used: dict[str, int] = {}
    for spec in sources:
        if spec.lower().endswith(".txt"):
            texts = _text_file(spec)
        else:
            samples = load_samples(spec)
            if config.hold_out > 0 and len({s.image for s in samples}) > 1:
                samples, _ = split_train_val(samples, config.hold_out, seed=config.seed)
            texts = [s.text for s in samples]
        kept = [normalize_text(t) for t in texts if t and t != DONT_CARE]
        kept = [t for t in kept if t]
        used[spec] = len(kept)
        lines += kept
    if not lines:
        raise TextlensError("no text lines in the given sources to build a language model from")
    return lines, used


def build_lm(sources: Sequence[str], config: LmConfig | None = None) -> CharNgramLM:
    config = config or LmConfig()
    lines, used = training_lines(sources, config)
    meta = {"config": asdict(config), "sources": used}
    return CharNgramLM.build(lines, config.order, meta=meta, fold=config.fold_accents)


def _text_file(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().splitlines()
    except FileNotFoundError:
        raise TextlensError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise TextlensError(f"{path}: not UTF-8 text") from None
