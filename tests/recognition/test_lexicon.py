"""Lexicon-constrained reading: the CTC forward score, candidate choice, and the recognizer with a lexicon."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from textlens.errors import TextlensError
from textlens.recognition.charset import Charset
from textlens.recognition.decoding import CharHit, greedy_decode
from textlens.recognition.lexicon import (
    ENDS_INDEX_SIZE,
    Lexicon,
    ctc_log_likelihood,
    ctc_log_likelihoods,
    load_lexicons,
)
from textlens.recognition.predictor import Recognizer, snap_words
from textlens.synth.fonts import discover_fonts


def _collapse(path: tuple[int, ...]) -> tuple[int, ...]:
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return tuple(c for c in merged if c != 0)


@settings(max_examples=30, deadline=None)
@given(
    frames=st.integers(1, 5),
    labels=st.lists(st.integers(1, 2), min_size=0, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_forward_score_equals_the_sum_over_every_alignment(frames, labels, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(frames, 3))
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    total = 0.0
    for path in itertools.product(range(3), repeat=frames):
        if _collapse(path) == tuple(labels):
            total += float(np.exp(sum(log_probs[t, c] for t, c in enumerate(path))))
    score = ctc_log_likelihood(log_probs, labels)
    if total == 0.0:
        assert score == -np.inf
    else:
        assert score == pytest.approx(np.log(total), abs=1e-9)
    # scored together with other labellings of other lengths, each gets its own score
    others = [[1], [2, 1, 2], [], [1, 1]]
    together = ctc_log_likelihoods(log_probs, [labels, *others])
    assert together[0] == score or (together[0] == pytest.approx(score, abs=1e-9))
    for k, other in enumerate(others, start=1):
        alone = ctc_log_likelihood(log_probs, other)
        assert together[k] == alone or together[k] == pytest.approx(alone, abs=1e-9)


def _frames_for(text: str, charset: Charset, confidence: float = 0.9) -> np.ndarray:
    """Log-probabilities of frames spelling ``text`` (a blank between characters)."""
    labels = charset.encode(text)
    frames = np.full((2 * len(labels) + 1, charset.num_classes), (1 - confidence) / (charset.num_classes - 1))
    for t in range(frames.shape[0]):
        target = labels[t // 2] if t % 2 else 0
        frames[t, target] = confidence
    return np.log(frames / frames.sum(axis=1, keepdims=True))


def test_the_lexicon_word_that_the_frames_spell_is_chosen_in_their_case():
    charset = Charset.default()
    lexicon = Lexicon(["harbour", "harbor", "arbour", "HARBOURS"])
    assert lexicon.choose(_frames_for("Harbour", charset), charset, "Harbonr").word == "Harbour"
    assert lexicon.choose(_frames_for("ARBOUR", charset), charset, "ARB0UR").word == "ARBOUR"


def test_a_large_lexicon_scores_only_the_words_nearest_the_reading():
    charset = Charset.default()
    words = [f"word{i:04d}" for i in range(5000)] + ["lighthouse"]
    lexicon = Lexicon(words)
    assert "lighthouse" in lexicon.candidates("lighthonse")
    assert len(lexicon.candidates("lighthonse")) < 100
    assert lexicon.choose(_frames_for("lighthouse", charset), charset, "lighthonse").word == "lighthouse"


def test_a_long_word_list_finds_near_words_by_their_first_or_last_letter():
    """Above ``ENDS_INDEX_SIZE`` words, near words are looked up among those sharing the reading's
    first or last letter and of about its length: the same as a full search wherever one end is
    read right."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcdeilnorstu"), size=int(rng.integers(3, 9)))) for _ in range(8000)]
    lexicon = Lexicon(words)
    assert len(lexicon) > ENDS_INDEX_SIZE
    for word in lexicon.words[:200:7]:
        reading = word[0] + "x" + word[2:]  # one letter misread, the first and last read right
        full = process.extract(reading, lexicon.words, scorer=Levenshtein.distance, limit=None, score_cutoff=2)
        nearest = min(d for _, d, _ in full)
        found = lexicon.candidates(reading, limit=1000, max_edits=2)
        assert word in found
        assert {w for w, d, _ in full if d == nearest} <= set(found)


def test_open_reading_keeps_sure_readings_and_acronyms_in_running_text():
    charset = Charset.default()
    words = Lexicon(["and", "of", "the", "offset"])
    frames = _frames_for("AHD", charset, confidence=0.6)
    h, n = charset.encode("H")[0], charset.encode("N")[0]
    frames[3, n] = frames[3, h] - 0.2  # H or N: the frames hardly tell
    assert words.snap(frames, charset, "AHD").word == "AND"
    assert words.snap(_frames_for("AHD", charset, confidence=0.999), charset, "AHD") is None  # sure: no search

    def line(text: str) -> tuple[list[CharHit], np.ndarray]:
        log_probs = _frames_for(text, charset)
        at = 2 * (text.index("AHD") + 1) + 1  # the frame of the H
        log_probs[at, n] = log_probs[at, h] - 0.2
        return greedy_decode(log_probs, charset), log_probs

    for text, expected in (("the offset of the AHD", "the offset of the AHD"), ("OF THE AHD", "OF THE AND")):
        hits, log_probs = line(text)
        snapped = snap_words(hits, log_probs, charset, words, None, 2.0)
        assert "".join(hit.char for hit in snapped) == expected


def test_words_the_model_cannot_write_are_never_chosen():
    charset = Charset("abc")
    lexicon = Lexicon(["日本", "cab"])
    assert lexicon.choose(_frames_for("cab", charset), charset, "cab").word == "cab"
    assert Lexicon(["日本"]).choose(_frames_for("cab", charset), charset, "cab") is None


def test_open_reading_snaps_to_a_near_word_only_when_the_frames_allow_it():
    charset = Charset.default()
    words = Lexicon(["salon", "sale", "topman"])
    assert "SALON" in words and "salons" not in words
    # frames unsure between A and O in the second vowel: the word of the list is about as probable
    frames = _frames_for("SALAN", charset, confidence=0.5)
    a, o = charset.encode("A")[0], charset.encode("O")[0]
    frames[7, o] = frames[7, a] - 0.3
    assert words.snap(frames, charset, "SALAN").word == "SALON"
    # frames sure of what they spell keep it: a brand name is not a misreading
    assert words.snap(_frames_for("TOPMEN", charset, confidence=0.99), charset, "TOPMEN", margin=2.0) is None
    assert words.snap(_frames_for("sale", charset), charset, "sale") is None  # a word already
    assert words.snap(_frames_for("xyzzy", charset), charset, "xyzzy") is None  # no word within 2 edits


def test_lexicon_files_are_read_and_bad_ones_are_one_clear_error(tmp_path):
    good = tmp_path / "words.txt"
    good.write_text("apple\nbanana cherry\n\napple\n", encoding="utf-8")
    assert Lexicon.load(good).words == ["apple", "banana", "cherry"]
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    for path, message in [
        (tmp_path / "missing.txt", "no such lexicon file"),
        (empty, "holds no words"),
        (binary, "not UTF-8 text|not a text file"),
        (tmp_path, "is a folder"),
    ]:
        with pytest.raises(TextlensError, match=message):
            Lexicon.load(path)


def test_per_image_lexicons_from_json_lines(tmp_path):
    path = tmp_path / "lexicons.jsonl"
    path.write_text(json.dumps({"image": "crops/a.png", "lexicon": ["one", "two"]}) + "\n\n")
    table = load_lexicons(path)
    assert table["crops/a.png"].words == ["one", "two"] and table["a.png"] is table["crops/a.png"]
    path.write_text('{"image": "a.png", "lexicon": []}\n')
    with pytest.raises(TextlensError, match=":1:"):
        load_lexicons(path)
    path.write_text("not json\n")
    with pytest.raises(TextlensError, match=":1: expected"):
        load_lexicons(path)


def _render(text: str, size: int = 30) -> np.ndarray:
    font = ImageFont.truetype(_dejavu(), size)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 16, bottom - top + 12), 255)
    ImageDraw.Draw(image).text((8 - left, 6 - top), text, font=font, fill=0)
    return np.asarray(image)


def test_the_recognizer_reads_every_word_with_a_letter_as_a_lexicon_word():
    recognizer = Recognizer.load(threads=1)
    crop = _render("Paid 12.50 at Harbour Street")
    lexicon = Lexicon(["Paid", "at", "Harbour", "Street", "Harbor", "Streets", "Part"])
    free = recognizer.predict([crop])[0]
    assert free.text.casefold() == "paid 12.50 at harbour street"
    constrained = recognizer.predict([crop], lexicons=lexicon)[0]
    assert constrained.text == "Paid 12.50 at Harbour Street"  # the amount has no letter: read freely
    assert [w.text for w in constrained.words] == ["Paid", "12.50", "at", "Harbour", "Street"]
    assert all(0.0 < w.confidence <= 1.0 for w in constrained.words)
    # every letter-bearing word becomes a lexicon word, even when the lexicon lacks the printed one
    forced = recognizer.predict([crop], lexicons=[Lexicon(["Harbor", "Streets", "a", "Pad"])])[0]
    assert [w for w in forced.text.split() if w != "12.50"] == ["Pad", "a", "Harbor", "Streets"]


def test_one_lexicon_per_crop_must_match_the_crops():
    recognizer = Recognizer.load(threads=1)
    with pytest.raises(TextlensError, match="2 lexicons for 1 crops"):
        recognizer.predict([_render("word")], lexicons=[None, None])


def test_a_word_image_reads_as_one_lexicon_word_whatever_it_holds():
    recognizer = Recognizer.load(threads=1)
    crops = [_render("Lantern"), _render("2024")]
    lexicon = Lexicon(["Lanterns", "Lantern", "Latte", "2021", "2024", "Lanes"])
    results = recognizer.predict(crops, lexicons=lexicon, whole_words=True)
    assert [r.text for r in results] == ["Lantern", "2024"]  # a number too, unlike in lines
    assert all(r.text in lexicon.words for r in results)


def test_the_scene_recognizer_snaps_its_readings_to_its_registered_word_list(tmp_path):
    scene = Recognizer.load("scene-crnn", threads=1)
    assert scene.words is not None and "harbour" in scene.words and scene.words_info.name == "english-words"
    document = Recognizer.load(threads=1)  # documents snap to the words of the Latin-script languages
    assert document.words is not None and {"harbour", "über", "façade"} <= set(document.words.words)
    assert document.words_info.name == "latin-words"
    cyrillic = Recognizer.load("cyrillic-crnn", threads=1)
    assert cyrillic.words_info.name == "cyrillic-words" and {"привет", "україна", "the"} <= set(cyrillic.words.words)
    assert Recognizer.load("scene-crnn", threads=1, words="none").words is None
    assert Recognizer.load(threads=1, words="none").words is None
    own = tmp_path / "words.txt"
    own.write_text("Lantern\n", encoding="utf-8")
    assert Recognizer.load(threads=1, words=own).words.words == ["Lantern"]  # a path works as a name does
    with pytest.raises(TextlensError, match="no such model file"):
        Recognizer.load(threads=1, words=tmp_path / "missing.txt")
    assert scene.predict([_render("Harbour Street")])[0].text.casefold() == "harbour street"


def test_the_language_model_score_of_a_whole_line_adds_up_its_characters():
    recognizer = Recognizer.load(threads=1)
    fusion, labels = recognizer.lm, recognizer.charset.encode("TOTAL")
    expected = sum(float(fusion.scores(tuple(labels[:k]))[c]) for k, c in enumerate(labels))
    assert fusion.total(labels) == pytest.approx(expected + float(fusion.scores(tuple(labels))[0]))
    assert fusion.total(recognizer.charset.encode("TOTAL")) > fusion.total(recognizer.charset.encode("T0TAL"))


def _dejavu() -> str:
    """DejaVu Sans: the same font wherever the repository is cloned (the order of
    ``discover_fonts`` depends on where the virtualenv's own fonts lie)."""

    return next(f for f in discover_fonts() if f.endswith("/DejaVuSans.ttf"))
