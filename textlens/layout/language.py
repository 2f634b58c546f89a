"""The language of a page, from its most frequent words.

Each language's 150 most frequent words and their frequencies (``textlens/assets/languages.json``,
built from wordfreq by ``scripts/build_language_profiles.py``) score the page's words naive-Bayes
style: a word frequent in one language and rare in the others ("the", "und", "les", "och") decides,
words in no profile say nothing. Too few telling words, or two languages too close, give None.
"""

from __future__ import annotations

import json
import math
import re
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


def guess_language(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in, or None when it cannot tell."""
    profiles = _profiles()
    known = [w for w in _WORD.findall(text.lower()) if any(w in p for p in profiles.values())]
    if len(known) < MIN_WORDS:
        return None
    scores = {lang: sum(math.log(p.get(w, RARE)) for w in known) for lang, p in profiles.items()}
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    return ranked[0] if scores[ranked[0]] - scores[ranked[1]] >= MARGIN else None
