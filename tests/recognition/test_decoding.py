import numpy as np

from textlens.recognition.charset import Charset
from textlens.recognition.decoding import align_prefix, beam_decode, build_line, greedy_decode

CHARSET = Charset("ab ")


def frames(*rows: list[float]) -> np.ndarray:
    probs = np.array(rows, dtype=np.float64)
    probs = probs / probs.sum(1, keepdims=True)
    return np.log(probs)


def onehot(indices: list[int], confidence: float = 0.9) -> np.ndarray:
    rows = []
    for i in indices:
        row = [(1 - confidence) / 3] * 4
        row[i] = confidence
        rows.append(row)
    return frames(*rows)


def test_greedy_merges_repeats_and_keeps_doubles_split_by_blank():
    lp = onehot([1, 1, 0, 1, 2, 2, 3, 0, 2])  # a a _ a b b ' ' _ b
    hits = greedy_decode(lp, CHARSET)
    assert "".join(h.char for h in hits) == "aab b"
    assert (hits[0].first_frame, hits[0].last_frame) == (0, 1)
    assert (hits[1].first_frame, hits[1].last_frame) == (3, 3)


def test_line_words_confidences_and_spans():
    lp = onehot([1, 1, 0, 2, 3, 3, 0, 2, 1], confidence=0.8)
    line = build_line(greedy_decode(lp, CHARSET), columns_per_frame=4.0)
    assert line.text == "ab ba"
    assert [w.text for w in line.words] == ["ab", "ba"]
    assert line.words[0].x0 == 0.0 and line.words[0].x1 == 16.0
    assert line.words[1].x0 == 28.0 and line.words[1].x1 == 36.0
    assert abs(line.confidence - 0.8) < 1e-6
    assert all(abs(w.confidence - 0.8) < 1e-6 for w in line.words)
    # a crop fitted to its text band reports spans in the original image's columns
    shifted = build_line(greedy_decode(lp, CHARSET), columns_per_frame=4.0, x_offset=10)
    assert [(w.x0, w.x1) for w in shifted.words] == [(10.0, 26.0), (38.0, 46.0)]


def test_beam_search_finds_the_more_probable_label_than_best_path():
    # Best path is blank-blank (""), but "a" summed over its alignments is more likely.
    lp = frames([0.4, 0.35, 0.25, 0.0001], [0.4, 0.35, 0.25, 0.0001])
    assert greedy_decode(lp, CHARSET) == []
    hits = beam_decode(lp, CHARSET, beam_width=4, top_k=3)
    assert "".join(h.char for h in hits) == "a"


def test_beam_agrees_with_greedy_on_confident_frames():
    lp = onehot([1, 0, 1, 2, 0, 3, 2, 2, 0, 1], confidence=0.97)
    greedy = "".join(h.char for h in greedy_decode(lp, CHARSET))
    beam = "".join(h.char for h in beam_decode(lp, CHARSET))
    assert greedy == beam == "aab ba"


def test_forced_alignment_places_characters_on_their_frames():
    lp = onehot([0, 1, 1, 0, 0, 2, 0])
    hits = align_prefix(lp, (1, 2), CHARSET)
    assert [(h.char, h.first_frame, h.last_frame) for h in hits] == [("a", 1, 2), ("b", 5, 5)]


def test_empty_output_has_zero_confidence():
    line = build_line([], 4.0)
    assert line.text == "" and line.confidence == 0.0 and line.words == []
