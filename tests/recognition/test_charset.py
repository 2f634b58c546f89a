import pytest

from textlens.errors import TextlensError
from textlens.recognition.charset import Charset, normalize_text


def test_default_charset_covers_ascii_latin1_and_currency():
    charset = Charset.default()
    for ch in "Az09 !~éÉßçñ€£":
        assert not charset.missing(ch)


def test_encode_decode_round_trip_and_blank_is_zero():
    charset = Charset("abc ")
    assert charset.encode("ab c") == [1, 2, 4, 3]
    assert charset.decode([0, 1, 0, 2, 4, 3]) == "ab c"
    assert charset.num_classes == 5


def test_unknown_character_is_a_clear_error():
    with pytest.raises(TextlensError, match="'z' is not in the model's charset"):
        Charset("abc").encode("az")


def test_duplicates_rejected_and_extension_appends():
    with pytest.raises(TextlensError):
        Charset("aa")
    assert Charset("ab").extended(["abz", "y"]).chars == "abyz"
    assert Charset.from_texts(["ba", "c a"]).chars == " abc"


def test_normalize_text_collapses_whitespace_and_composes():
    assert normalize_text("  e\u0301te\u00a0 \t ok ") == "\u00e9te ok"


def test_case_pairs_join_the_two_cases_of_each_letter():
    charset = Charset("aAbßÉé1")
    pairs = {(charset.chars[u - 1], charset.chars[low - 1]) for u, low in charset.case_pairs()}
    assert pairs == {("A", "a"), ("É", "é")}  # "b" has no capital here, "ß" no one-letter capital
    assert len(Charset.default().case_pairs()) == 26 + 30 + 24  # ASCII, Latin-1 + Œ Ÿ, Central European + Icelandic
