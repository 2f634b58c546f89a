"""Build textlens/assets/languages.json: each language's most frequent words (wordfreq), which
``textlens.layout.language`` uses to tell the language of a page. Takes a second.

    .venv/bin/python scripts/build_language_profiles.py
"""

from __future__ import annotations

import json
from pathlib import Path

from wordfreq import top_n_list, word_frequency

LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "nl", "sv", "da", "nb", "fi", "pl", "cs", "ru", "uk", "bg")
WORDS = 150
OUT = Path(__file__).resolve().parents[1] / "textlens" / "assets" / "languages.json"


def main() -> None:
    profiles = {}
    for lang in LANGUAGES:
        words = [w for w in top_n_list(lang, 400) if w.isalpha()][:WORDS]
        profiles[lang] = {w: round(word_frequency(w, lang), 6) for w in words}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(profiles, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB, {len(profiles)} languages)")


if __name__ == "__main__":
    main()
