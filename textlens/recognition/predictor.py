"""Torch-free line recognition on ONNX Runtime.

Crops are converted to grey, scaled to the model height and batched by similar width
(sorted, so little padding is wasted); the CTC output is decoded greedily or with a beam.
Lines read with low confidence are read twice more with a little more and less vertical margin,
the three readings' probabilities averaged (test-time augmentation where it pays), and the
average decoded with a beam search guided by the model's character language model, if it has
one (see ``textlens.recognition.lm``). With a lexicon, every word that holds a letter becomes
the lexicon word most probable given its frames (``textlens.recognition.lexicon``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from textlens.document import ModelInfo
from textlens.errors import TextlensError
from textlens.models.registry import companion_lm, companion_words, file_sha256, model_name, resolve_model
from textlens.recognition.bidi import logical_line
from textlens.recognition.charset import RTL_SCRIPTS, Charset
from textlens.recognition.decoding import (
    CharHit,
    LineResult,
    LmFusion,
    align_prefix,
    beam_decode,
    build_line,
    greedy_decode,
    hold_to_lengths,
)
from textlens.recognition.letter_case import settle_case
from textlens.recognition.lexicon import Lexicon, LexiconChoice
from textlens.recognition.lm import CharNgramLM
from textlens.recognition.preprocess import (
    INK_MODES,
    ink_box,
    normalize,
    pad_batch,
    resize_to_height,
    to_model_gray,
    vertical_variants,
)
from textlens.recognition.punctuation import commas_before_lower_case
from textlens.runtime.session import create_session, model_metadata

__all__ = ["LineResult", "Recognizer"]

# Lines read less confidently than this are re-read with other margins (and the LM). 0.985 was
# chosen on held-out sroie-train and funsd-train lines; at 0.97 typeset pages read better and
# faster (docpages-dev CER 5.27 -> 5.12%, 620 -> ~500 ms/page) with receipts unchanged
# (sroie-test 4.63%; 40 sroie-train pages 3.34 -> 3.41%; uw3 lines 1.17% either way).
RETRY_BELOW = 0.97
# A crop at least this many times taller than wide holds a word turned a quarter (a vertical sign,
# a spine): it is also read turned both ways, and the surest of the three readings is kept.
TURN_TALL_ASPECT = 1.5
TURN_MIN_GAIN = 0.05  # a turned reading replaces the upright one only when this much surer
TURN_BELOW = 0.9  # and only an upright reading less sure than this (a tall "1" or ":" reads surely)
# Open reading with a word list: a reading snaps to a near word within this many nats (chosen on
# icdar2003-train-rec words: acc36 87.5 / 88.5 / 88.5 / 88.1 at no list / 1 / 2 / 3).
WORDS_MARGIN = 2.0


class Recognizer:
    """A recognizer model loaded in ONNX Runtime."""

    def __init__(
        self,
        path: Path,
        threads: int | None = None,
        decoder: str = "greedy",
        retry_below: float | None = RETRY_BELOW,
        lm: CharNgramLM | None = None,
        lm_weight: float = 0.45,
        lm_bonus: float = 2.0,
        lexicon: Lexicon | None = None,
        words: Lexicon | None = None,
        turn_tall: bool = True,
    ) -> None:
        if decoder not in ("greedy", "beam"):
            raise TextlensError(f"unknown decoder {decoder!r}: use 'greedy' or 'beam'")
        if retry_below is not None and not 0.0 <= retry_below <= 1.0:
            raise TextlensError(f"retry_below must lie in [0, 1] or be None, got {retry_below!r}")
        self.retry_below = retry_below  # re-read lines below this confidence with margin variants
        self.path = Path(path)
        self.session = create_session(self.path, threads)
        meta = model_metadata(self.session, path)
        if meta.get("textlens_kind") != "recognizer":
            raise TextlensError(f"{path}: not a textlens recognizer model (no recognizer metadata)")
        try:
            config = meta["config"]
            self.charset = Charset(config["charset"])
            self.height = int(config["height"])
            self.mean = float(config["mean"])
            self.std = float(config["std"])
            self.stride = int(config["stride"])
            self.ink = str(config.get("ink", "luma"))
            self.fit_ink = bool(config.get("fit_ink", False))
            # a reader of fixed-length codes never answers with another length (empty: any length)
            self.lengths = tuple(int(n) for n in config.get("lengths", ()))
            self.script = str(config.get("script", "latin"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TextlensError(
                f"{path}: damaged textlens metadata in the model ({type(exc).__name__}: {exc})"
            ) from None
        if self.ink not in INK_MODES:
            raise TextlensError(f"{path}: unknown input ink mode {self.ink!r} (known: {', '.join(INK_MODES)})")
        self.decoder = decoder
        # ~10 average lines per run: smaller batches stay in cache (sroie-test-lines 11% less CPU than
        # 64 lines) and bound the activations ONNX Runtime keeps (docpages-dev RSS 478 -> 350 MB)
        self.max_batch_pixels = 10 * 32 * 400
        self.info = ModelInfo(meta.get("name", self.path.stem), "recognizer", file_sha256(self.path))
        self._input = self.session.get_inputs()[0].name
        # the language model steers the beam over unsure lines (all lines with decoder="beam")
        self.lm = LmFusion(lm, self.charset, lm_weight, lm_bonus) if lm is not None else None
        self.lm_info: ModelInfo | None = None  # set when loaded from a file (provenance)
        self.lexicon = lexicon  # every word with a letter is read as one of these (None: open reading)
        self.words = words  # open reading: words of letters snap to these where the frames allow
        self.words_info: ModelInfo | None = None
        self.turn_tall = turn_tall  # read crops much taller than wide turned a quarter too
        # scripts with letter case and Latin punctuation: case from letter heights, commas that lost their tail
        self.mend_lines = self.script in ("latin", "greek", "cyrillic")

    @classmethod
    def load(
        cls,
        model: str | Path | None = None,
        threads: int | None = None,
        decoder: str = "greedy",
        retry_below: float | None = RETRY_BELOW,
        lm: str | Path | None = "auto",
        lexicon: str | Path | Lexicon | None = None,
        words: str | Path | None = "auto",
    ) -> Recognizer:
        """Load a registered model name, an ``.onnx`` path, or the default (None).

        ``lm``: a language model name or ``.npz`` path, None for none, or "auto": the one registered
        with the recognizer (shipped models; a model given by path has none unless named here).
        ``words``: a word list (registered name or text file, one word per line) that readings snap
        to, None for none, or "auto": the one registered with the recognizer (the scene recognizer's).
        """
        path = resolve_model(model, "recognizer")
        lm_path = _companion(model, lm, "lm", companion_lm)
        language_model = CharNgramLM.load(lm_path) if lm_path is not None else None
        if lexicon is not None and not isinstance(lexicon, Lexicon):
            lexicon = Lexicon.load(lexicon)
        words_path = _companion(model, words, "words", companion_words)
        word_list = Lexicon.load(words_path) if words_path is not None else None
        recognizer = cls(
            path,
            threads=threads,
            decoder=decoder,
            retry_below=retry_below,
            lm=language_model,
            lexicon=lexicon,
            words=word_list,
        )
        if lm_path is not None:
            recognizer.lm_info = ModelInfo(model_name(lm_path), "lm", file_sha256(lm_path))
        if words_path is not None:
            recognizer.words_info = ModelInfo(model_name(words_path), "words", file_sha256(words_path))
        return recognizer

    def predict(
        self,
        crops: Sequence[np.ndarray],
        *,
        retry: bool = True,
        lexicons: Lexicon | Sequence[Lexicon | None] | None = None,
        whole_words: bool = False,
    ) -> list[LineResult]:
        """Recognise single-line crops (grey/RGB/RGBA uint8); one result per crop, in order.
        ``retry=False`` skips the re-read of unsure lines and the lexicon (when only confidences
        are compared). ``lexicons``: one for every crop, or one (or None) per crop, instead of
        the recognizer's own ``lexicon``; ``whole_words``: each crop is one word image and reads
        as one lexicon word (the IIIT5K/SVT protocol), else each word of a line that holds a
        letter does."""
        grays = [to_model_gray(c, self.ink) for c in crops]
        boxes = [ink_box(g) if self.fit_ink else (0, g.shape[0], 0, g.shape[1]) for g in grays]
        texts = [g[y0:y1, x0:x1] for g, (y0, y1, x0, x1) in zip(grays, boxes)]
        lines = [resize_to_height(t, self.height) for t in texts]
        scales = [(box[3] - box[2]) / line.shape[1] for box, line in zip(boxes, lines)]
        results: list[LineResult] = [LineResult("", 0.0, [], [])] * len(lines)
        frames: dict[int, np.ndarray] = {}  # the log-probabilities each result was decoded from
        unsure: dict[int, np.ndarray] = {}
        for i, log_probs in self._log_probs(lines):
            results[i] = self._decode(log_probs, self.stride * scales[i], boxes[i][2])
            frames[i] = log_probs
            if retry and self.retry_below is not None and results[i].confidence < self.retry_below:
                unsure[i] = log_probs
        if unsure:
            retried = list(unsure)
            variants = [v for i in retried for v in vertical_variants(texts[i], lines[i].shape[1], self.height)]
            more = dict(self._log_probs(variants))
            for k, i in enumerate(retried):
                readings = np.stack([unsure[i], more[2 * k], more[2 * k + 1]])
                frames[i] = np.log(np.exp(readings).mean(axis=0) + 1e-12)
                results[i] = self._decode(frames[i], self.stride * scales[i], boxes[i][2], guided=True)
        turned: set[int] = set()
        if retry and self.turn_tall:
            turned = self._read_turned(texts, boxes, results, frames)
        per_crop = _per_crop(self.lexicon if lexicons is None else lexicons, len(lines))
        for i, lexicon in enumerate(per_crop):
            if not retry or not results[i].text:
                continue
            if lexicon is not None:
                hits = constrain_words(results[i].chars, frames[i], self.charset, lexicon, whole_words, self.lm)
            elif self.words is not None:
                hits = snap_words(results[i].chars, frames[i], self.charset, self.words, self.lm, WORDS_MARGIN)
            else:
                continue
            results[i] = build_line(hits, self.stride * scales[i], boxes[i][2])
            if i in turned:
                results[i] = _spanning(results[i], boxes[i])
        if retry and self.mend_lines:
            for i, result in enumerate(results):
                if i in turned:
                    continue
                hits = commas_before_lower_case(result.chars, frames[i], self.charset)
                if hits is not result.chars:
                    result = build_line(hits, self.stride * scales[i], boxes[i][2])
                results[i] = settle_case(result, lines[i], self.stride, self.stride * scales[i], boxes[i][2])
        if self.script in RTL_SCRIPTS:
            results = [logical_line(r) for r in results]
        return results

    def _read_turned(
        self,
        texts: list[np.ndarray],
        boxes: list[tuple[int, int, int, int]],
        results: list[LineResult],
        frames: dict[int, np.ndarray],
    ) -> set[int]:
        """Read the crops much taller than wide and unsure upright turned a quarter clockwise and
        anticlockwise, and keep a turned reading of two letters or digits or more where it is surer
        (in place); the indices whose reading turned. A turned reading's words span the whole crop
        (their columns ran along its height)."""
        tall = [
            i
            for i, t in enumerate(texts)
            if t.shape[0] >= TURN_TALL_ASPECT * max(1, t.shape[1]) and results[i].confidence < TURN_BELOW
        ]
        if not tall:
            return set()
        turns = [np.ascontiguousarray(np.rot90(texts[i], k)) for i in tall for k in (-1, 1)]
        variants = [resize_to_height(t, self.height) for t in turns]
        readings = dict(self._log_probs(variants))
        turned = set()
        for n, i in enumerate(tall):
            for log_probs in (readings[2 * n], readings[2 * n + 1]):
                result = self._decode(log_probs, 1.0, 0)
                if self.lm is not None and self.retry_below is not None and result.confidence < self.retry_below:
                    result = self._decode(log_probs, 1.0, 0, guided=True)
                word_like = sum(c.isalnum() for c in result.text) >= 2  # a glyph turned reads "-" or ": 1"
                if word_like and result.confidence > results[i].confidence + TURN_MIN_GAIN:
                    results[i] = _spanning(result, boxes[i])
                    frames[i] = log_probs
                    turned.add(i)
        return turned

    def predict_one(self, crop: np.ndarray) -> LineResult:
        return self.predict([crop])[0]

    def _log_probs(self, lines: list[np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
        """(index, per-frame log-probabilities) of every line, run in width-sorted batches."""
        for batch in self._batches(lines):
            width = max(lines[i].shape[1] for i in batch)
            tensor = normalize(pad_batch([lines[i] for i in batch], width), self.mean, self.std)
            log_probs = self.session.run(None, {self._input: tensor})[0]
            for row, i in enumerate(batch):
                yield i, log_probs[row, : max(1, lines[i].shape[1] // self.stride)]

    def _decode(
        self, log_probs: np.ndarray, columns_per_frame: float, x_offset: int = 0, guided: bool = False
    ) -> LineResult:
        if self.decoder == "beam" or (guided and self.lm is not None):
            hits = beam_decode(log_probs, self.charset, lm=self.lm)
        else:
            hits = greedy_decode(log_probs, self.charset)
        return build_line(hold_to_lengths(hits, log_probs, self.charset, self.lengths), columns_per_frame, x_offset)

    def _batches(self, lines: list[np.ndarray]) -> list[list[int]]:
        """Indices grouped by width so each batch pads little and stays memory-bounded."""
        order = sorted(range(len(lines)), key=lambda i: lines[i].shape[1])
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            width = lines[i].shape[1]
            too_big = (len(current) + 1) * width * self.height > self.max_batch_pixels
            too_uneven = current and width > 1.5 * lines[current[0]].shape[1] + 32
            if current and (too_big or too_uneven):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches


def _companion(
    model: str | Path | None,
    value: str | Path | None,
    kind: str,
    registered: Callable[[str | Path | None], Path | None],
) -> Path | None:
    """The file of a model's companion (``kind`` "lm" or "words"): "auto" is the one registered
    with ``model``, None or "none" is none, anything else a registered name or a path."""
    if value == "auto":
        return registered(model)
    return None if value in (None, "none") else resolve_model(value, kind)


def _spanning(result: LineResult, box: tuple[int, int, int, int]) -> LineResult:
    """``result`` with every word spanning the columns of the crop's text box (a turned reading)."""
    x0, x1 = float(box[2]), float(box[3])
    return dataclasses.replace(result, words=[dataclasses.replace(w, x0=x0, x1=x1) for w in result.words])


def _per_crop(lexicons: Lexicon | Sequence[Lexicon | None] | None, count: int) -> list[Lexicon | None]:
    if lexicons is None or isinstance(lexicons, Lexicon):
        return [lexicons] * count
    if len(lexicons) != count:
        raise TextlensError(f"{len(lexicons)} lexicons for {count} crops")
    return list(lexicons)


def constrain_words(
    hits: list[CharHit],
    log_probs: np.ndarray,
    charset: Charset,
    lexicon: Lexicon,
    whole: bool = False,
    lm: LmFusion | None = None,
) -> list[CharHit]:
    """``hits`` with every word that holds a letter replaced by the lexicon word most probable
    given the word's frames (from just after the space before it to just before the space after);
    ``whole``: all of ``hits``, whatever it holds, is one word."""
    if whole:
        choice = lexicon.choose(log_probs, charset, "".join(h.char for h in hits).replace(" ", ""), lm)
        return hits if choice is None else align_prefix(log_probs, tuple(charset.encode(choice.word)), charset)

    def pick(reading: str, frames: np.ndarray) -> LexiconChoice | None:
        return lexicon.choose(frames, charset, reading, lm) if any(c.isalpha() for c in reading) else None

    return _replace_words(hits, log_probs, charset, pick)


def snap_words(
    hits: list[CharHit], log_probs: np.ndarray, charset: Charset, words: Lexicon, lm: LmFusion | None, margin: float
) -> list[CharHit]:
    """``hits`` with each word of letters that is not in ``words`` snapped to a near word of it
    that its frames find about as probable (``Lexicon.snap``). A word in capitals on a line in
    lower case is an acronym or a name ("AHD", not "AND") and stays as read."""
    running_text = any(hit.char.islower() for hit in hits)

    def pick(reading: str, frames: np.ndarray) -> LexiconChoice | None:
        if not reading.isalpha() or (running_text and reading.isupper()):
            return None
        return words.snap(frames, charset, reading, lm, margin)

    return _replace_words(hits, log_probs, charset, pick)


def _replace_words(
    hits: list[CharHit],
    log_probs: np.ndarray,
    charset: Charset,
    pick: Callable[[str, np.ndarray], LexiconChoice | None],
) -> list[CharHit]:
    """``hits`` with each space-separated word replaced by what ``pick`` makes of its reading and
    its frames (from just after the space before it to just before the space after), re-aligned."""
    out: list[CharHit] = []
    start = 0
    while start < len(hits):
        if hits[start].char == " ":
            out.append(hits[start])
            start += 1
            continue
        end = start
        while end < len(hits) and hits[end].char != " ":
            end += 1
        word = hits[start:end]
        first = hits[start - 1].last_frame + 1 if start > 0 else 0
        last = hits[end].first_frame if end < len(hits) else log_probs.shape[0]
        choice = pick("".join(h.char for h in word), log_probs[first:last])
        if choice is None:
            out.extend(word)
        else:
            for hit in align_prefix(log_probs[first:last], tuple(charset.encode(choice.word)), charset):
                out.append(CharHit(hit.char, hit.confidence, hit.first_frame + first, hit.last_frame + first))
        start = end
    return out
