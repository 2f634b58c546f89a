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


def _collapse(path: tuple[int, ...]) -> tuple[int, ...]:
    out, prev = [], 0
    for c in path:
        if c != 0 and c != prev:
            out.append(c)
        prev = c
    return tuple(out)


def test_best_path_of_a_length_matches_exhaustive_search():
    import itertools

    from textlens.recognition.decoding import best_path_of_length

    rng = np.random.default_rng(0)
    for _ in range(60):
        steps, classes = int(rng.integers(1, 6)), int(rng.integers(2, 5))
        lp = np.log(rng.dirichlet(np.full(classes, 0.5), size=steps))
        lengths = sorted(set(rng.integers(1, 5, size=2).tolist()))
        best, best_score = (), -np.inf
        for path in itertools.product(range(classes), repeat=steps):
            score = sum(lp[t, c] for t, c in enumerate(path))
            if len(_collapse(path)) in lengths and score > best_score:
                best, best_score = _collapse(path), score
        got = best_path_of_length(lp, lengths)
        if best_score == -np.inf:  # no path is that long
            assert got == ()
            continue
        got_score = max(
            (
                sum(lp[t, c] for t, c in enumerate(p))
                for p in itertools.product(range(classes), repeat=steps)
                if _collapse(p) == got
            ),
            default=-np.inf,
        )
        assert np.isclose(got_score, best_score), (lp, lengths, got, best)


def test_a_dropped_character_is_read_again_at_the_allowed_length():
    from textlens.recognition.decoding import hold_to_lengths

    # a, then a frame where blank narrowly beats b, then a: greedy reads "aa", three characters are allowed
    lp = frames([0.05, 0.9, 0.03, 0.02], [0.5, 0.05, 0.43, 0.02], [0.05, 0.9, 0.03, 0.02])
    hits = greedy_decode(lp, CHARSET)
    assert "".join(h.char for h in hits) == "aa"
    held = hold_to_lengths(hits, lp, CHARSET, (3,))
    assert "".join(h.char for h in held) == "aba"
    assert [h.first_frame for h in held] == [0, 1, 2]
    assert hold_to_lengths(hits, lp, CHARSET, (2, 3)) is hits  # an allowed length stays as read
    assert hold_to_lengths(hits, lp, CHARSET, ()) is hits  # no prior: any length
    assert hold_to_lengths(hits, lp, CHARSET, (7,)) is hits  # no path that long: left as read


def test_a_straight_and_a_curly_apostrophe_side_by_side_are_one_mark():
    from textlens.recognition.decoding import CharHit

    hits = [CharHit(c, p, f, f) for c, p, f in [("s", 0.99, 0), ("’", 0.6, 2), ("'", 0.4, 3), ("s", 0.99, 5)]]
    line = build_line(hits, columns_per_frame=4.0)
    assert line.text == "s’s" and line.chars[1].last_frame == 3
    apart = [CharHit(c, 0.9, f, f) for c, f in [("'", 0), ("a", 2), ("’", 4), ("'", 9)]]
    assert build_line(apart, columns_per_frame=4.0).text == "'a’'"  # frames apart: two marks
    assert build_line([CharHit("'", 0.9, 0, 0), CharHit("'", 0.9, 2, 2)], 4.0).text == "''"  # TeX's closing quote
