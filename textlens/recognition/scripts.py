"""Which recognizer reads a line: Latin by default, another script group's where the page needs it.

``--lang`` names the languages of the input (ISO 639 codes, e.g. ``el,de``): a language written in
another script group than Latin (Greek ``el``/``grc``, Arabic ``ar``/``fa``/``ur``, Cyrillic
``ru``/``uk``/``bg``...) makes that
group's recognizer read every line (the Greek one reads Latin too, trained on the same Latin sets;
the Arabic one reads Arabic with digits and punctuation, in logical order). ``auto`` (the default) reads every line
with the Latin recognizer and lets each installed script recognizer re-read the lines the Latin one
is unsure of: where it reads a word of its own script with more confidence, its reading is kept.
Once a script model has won a line of the page, it looks at the lines Latin read surely too (words
spelt in letters both alphabets share read surely as Latin). A page without such lines costs one
extra recognition of its unsure lines and nothing else.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

import numpy as np

from textlens.errors import TextlensError
from textlens.recognition.decoding import LineResult

# ISO 639-1/-3 codes of languages written in a script group other than Latin.
LANGUAGE_SCRIPTS = {
    **dict.fromkeys(("el", "ell", "grc"), "greek"),
    **dict.fromkeys(("ar", "ara", "fa", "fas", "ur", "urd"), "arabic"),
    **dict.fromkeys(("ru", "rus", "uk", "ukr", "bg", "bul", "mk", "mkd", "be", "bel", "sr", "srp"), "cyrillic"),
}
SCRIPT_NAMES = {
    "greek": "GREEK",
    "arabic": "ARABIC",
    "cyrillic": "CYRILLIC",
}  # the Unicode character-name prefix of its letters
# The Latin reading of a line is questioned below this confidence (see benchmarks/script_lines.py).
SWITCH_BELOW = 0.9
# A script model's reading replaces it only at this confidence or more: arabic-crnn reads unsure Latin
# receipt lines as Arabic-looking words at up to 0.76, and real Arabic lines at 0.85 or more (1 in 100
# below; held-out arabic-print-lines-dev book); greek-crnn never won a receipt line at any level.
MIN_CONFIDENCE = {"arabic": 0.8}
# A script model looks only at lines the Latin model read less surely than this: it reads Arabic
# lines at 0.28-0.54 (5th-99th percentile, 300 arabic-print-lines-dev lines), while Greek words in
# Latin lines leave it up to 0.94 (hence SWITCH_BELOW).
PROBE_BELOW = {"arabic": 0.6}
# The least sure lines of a call (a page) looked at first: none read better in another script, no more.
PROBE_LINES = 4
# A line is shown to a script model only when its Latin reading leaves room for that script's words
# (script_words needs two letters): Greek and Cyrillic letters read as Latin look-alikes, so the Latin
# reading must hold two letters (a price, a date or a speck does not: on receipts such lines are most
# of the unsure ones); Arabic may read as marks and digits, so two characters of any kind.
MIN_PROBE_LETTERS = {"greek": 2, "cyrillic": 2}
MIN_PROBE_CHARS = 2


def parse_languages(lang: str) -> tuple[str, ...]:
    """``auto``, or a comma-separated list of language codes, as a tuple (("auto",) for auto)."""
    codes = tuple(code.strip().lower() for code in lang.split(",") if code.strip())
    if not codes:
        raise TextlensError("--lang needs 'auto' or language codes such as en or el,de")
    if "auto" in codes and len(codes) > 1:
        raise TextlensError("--lang auto cannot be combined with language codes")
    bad = [c for c in codes if not (c == "auto" or (c.isalpha() and 2 <= len(c) <= 3))]
    if bad:
        raise TextlensError(f"--lang: {', '.join(bad)} is not an ISO 639 language code (e.g. en, de, el, grc)")
    return codes


def script_words(text: str, script: str) -> int:
    """How many words of ``text`` are written in ``script`` only, with two letters or more (a
    Greek model reading Latin text may write a lone omicron for an "o"; it does not write words)."""
    prefix = SCRIPT_NAMES[script]
    count = 0
    for word in text.split():
        letters = [c for c in word if c.isalpha() and unicodedata.category(c) != "Lm"]  # not the elision mark ʼ
        count += len(letters) >= 2 and all(unicodedata.name(c, "").startswith(prefix) for c in letters)
    return count


class ScriptRouter:
    """A recognizer stage (``.predict``) that hands unsure lines to script recognizers.

    ``primary`` reads every line; ``alternates`` maps a script group to a loader of its recognizer
    (loaded on the first line that needs it). Attributes the pipeline reads (``info``,
    ``retry_below``, ``lexicon``, ``lm_info``) are the primary recognizer's.
    """

    def __init__(
        self,
        primary,
        alternates: dict[str, Callable[[], object]],
        switch_below: float = SWITCH_BELOW,
        script_infos: Sequence[object] = (),
    ) -> None:
        self.primary = primary
        self._loaders = dict(alternates)
        self._loaded: dict[str, object] = {}
        self.switch_below = switch_below
        self.script_infos = list(script_infos)  # provenance: the script models that may read a line

    def __getattr__(self, name: str):
        if name in ("primary", "_loaders", "_loaded", "switch_below", "script_infos"):
            raise AttributeError(name)
        return getattr(self.primary, name)

    def alternate(self, script: str):
        if script not in self._loaded:
            self._loaded[script] = self._loaders[script]()
        return self._loaded[script]

    def _quick_look(
        self,
        crops: Sequence[np.ndarray],
        lines: list[int],
        scripts: dict[int, list[str]],
        results: list[LineResult],
        winner: dict[int, tuple[str, float]],
        retry: bool,
    ) -> None:
        """Each script model's greedy reading of those ``lines`` that ``scripts`` offers it; the
        surest one holding a word of its script (and sure enough for that script) is noted in
        ``winner`` (and taken when not ``retry``)."""
        for script in self._loaders:
            asked = [i for i in lines if script in scripts[i]]
            quick = self.alternate(script).predict([crops[i] for i in asked], retry=False) if asked else []
            for i, other in zip(asked, quick):
                best = winner[i][1] if i in winner else results[i].confidence
                if other.confidence > max(best, MIN_CONFIDENCE.get(script, 0.0)) and script_words(other.text, script):
                    winner[i] = (script, other.confidence)
                    if not retry:
                        results[i] = other

    def _look_at_sure_lines(
        self,
        crops: Sequence[np.ndarray],
        scripts: dict[int, list[str]],
        results: list[LineResult],
        winner: dict[int, tuple[str, float]],
        retry: bool,
    ) -> None:
        """Offer the scripts that won a line of this page every line the Latin model read surely
        (a word in letters that Latin shares with the script reads surely as Latin: "Москва" as
        "MocKBa" at 0.97); as for the unsure lines, the script's reading wins only when surer."""
        found = {script for script, _ in winner.values()}
        sure = [i for i, r in enumerate(results) if not scripts[i] and sum(c.isalpha() for c in r.text) >= 2]
        for i in sure:
            scripts[i] = [script for script in self._loaders if script in found]
        self._quick_look(crops, sure, scripts, results, winner, retry)

    def _may_be(self, script: str, latin: LineResult) -> bool:
        """Whether a line the Latin model read as ``latin`` may hold words of ``script``."""
        if latin.confidence >= min(self.switch_below, PROBE_BELOW.get(script, 1.0)):
            return False
        if sum(c.isalpha() for c in latin.text) < MIN_PROBE_LETTERS.get(script, 0):
            return False
        return len(latin.text.replace(" ", "")) >= MIN_PROBE_CHARS

    def predict(self, crops: Sequence[np.ndarray], **options) -> list[LineResult]:
        results = self.primary.predict(crops, **options)
        scripts = {i: [script for script in self._loaders if self._may_be(script, r)] for i, r in enumerate(results)}
        unsure = [i for i, offered in scripts.items() if offered]
        if not unsure or options.get("lexicons") is not None:
            return results
        # A quick pass of every script model over the unsure lines decides (most unsure lines of a
        # Latin page stay Latin); it starts with the page's least sure lines, and a page where none
        # of those reads better in another script is left to the Latin model. Only the lines a script
        # model wins are read again with its re-reads.
        unsure.sort(key=lambda i: results[i].confidence)
        winner: dict[int, tuple[str, float]] = {}
        retry = options.get("retry", True)
        self._quick_look(crops, unsure[:PROBE_LINES], scripts, results, winner, retry)
        if winner and len(unsure) > PROBE_LINES:
            self._quick_look(crops, unsure[PROBE_LINES:], scripts, results, winner, retry)
        if winner:  # the page holds a script: its model looks at the lines the Latin one read surely too
            self._look_at_sure_lines(crops, scripts, results, winner, retry)
        if retry:
            for script in self._loaders:
                won = sorted(i for i, (name, _) in winner.items() if name == script)
                for i, other in zip(won, self.alternate(script).predict([crops[i] for i in won]) if won else []):
                    results[i] = other
        return results
