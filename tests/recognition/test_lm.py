import numpy as np
import pytest

from textlens.errors import TextlensError
from textlens.recognition.charset import Charset
from textlens.recognition.decoding import LmFusion, beam_decode, build_line, greedy_decode
from textlens.recognition.lm import STAND_IN_LOG_PROB, CharNgramLM

RECEIPT_LINES = ["TOTAL 12.00", "SUBTOTAL 10.00", "TOTAL RM 5.50", "CASH 20.00", "CHANGE 8.00", "TOTAL QTY 3"] * 5


@pytest.fixture(scope="module")
def lm() -> CharNgramLM:
    return CharNgramLM.build(RECEIPT_LINES, order=4)


@pytest.mark.parametrize("history", ["", "T", "TOT", "TOTAL ", "zzz", "unseen history with many chars"])
def test_next_symbol_distribution_sums_to_one(lm, history):
    probs = np.exp(lm.log_probs(history))
    assert probs.shape == (len(lm.vocab) + 1,)
    assert probs.sum() == pytest.approx(1.0) and (probs > 0).all()


def test_prefers_the_spelling_it_learnt(lm):
    assert lm.score("TOTAL 9.00") > lm.score("T0TAL 9.00") + 3
    assert lm.score("CASH") > lm.score("CA5H")
    after_tot = lm.log_probs("TOT")
    assert after_tot[lm.vocab.index("A") + 1] == after_tot.max()


def test_save_and_load_round_trip(lm, tmp_path):
    path = lm.save(tmp_path / "receipt.npz")
    again = CharNgramLM.load(path)
    assert again.order == lm.order and again.vocab == lm.vocab and again.meta["lines"] == len(RECEIPT_LINES)
    for history in ["", "TO", "SUBTOTAL 1", "xyz"]:
        np.testing.assert_allclose(again.log_probs(history), lm.log_probs(history))


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(TextlensError, match="no text"):
        CharNgramLM.build(["", ""])
    with pytest.raises(TextlensError, match="order"):
        CharNgramLM.build(["abc"], order=0)
    junk = tmp_path / "junk.npz"
    good = CharNgramLM.build(["some text"]).save(tmp_path / "good.npz").read_bytes()
    for content in (b"not a zip", b"", good[:200], good[: len(good) // 2]):  # garbage, empty, truncated
        junk.write_bytes(content)
        with pytest.raises(TextlensError, match="not a textlens language model"):
            CharNgramLM.load(junk)
    with pytest.raises(TextlensError, match="no such language model"):
        CharNgramLM.load(tmp_path / "missing.npz")


def test_fusion_scores_use_the_whole_short_history(lm):
    charset = Charset("".join(sorted(set("".join(RECEIPT_LINES)))) + "#")
    fusion = LmFusion(lm, charset, weight=0.5, bonus=1.0)
    for text in ["", "T", "TOT", "SUBTOT"]:  # shorter and longer than the LM's context
        scores = fusion.scores(tuple(charset.encode(text)))
        expected = lm.log_probs(text)
        a = charset.encode("A")[0]
        assert scores[a] == pytest.approx(0.5 * expected[lm.vocab.index("A") + 1] + 1.0)
        assert scores[0] == pytest.approx(0.5 * expected[0])  # ending the line: no bonus
    assert scores[charset.encode("#")[0]] < -5  # a character the LM never saw is unlikely


def test_letters_and_signs_the_lm_never_saw_are_scored_by_a_stand_in():
    lm = CharNgramLM.build(["TOTAL $12.00 paid", "Lola paid $5.50"] * 5, order=3)
    charset = Charset("".join(sorted(set("TOAL$12.05pidLl "))) + "Ł₹#")
    fusion = LmFusion(lm, charset, weight=1.0, bonus=0.0)
    scores = fusion.scores(tuple(charset.encode("TOTAL ")))
    code = {c: charset.encode(c)[0] for c in "L$Ł₹#"}
    assert scores[code["₹"]] == pytest.approx(scores[code["$"]])  # a new currency sign: as likely as "$"
    assert scores[code["Ł"]] == pytest.approx(scores[code["L"]] + STAND_IN_LOG_PROB)  # below its base letter
    assert scores[code["#"]] < scores[code["Ł"]]  # nothing stands in for it: the floor


def test_beam_with_lm_resolves_an_ambiguous_glyph(lm):
    charset = Charset("".join(sorted(set("".join(RECEIPT_LINES)))))
    text = "TOTAL 12.00"
    rows = []
    for char in text:
        row = np.full(charset.num_classes, 1e-4)
        if char == "O":
            row[charset.encode("0")[0]] = 0.5  # the model leans to a zero ...
            row[charset.encode("O")[0]] = 0.4  # ... where the LM knows better
        else:
            row[charset.encode(char)[0]] = 0.9
        rows += [row, np.eye(charset.num_classes)[0] * 0.9 + 1e-4]
    log_probs = np.log(np.array(rows) / np.array(rows).sum(1, keepdims=True))
    plain = "".join(h.char for h in greedy_decode(log_probs, charset))
    assert plain == "T0TAL 12.00"
    assert "".join(h.char for h in beam_decode(log_probs, charset)) == plain
    guided = build_line(beam_decode(log_probs, charset, lm=LmFusion(lm, charset)), 1.0)
    assert guided.text == "TOTAL 12.00"
    # confidences stay the recognizer's own: the LM's pick carries the image's lower probability
    greedy_word = build_line(greedy_decode(log_probs, charset), 1.0).words[0]
    assert guided.words[0].confidence < greedy_word.confidence


def test_short_contexts_count_variety_not_frequency():
    # "c" occurs 40 times but only ever after "n" or "s"; "a" 24 times after five different letters.
    lm = CharNgramLM.build(["Francisco"] * 20 + ["xa ya za wa"], order=2)
    unseen = lm.log_probs("q")  # a context never seen: the continuation distribution decides
    assert unseen[lm.vocab.index("a") + 1] > unseen[lm.vocab.index("c") + 1]
    after_n = lm.log_probs("Fran")
    assert after_n[lm.vocab.index("c") + 1] == after_n.max()  # seen contexts still follow their counts


def test_a_folded_model_judges_spelling_and_leaves_accents_to_the_recognizer(tmp_path):
    from textlens.recognition.lm import fold_accent

    assert [fold_accent(c) for c in "éÜçåłßœ"] == ["e", "U", "c", "a", "ł", "ß", "œ"]  # ł, ß, œ have no accent
    english = ["for the future", "run for fun", "fur and further", "the sun is out"] * 5
    plain, folded = CharNgramLM.build(english, order=4), CharNgramLM.build(english, order=4, fold=True)
    assert plain.score("für") < plain.score("fir") - 3  # an accent it never saw drags a line to ASCII
    assert folded.score("für") == pytest.approx(folded.score("fur")) and folded.score("für") > folded.score("fir")
    charset = Charset("firuü ")
    symbols = folded.symbol_map(charset.chars)
    assert symbols[charset.encode("ü")[0]] == symbols[charset.encode("u")[0]] > 0
    again = CharNgramLM.load(folded.save(tmp_path / "folded.npz"))
    assert again.folded and again.score("für") == pytest.approx(folded.score("für"))
    assert not CharNgramLM.load(plain.save(tmp_path / "plain.npz")).folded
