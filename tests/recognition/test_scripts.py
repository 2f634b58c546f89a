import numpy as np
import pytest

from textlens.errors import TextlensError
from textlens.recognition.decoding import LineResult
from textlens.recognition.scripts import ScriptRouter, parse_languages, script_words


class ReadsAs:
    """A recognizer stage that reads every crop as one fixed text at one confidence, counting crops."""

    def __init__(self, text: str, confidence: float) -> None:
        self.text, self.confidence, self.seen = text, confidence, 0
        self.info = "primary-info"

    def predict(self, crops, **options):
        self.seen += len(crops)
        return [LineResult(self.text, self.confidence, [], []) for _ in crops]


def crops(n: int) -> list[np.ndarray]:
    return [np.full((20, 60), 255, np.uint8) for _ in range(n)]


def test_languages_parse_and_bad_codes_are_refused():
    assert parse_languages("auto") == ("auto",)
    assert parse_languages(" el, DE ") == ("el", "de")
    for bad in ("", "auto,el", "e1", "greek"):
        with pytest.raises(TextlensError):
            parse_languages(bad)


def test_script_words_count_only_that_script():
    assert script_words("ἀλλʼ οὐ vgl. 45", "greek") == 2
    assert script_words("ng@οjcgroup.com ο", "greek") == 0  # a lone omicron in Latin text is no Greek word


def test_only_unsure_lines_are_offered_to_the_script_recognizer_and_kept_when_it_reads_its_script_better():
    latin = ReadsAs("ou", 0.5)
    greek = ReadsAs("οὐ", 0.8)
    router = ScriptRouter(latin, {"greek": lambda: greek}, switch_below=0.9)
    assert [r.text for r in router.predict(crops(3))] == ["οὐ"] * 3
    assert greek.seen == 6 and router.info == "primary-info"  # a quick look at 3, then the 3 it won read fully

    sure = ScriptRouter(ReadsAs("Haus", 0.95), {"greek": lambda: greek}, switch_below=0.9)
    assert [r.text for r in sure.predict(crops(2))] == ["Haus", "Haus"]
    assert greek.seen == 6  # confident Latin lines are never re-read


def test_a_script_reading_without_its_letters_or_with_less_confidence_is_not_taken():
    router = ScriptRouter(ReadsAs("Haus", 0.6), {"greek": lambda: ReadsAs("Haus", 0.99)})
    assert router.predict(crops(1))[0].confidence == 0.6
    router = ScriptRouter(ReadsAs("Haus", 0.6), {"greek": lambda: ReadsAs("Ηαυς", 0.5)})
    assert router.predict(crops(1))[0].text == "Haus"
    router = ScriptRouter(ReadsAs("Haus", 0.6), {"greek": lambda: ReadsAs("Hαus", 0.9)})  # no Greek word
    assert router.predict(crops(1))[0].text == "Haus"


def test_the_script_recognizer_loads_only_when_a_line_needs_it():
    loads = []
    router = ScriptRouter(ReadsAs("Haus", 0.99), {"greek": lambda: loads.append(1) or ReadsAs("x", 1.0)})
    router.predict(crops(4))
    assert loads == []


def test_the_surest_script_model_wins_and_arabic_needs_a_confident_reading():
    greek, arabic = ReadsAs("λόγος", 0.7), ReadsAs("الطريق", 0.95)
    router = ScriptRouter(ReadsAs("Aoyos", 0.3), {"greek": lambda: greek, "arabic": lambda: arabic})
    assert router.predict(crops(1))[0].text == "الطريق"
    unsure_arabic = ScriptRouter(ReadsAs("TOTAL", 0.4), {"arabic": lambda: ReadsAs("باه كميامم", 0.7)})
    assert unsure_arabic.predict(crops(1))[0].text == "TOTAL"  # below MIN_CONFIDENCE["arabic"]


def test_a_page_whose_least_sure_lines_stay_latin_is_not_looked_at_further():
    from textlens.recognition.scripts import PROBE_LINES

    greek = ReadsAs("Haus", 0.99)  # never a Greek word: it wins nothing
    router = ScriptRouter(ReadsAs("Haus", 0.5), {"greek": lambda: greek})
    router.predict(crops(PROBE_LINES + 5))
    assert greek.seen == PROBE_LINES


@pytest.mark.parametrize("latin", [" 1 ", "41.50", "0:00:28 x"])
def test_a_line_read_with_fewer_than_two_letters_is_not_offered_to_the_script_models(latin):
    greek = ReadsAs("οὐ", 0.99)
    router = ScriptRouter(ReadsAs(latin, 0.2), {"greek": lambda: greek})
    assert [r.text for r in router.predict(crops(3))] == [latin] * 3
    assert greek.seen == 0  # a speck or a price holds no two-letter word of another script


def test_the_arabic_model_looks_only_at_lines_the_latin_model_read_poorly():
    from textlens.recognition.scripts import PROBE_BELOW

    arabic = ReadsAs("الطريق", 0.95)
    fair = ScriptRouter(ReadsAs("TOTAL", PROBE_BELOW["arabic"] + 0.1), {"arabic": lambda: arabic})
    assert fair.predict(crops(2))[0].text == "TOTAL" and arabic.seen == 0  # Arabic reads far worse as Latin
    poor = ScriptRouter(ReadsAs("TOTAL", PROBE_BELOW["arabic"] - 0.1), {"arabic": lambda: arabic})
    assert poor.predict(crops(2))[0].text == "الطريق"


class ReadsEach:
    """A recognizer stage whose reading of a crop is set by the crop's first pixel (its index)."""

    def __init__(self, readings: list[tuple[str, float]]) -> None:
        self.readings, self.seen = readings, 0

    def predict(self, crops, **options):
        self.seen += len(crops)
        return [LineResult(*self.readings[int(crop[0, 0])], [], []) for crop in crops]


def numbered(n: int) -> list[np.ndarray]:
    return [np.full((20, 60), i, np.uint8) for i in range(n)]


def test_once_a_script_wins_a_line_its_model_also_looks_at_the_lines_latin_read_surely():
    # "Москва" in Latin look-alike letters reads surely as Latin; the unsure line beside it shows the script.
    latin = ReadsEach([("MocKBa", 0.97), ("cTonnua Poccun", 0.4), ("Hello", 0.98)])
    cyrillic = ReadsEach([("Москва", 0.99), ("столица России", 0.95), ("Hello", 0.99)])
    router = ScriptRouter(latin, {"cyrillic": lambda: cyrillic})
    assert [r.text for r in router.predict(numbered(3))] == ["Москва", "столица России", "Hello"]

    alone = ReadsEach([("MocKBa", 0.97), ("Hello", 0.98)])
    cyrillic.seen = 0
    router = ScriptRouter(alone, {"cyrillic": lambda: cyrillic})
    assert [r.text for r in router.predict(numbered(2))] == ["MocKBa", "Hello"]
    assert cyrillic.seen == 0  # a page of sure lines is never shown to the script models
