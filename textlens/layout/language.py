"""The language of a page, from its most frequent words.

Each language's 150 most frequent words and their frequencies (``textlens/assets/languages.json``,
built from wordfreq by ``scripts/build_language_profiles.py``) score the page's words naive-Bayes
style: a word frequent in one language and rare in the others ("the", "und", "les", "och", "что",
"що") decides,
words in no profile say nothing. Too few telling words, or two languages too close, give None.
A page written mostly in Arabic or Greek letters is named by its script first: Arabic (ar), and
Greek, ancient (grc) where its letters carry polytonic breathings, else modern (el).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = ["guess_language"]

PROFILES = Path(__file__).resolve().parents[1] / "assets" / "languages.json"
RARE = 1e-6  # the frequency of a word outside a language's profile
MIN_WORDS = 3  # telling words needed before naming a language
MARGIN = math.log(1e3)  # the best language must be this much likelier than the next
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _profiles() -> dict[str, dict[str, float]]:
    return json.loads(PROFILES.read_text(encoding="utf-8"))


def _script_language(text: str) -> str | None:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    names = [unicodedata.name(c, "") for c in letters]
    if sum(n.startswith("ARABIC") for n in names) > 0.5 * len(letters):
        return "ar"
    greek = [c for c, n in zip(letters, names) if n.startswith("GREEK")]
    if len(greek) > 0.5 * len(letters):
        polytonic = sum("\u1f00" <= c <= "\u1fff" for c in greek)
        return "grc" if polytonic > 0.05 * len(greek) else "el"
    return None


def guess_language(text: str) -> str | None:
    """ISO 639 code of the language ``text`` is written in, or None when it cannot tell."""
    by_script = _script_language(text)
    if by_script:
        return by_script
    profiles = _profiles()
    known = [w for w in _WORD.findall(text.lower()) if any(w in p for p in profiles.values())]
    if len(known) < MIN_WORDS:
        return None
    scores = {lang: sum(math.log(p.get(w, RARE)) for w in known) for lang, p in profiles.items()}
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    return ranked[0] if scores[ranked[0]] - scores[ranked[1]] >= MARGIN else None
