"""Build textlens/models/english-words.txt: the 50,000 commonest English words of letters (wordfreq),
one per line, the word list that the scene recognizer's readings snap to (``Lexicon.snap``), and
register it (kind "words") with its sha256. Takes a few seconds.

    .venv/bin/python scripts/build_word_list.py
"""

from __future__ import annotations

import json

from wordfreq import top_n_list

from textlens.models.registry import REGISTRY_FILE, file_sha256

WORDS = 50_000
NAME = "english-words"
OUT = REGISTRY_FILE.parent / f"{NAME}.txt"


def main() -> None:
    words = [w for w in top_n_list("en", WORDS) if w.isalpha()]
    OUT.write_text("\n".join(words) + "\n", encoding="utf-8")
    entries = [e for e in json.loads(REGISTRY_FILE.read_text(encoding="utf-8")) if e["name"] != NAME]
    entries.append(
        {
            "name": NAME,
            "kind": "words",
            "file": OUT.name,
            "sha256": file_sha256(OUT),
            "description": f"the {len(words)} commonest English words (wordfreq, scripts/build_word_list.py); "
            "the scene recognizer's readings of photo words snap to them",
            "default": True,
        }
    )
    REGISTRY_FILE.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB, {len(words)} words)")


if __name__ == "__main__":
    main()
