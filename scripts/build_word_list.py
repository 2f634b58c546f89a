"""Build the word lists that recognizers' readings snap to (``Lexicon.snap``), one word of letters per
line, from wordfreq, and register them (kind "words") with their sha256. Takes a few seconds.

* textlens/models/english-words.txt: the 50,000 commonest English words; the scene recognizer's.
* textlens/models/cyrillic-words.txt: 60,000 Russian, 30,000 each of Ukrainian and Bulgarian, 15,000
  Macedonian and 50,000 English words; cyrillic-crnn's.
* textlens/models/latin-words.txt: the commonest words of the Latin-script languages the document
  recognizer reads (50,000 English, 30,000 each of French, German, Spanish, Italian, Portuguese and
  Dutch, 20,000 each of Polish, Czech, Swedish, Danish, Norwegian, Finnish, Malay, Hungarian, Slovak,
  Catalan and Indonesian, 15,000 Slovenian, 10,000 Icelandic); latin-crnn's.

    .venv/bin/python scripts/build_word_list.py
"""

from __future__ import annotations

import json
from pathlib import Path

from wordfreq import top_n_list

from textlens.models.registry import REGISTRY_FILE, file_sha256

LISTS = {
    "english-words": ({"en": 50_000}, "the {n} commonest English words (wordfreq, scripts/build_word_list.py); "
                      "the scene recognizer's readings of photo words snap to them"),
    "latin-words": (
        {"en": 50_000, "fr": 30_000, "de": 30_000, "es": 30_000, "it": 30_000, "pt": 30_000, "nl": 30_000,
         "pl": 20_000, "cs": 20_000, "sv": 20_000, "da": 20_000, "nb": 20_000, "fi": 20_000, "ms": 20_000,
         "hu": 20_000, "sk": 20_000, "is": 10_000, "ca": 20_000, "id": 20_000, "sl": 15_000},
        "the {n} commonest words of English, French, German, Spanish, Italian, Portuguese, Dutch, Polish, Czech, "
        "Swedish, Danish, Norwegian, Finnish, Malay, Hungarian, Slovak, Icelandic, Catalan, Indonesian and "
        "Slovenian (wordfreq, scripts/build_word_list.py); the Latin recognizer's unsure readings snap to them",
    ),
    "cyrillic-words": (
        {"ru": 60_000, "uk": 30_000, "bg": 30_000, "mk": 15_000, "en": 50_000},
        "the {n} commonest words of Russian, Ukrainian, Bulgarian, Macedonian and English (wordfreq, "
        "scripts/build_word_list.py); the Cyrillic recognizer's unsure readings snap to them (the English "
        "words keep Latin words of a Cyrillic line Latin)",
    ),
}  # fmt: skip


def build(name: str, sizes: dict[str, int]) -> tuple[Path, int]:
    words: dict[str, None] = {}
    for language, size in sizes.items():
        words.update((w, None) for w in top_n_list(language, size) if w.isalpha())
    out = REGISTRY_FILE.parent / f"{name}.txt"
    out.write_text("\n".join(words) + "\n", encoding="utf-8")
    return out, len(words)


def main() -> None:
    entries = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    for name, (sizes, description) in LISTS.items():
        out, count = build(name, sizes)
        entries = [e for e in entries if e["name"] != name]
        entry = {"name": name, "kind": "words", "file": out.name, "sha256": file_sha256(out),
                 "description": description.format(n=count), "default": name == "english-words"}  # fmt: skip
        entries.append(entry)
        print(f"wrote {out} ({out.stat().st_size // 1024} KB, {count} words)")
    REGISTRY_FILE.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
