from __future__ import annotations

import numpy as np
import pytest

from textlens.recognition.charset import DEFAULT_CHARS
from textlens.synth import corpus


def _clean(text: str, charset: str, max_chars: int) -> None:
    assert text and text == text.strip() and "  " not in text
    assert len(text) <= max_chars
    assert set(text) <= set(charset)


def test_sample_text_is_clean_and_deterministic() -> None:
    a = [corpus.sample_text(np.random.default_rng(7), max_chars=40) for _ in range(3)]
    assert len(set(a)) == 1
    rng = np.random.default_rng(0)
    texts = [corpus.sample_text(rng, max_chars=40) for _ in range(300)]
    for t in texts:
        _clean(t, DEFAULT_CHARS, 40)
    assert len(set(texts)) > 250


@pytest.mark.parametrize("name", sorted(corpus.SOURCES))
def test_each_source(name: str) -> None:
    rng = np.random.default_rng(1)
    weights = {n: (1.0 if n == name else 0.0) for n in corpus.SOURCES}
    for _ in range(20):
        source, text = corpus.sample_source(rng, max_chars=48, weights=weights)
        assert source == name
        _clean(text, DEFAULT_CHARS, 48)


def test_restricted_charset() -> None:
    rng = np.random.default_rng(2)
    charset = "0123456789.,:-/ "
    for _ in range(100):
        _clean(corpus.sample_text(rng, max_chars=20, charset=charset), charset, 20)


def test_receipt_lines_are_mostly_upper_case() -> None:
    rng = np.random.default_rng(3)
    texts = [corpus.receipt_line(rng) for _ in range(200)]
    letters = "".join(c for t in texts for c in t if c.isalpha())
    assert sum(c.isupper() for c in letters) / len(letters) > 0.6


def test_foreign_lines_bring_the_accented_letters_of_their_languages():
    import numpy as np
    import pytest

    from textlens.recognition.charset import DEFAULT_CHARS
    from textlens.synth import corpus

    pytest.importorskip("wordfreq")
    rng = np.random.default_rng(4)
    lines = [corpus.foreign(rng) for _ in range(2000)]
    text = "".join(lines)
    assert all(c in DEFAULT_CHARS for c in text)
    for letters in (
        "åÅ",
        "æÆ",
        "øØ",
        "äÄ",
        "öÖ",
        "üÜ",
        "éÉ",
        "ñÑ",
        "çÇ",
        "ãÃ",
        "ß",
        "łŁ",
        "ąĄ",
        "řŘ",
        "ůŮ",
        "őŐ",
        "ðÐ",
        "þÞ",
    ):
        assert any(c in text for c in letters), letters


def test_typeset_lines_carry_typographic_marks() -> None:
    """Typeset prose: curly apostrophes and quotes, en dashes in ranges, line-end hyphens, markup."""
    from textlens.synth.corpus import typeset

    rng = np.random.default_rng(0)
    lines = [typeset(rng) for _ in range(400)]
    text = "".join(lines)
    assert all(mark in text for mark in "’“”–\\{×")
    assert sum(line.endswith("-") for line in lines) > 20
    assert sum(line.startswith("• ") for line in lines) > 5  # list items
    assert sum("TeX" in line for line in lines) > 20  # LaTeX, BibTeX... (drawn as logos by the renderer)
    assert set(text) <= set(DEFAULT_CHARS)
