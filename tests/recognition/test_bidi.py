from textlens.recognition.bidi import logical_line, logical_order, model_order, reading_order, visual_order
from textlens.recognition.decoding import LineResult, WordSpan


def test_an_arabic_line_is_reversed_but_its_numbers_keep_their_order():
    logical = "قال في سنة 1450 (3)"
    visual = visual_order(logical)
    assert visual.startswith(")3( 1450")  # leftmost in the image: the footnote, then the year
    assert visual.endswith("لاق")  # the first word stands rightmost, its letters right to left
    assert logical_order(visual) == logical


def test_latin_lines_keep_their_order_and_arabic_ones_go_visual_for_the_model():
    assert model_order("Haus 12", "latin") == reading_order("Haus 12", "latin") == "Haus 12"
    assert model_order("في البيت", "arabic") == "تيبلا يف"
    assert reading_order("تيبلا يف", "arabic") == "في البيت"


def test_a_right_to_left_reading_lists_its_words_from_right_to_left():
    read = LineResult("تيبلا يف", 0.9, [], [WordSpan("تيبلا", 0.9, 0, 50), WordSpan("يف", 0.8, 60, 80)])
    line = logical_line(read)
    assert line.text == "في البيت"
    assert [w.text for w in line.words] == ["في", "البيت"]
    assert [w.x0 for w in line.words] == [60, 0]  # the boxes stay where the words are


def test_stripping_arabic_marks_keeps_a_hamza_stored_as_a_combining_mark():
    from textlens.recognition.charset import strip_arabic_marks

    assert strip_arabic_marks("\u0627\u0654\u062e\u064e\u0630") == "أخذ"  # alef + combining hamza, fatha dropped
