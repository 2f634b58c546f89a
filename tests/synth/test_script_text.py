import unicodedata

import numpy as np

from textlens.recognition.charset import DEFAULT_CHARS, SCRIPT_CHARS
from textlens.synth.corpus import SOURCES, commentary, greek, long_s, sample_text
from textlens.synth.greek import ACUTE, CIRCUMFLEX, GRAVE, ROUGH, SMOOTH, greek_phrase, polytonic
from textlens.synth.lines import LineSynthConfig, LineSynthesizer

ACCENTS = {ACUTE, GRAVE, CIRCUMFLEX}


def marks(word: str) -> list[str]:
    return [c for c in unicodedata.normalize("NFD", word) if unicodedata.combining(c)]


def test_a_respelt_word_has_one_accent_a_breathing_on_its_first_vowel_and_a_final_sigma():
    rng = np.random.default_rng(0)
    for word in ("άνθρωπος", "ουρανός", "είναι", "λόγος", "ρήτορας") * 20:
        out = polytonic(word, rng)
        assert unicodedata.normalize("NFC", out) == out
        assert sum(m in ACCENTS for m in marks(out)) == 1
        if word[0] in "αεηιουωάέήίόύώ":
            assert sum(m in (SMOOTH, ROUGH) for m in marks(out)) == 1
        if word.startswith("ρ"):
            assert out.startswith("ῥ")
        assert not out.endswith("σ")


def test_a_final_acute_before_another_word_becomes_grave():
    rng = np.random.default_rng(1)
    graves = [polytonic("καλός", rng, final_grave=True) for _ in range(30)]
    last_syllable = [unicodedata.normalize("NFD", w).rsplit("ο", 1)[1] for w in graves]  # "ο" + marks + "ς"
    assert all(ACUTE not in tail for tail in last_syllable)
    assert any(GRAVE in tail for tail in last_syllable)


def test_greek_and_commentary_lines_fit_the_greek_charset_and_are_off_for_latin_models():
    rng = np.random.default_rng(2)
    allowed = set(SCRIPT_CHARS["greek"])
    lines = [greek(rng) for _ in range(50)] + [commentary(rng) for _ in range(50)] + [greek_phrase(rng, 4)]
    assert all(set(line) <= allowed for line in lines)
    assert any("GREEK" in unicodedata.name(c, "") for line in lines for c in line)
    assert SOURCES["greek"][0] == 0 and SOURCES["commentary"][0] == 0
    assert all(set(sample_text(rng)) <= set(DEFAULT_CHARS) for _ in range(100))


def test_long_s_is_used_inside_words_only():
    assert long_s("ausserdem") == "auſſerdem"
    assert long_s("Haus") == "Haus"
    assert long_s("Glas-") == "Glas-"


def test_greek_lines_are_drawn_in_fonts_that_have_greek_letters():
    config = LineSynthConfig(charset=SCRIPT_CHARS["greek"], source_weights={"greek": 50.0})
    synth = LineSynthesizer(config)
    rng = np.random.default_rng(3)
    texts = [synth.sample(rng)[1] for _ in range(12)]
    # A Latin-only font would have dropped the Greek letters from the line (and its label).
    greek_lines = [t for t in texts if any("GREEK" in unicodedata.name(c, "") for c in t)]
    assert len(greek_lines) >= 8


def test_cyrillic_lines_fit_their_charset_and_are_drawn_in_fonts_with_cyrillic_letters():
    from textlens.synth.corpus import cyrillic

    rng = np.random.default_rng(4)
    lines = [cyrillic(rng) for _ in range(40)]
    assert all(set(line) <= set(SCRIPT_CHARS["cyrillic"]) for line in lines)
    config = LineSynthConfig(charset=SCRIPT_CHARS["cyrillic"], source_weights={"cyrillic": 50.0})
    texts = [LineSynthesizer(config).sample(rng)[1] for _ in range(10)]
    assert sum(any("CYRILLIC" in unicodedata.name(c, "") for c in t) for t in texts) >= 7


def test_train_and_test_font_splits_share_no_family():
    from textlens.synth.lines import held_out_family

    train = LineSynthesizer(LineSynthConfig(font_split="train"))._font_families()[0]
    test = LineSynthesizer(LineSynthConfig(font_split="test"))._font_families()[0]
    families = {font_info_family(f[0]) for f in train}
    assert families.isdisjoint({font_info_family(f[0]) for f in test})
    assert all(held_out_family(font_info_family(f[0])) for f in test)
    assert len(train) > len(test) >= 1


def font_info_family(path: str) -> str:
    from textlens.synth.fonts import font_info

    return font_info(path).family or path
