from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from textlens.recognition.charset import Charset
from textlens.recognition.decoding import CharHit
from textlens.recognition.punctuation import commas_before_lower_case

CHARSET = Charset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,; ")


def _read(text: str, comma_prob: float = 0.02) -> tuple[list[CharHit], np.ndarray]:
    """Hits of ``text``, one frame each, and frames that give every full stop's frame a comma
    probability of ``comma_prob`` (the rest to the full stop)."""
    log_probs = np.full((len(text), CHARSET.num_classes), np.log(1e-6))
    hits = []
    for k, char in enumerate(text):
        log_probs[k, CHARSET.encode(char)[0]] = np.log(0.95)
        if char == ".":
            log_probs[k, CHARSET.encode(",")[0]] = np.log(comma_prob)
        hits.append(CharHit(char, 0.95, k, k))
    return hits, log_probs


def _text(hits: list[CharHit]) -> str:
    return "".join(hit.char for hit in hits)


def test_a_full_stop_before_a_lower_case_word_is_a_comma():
    hits, frames = _read("sit amet. placerat est. Donec")
    assert _text(commas_before_lower_case(hits, frames, CHARSET)) == "sit amet, placerat est. Donec"


def test_abbreviations_initials_numbers_and_capitalised_words_keep_their_full_stop():
    abbreviated = ("see e. g. this", "and so on etc. and", "in Fig. above", "item 2. la suite", "z.B. nach", "Rev. ed")
    for text in abbreviated:
        hits, frames = _read(text)
        assert commas_before_lower_case(hits, frames, CHARSET) is hits, text


def test_frames_that_rule_the_comma_out_keep_the_full_stop():
    hits, frames = _read("sit amet. placerat", comma_prob=1e-5)
    assert commas_before_lower_case(hits, frames, CHARSET) is hits


def test_a_charset_without_commas_is_left_alone():
    digits = Charset("0123456789. ")
    hits = [CharHit(c, 0.9, k, k) for k, c in enumerate("12. 3")]
    assert commas_before_lower_case(hits, np.zeros((5, digits.num_classes)), digits) is hits


@given(st.text(alphabet="abcAB. ,", max_size=30), st.floats(min_value=0.0, max_value=0.5))
@settings(max_examples=200, deadline=None)
def test_only_full_stops_turn_and_only_into_commas(text, comma_prob):
    hits, frames = _read(text, comma_prob=max(comma_prob, 1e-9))
    mended = _text(commas_before_lower_case(hits, frames, CHARSET))
    assert len(mended) == len(text)
    for before, after in zip(text, mended):
        assert before == after or (before, after) == (".", ",")
