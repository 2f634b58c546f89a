"""The read pipeline assembled from test doubles (bar pages, see tests/layout/read_doubles.py),
plus one end-to-end read with the shipped models when they are installed."""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from textlens.document import ModelInfo, polygon_bbox
from textlens.errors import TextlensError
from textlens.layout.orientation import OrientationFinder, rotate_image, rotate_points
from textlens.pipeline import Pipeline, PipelineConfig, read

sys.path.insert(0, str(Path(__file__).parent / "layout"))
from read_doubles import BarDetector, BarRecognizer, draw_page, sample_lines  # noqa: E402

EXPECTED_TEXT = "w1 w2 w3\nw4 w5\nw6 w7 w8\n\nw9\nw0"


def _pipeline(**options) -> tuple[Pipeline, BarDetector, BarRecognizer]:
    detector, recognizer = BarDetector(), BarRecognizer()
    config = PipelineConfig(**options)
    # the sample page has 5 lines: enough to take as upright without a second look
    finder = OrientationFinder(samples=config.orientation_samples, min_lines=3)
    return Pipeline(detector, recognizer, config, orientation=finder), detector, recognizer


def _iou(a, b) -> float:
    ax0, ay0, ax1, ay1 = polygon_bbox(a)
    bx0, by0, bx1, by1 = polygon_bbox(b)
    inter = max(0, min(ax1, bx1) - max(ax0, bx0)) * max(0, min(ay1, by1) - max(ay0, by0))
    return inter / ((ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter)


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_turned_pages_read_the_same_with_polygons_on_the_original(turns):
    upright, drawn = draw_page(sample_lines())
    image = rotate_image(upright, turns)
    pipeline, _, _ = _pipeline(orientation_samples=3)
    page = pipeline.read(image).pages[0]

    assert page.text == EXPECTED_TEXT
    assert page.orientation == 90 * turns
    assert (page.width, page.height) == (image.shape[1], image.shape[0])
    h, w = upright.shape[:2]
    for word, truth in zip(page.words, drawn):
        x0, y0, x1, y1 = truth.box
        expected = rotate_points([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], turns, w, h).tolist()
        assert word.text == truth.text
        assert _iou(word.polygon, expected) > 0.5
        # clockwise from the text's own top-left, wherever that ended up on the image
        assert math.dist(word.polygon[0], expected[0]) < 12
        assert math.dist(word.polygon[2], expected[2]) < 12
    first_line = page.lines[0].polygon
    assert math.dist(first_line[0], rotate_points([(40, 30)], turns, w, h)[0]) < 12


def test_all_lines_of_a_page_are_recognized_in_one_call():
    image, _ = draw_page(sample_lines())
    pipeline, detector, recognizer = _pipeline(orientation=False)
    pipeline.read(image)
    assert (detector.calls, recognizer.calls) == (1, [5])

    pipeline, detector, recognizer = _pipeline(orientation_samples=2)
    pipeline.read(image)
    # the orientation check reads 2 lines as they are, then turned over (the stand-in is not sure
    # enough to skip that); their upright readings are reused
    assert (detector.calls, recognizer.calls) == (1, [2, 2, 3])


def test_skewed_page_is_levelled_for_ordering():
    upright, _ = draw_page(sample_lines())
    rotation = cv2.getRotationMatrix2D((320, 200), -4, 1.0)  # 4 degrees clockwise on screen
    image = cv2.warpAffine(upright, rotation, (640, 400), borderValue=(255, 255, 255))
    page = _pipeline()[0].read(image).pages[0]
    assert page.text == EXPECTED_TEXT
    assert page.skew == pytest.approx(4, abs=1.0)
    assert page.orientation == 0


def test_document_has_pages_provenance_and_blocks():
    image, _ = draw_page(sample_lines())
    pipeline, _, _ = _pipeline()
    images: list = []
    document = pipeline.read([image, rotate_image(image, 2)], page_images=images)
    assert [p.index for p in document.pages] == [0, 1]
    assert [p.orientation for p in document.pages] == [0, 180]
    assert len(images) == 2 and images[1].shape == image.shape
    assert document.source == "<array>"
    assert [m.name for m in document.provenance.models] == ["bar-detector", "bar-recognizer"]
    assert {"load", "detection", "orientation", "recognition", "layout"} <= set(document.provenance.timings)
    blocks = document.pages[0].blocks
    assert [b.text for b in blocks] == ["w1 w2 w3\nw4 w5\nw6 w7 w8", "w9\nw0"]
    assert polygon_bbox(blocks[1].polygon)[2] >= polygon_bbox(blocks[1].lines[1].polygon)[2]
    assert document.to_dict()["pages"][0]["orientation"] == 0


def test_read_pages_streams(tmp_path):
    image, _ = draw_page(sample_lines())
    pipeline, detector, _ = _pipeline()
    pages = pipeline.read_pages([image, image, image])
    first = next(pages)
    assert first.text == EXPECTED_TEXT and detector.calls == 1  # later pages not read yet
    assert len(list(pages)) == 2


@pytest.mark.parametrize("jobs", [1, 3])
def test_read_many_keeps_input_order_and_reports_each_bad_input(tmp_path, jobs):
    from PIL import Image

    image, _ = draw_page(sample_lines())
    turned = rotate_image(image, 2)
    good = tmp_path / "good.png"
    Image.fromarray(image).save(good)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    pipeline, _, _ = _pipeline(jobs=jobs)
    sources = [good, [image, turned, image], broken, tmp_path / "missing.png", turned]
    results = list(pipeline.read_many(sources, keep_images=True))
    assert [r.number for r in results] == [0, 1, 2, 3, 4] and [r.source for r in results] == sources
    assert results[0].document.text == EXPECTED_TEXT and results[0].document.source == str(good)
    assert [p.orientation for p in results[1].document.pages] == [0, 180, 0]
    assert [p.index for p in results[1].document.pages] == [0, 1, 2] and len(results[1].page_images) == 3
    assert "not an image" in str(results[2].error) and results[2].document is None
    assert "no such file" in str(results[3].error)
    assert results[4].document.pages[0].orientation == 180 and results[4].error is None
    assert set(results[0].document.provenance.timings) >= {"load", "detection", "recognition", "layout"}


def test_a_page_that_fails_fails_its_input_only():
    image, _ = draw_page(sample_lines())
    pipeline, _, _ = _pipeline(jobs=2, orientation=False)
    original = pipeline.read_image

    def read_image(page, **kwargs):
        if page.mean() < 100:
            raise ValueError("cannot read a black page")
        return original(page, **kwargs)

    pipeline.read_image = read_image
    black = np.zeros_like(image)
    results = list(pipeline.read_many([[image, black, image], [image]]))
    assert isinstance(results[0].error, ValueError) and results[0].document is None
    assert results[1].document.text == EXPECTED_TEXT
    with pytest.raises(ValueError, match="black page"):
        pipeline.read([image, black])
    with pytest.raises(ValueError, match="black page"):
        list(pipeline.read_pages([image, black]))


def test_jobs_share_the_thread_budget():
    assert PipelineConfig(threads=4, jobs=2).model_threads() == 2
    assert PipelineConfig(threads=2, jobs=4).model_threads() == 1
    assert PipelineConfig(threads=3).model_threads() == 3 and PipelineConfig().model_threads() is None
    with pytest.raises(TextlensError, match="jobs"):
        PipelineConfig(jobs=0)


def test_low_confidence_and_empty_pages():
    image, _ = draw_page(sample_lines())
    upside_down = rotate_image(image, 2)
    pipeline, _, _ = _pipeline(orientation=False, min_confidence=0.5)
    assert pipeline.read(upside_down).pages[0].blocks == []  # every line read at 0.3
    blank = np.full((200, 300, 3), 255, np.uint8)
    page = _pipeline()[0].read(blank).pages[0]
    assert (page.blocks, page.text, page.orientation) == ([], "", 0)


@pytest.mark.parametrize("turns", [0, 2])
@pytest.mark.parametrize(("needed", "expected"), [(0.9, EXPECTED_TEXT), (0.99, "w1 w2 w3\nw4 w5\nw6 w7 w8")])
def test_weak_regions_are_kept_only_when_read_confidently(needed, expected, turns):
    """The detector is unsure of the bottom row (two regions); bars read at 0.95 confidence.
    Upside down, the page is detected twice: the flags of the upright detection count."""
    image, _ = draw_page(sample_lines())
    detector, recognizer = BottomRowDetector(), BarRecognizer()
    config = PipelineConfig(weak_min_confidence=needed)
    finder = OrientationFinder(samples=config.orientation_samples, min_lines=3)
    page = Pipeline(detector, recognizer, config, orientation=finder).read(rotate_image(image, turns)).pages[0]
    assert page.text == expected and page.orientation == 90 * turns


@dataclasses.dataclass
class BottomRowDetector(BarDetector):
    """Sets ``flag`` on the bottom row's regions: unsure of them (weak), or takes them for words
    of a photo (scene, as ModeDetector marks the scene detector's)."""

    flag: str = "weak"

    def predict(self, image):
        regions = super().predict(image)
        lowest = max(min(y for _, y in r.polygon) for r in regions)
        for region in regions:
            setattr(region, self.flag, min(y for _, y in region.polygon) == lowest)
        return regions


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("dpi", 5),
        ("threads", 0),
        ("orientation_samples", 0),
        ("min_confidence", 2.0),
        ("crop_pad", -1.0),
        ("weak_box_thresh", 1.0),
        ("weak_min_confidence", -0.5),
        ("scene_min_confidence", 1.5),
        ("crop_pad_end", 2.5),
        ("scene_crop_pad_end", -0.1),
        ("lm", 3),
    ],
)
def test_config_is_validated(option, value):
    with pytest.raises(TextlensError, match=option):
        PipelineConfig(**{option: value})


def test_read_takes_config_overrides_and_refuses_unknown_ones(monkeypatch):
    from textlens import pipeline as pipeline_module

    made = []

    def fake_from_config(cls, config=None):
        made.append(config)
        return Pipeline(BarDetector(), BarRecognizer(), config)

    monkeypatch.setattr(Pipeline, "from_config", classmethod(fake_from_config))
    pipeline_module._pipeline.cache_clear()
    image, _ = draw_page(sample_lines())
    assert read(image, orientation=False).text == EXPECTED_TEXT
    assert read(image, orientation=False).text == EXPECTED_TEXT
    assert len(made) == 1 and made[0].orientation is False  # models loaded once
    with pytest.raises(TextlensError, match="unknown read option.*colour"):
        read(image, colour=True)
    pipeline_module._pipeline.cache_clear()


# --- end to end with the shipped models ----------------------------------------------------------


def _shipped_models_or_skip() -> None:
    from textlens.models.registry import default_model

    try:
        import textlens.detection.predictor  # noqa: F401

        default_model("detector")
        default_model("recognizer")
    except (ImportError, TextlensError) as exc:
        pytest.skip(f"shipped models not installed: {exc}")


def _render_receipt() -> tuple[np.ndarray, list[str]]:
    from PIL import Image, ImageDraw, ImageFont

    rows = [
        ("GROCERY MART", None),
        ("Milk 1L", "2.50"),
        ("Brown bread", "3.20"),
        ("TOTAL", "5.70"),
        ("Thank you", None),
    ]
    image = Image.new("RGB", (640, 420), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=32)
    for r, (label, value) in enumerate(rows):
        y = 30 + 75 * r
        draw.text((40, y), label, fill="black", font=font)
        if value:
            draw.text((480, y), value, fill="black", font=font)
    words = [w for label, value in rows for w in (label + " " + (value or "")).split()]
    return np.asarray(image), words


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_end_to_end_with_shipped_models(turns):
    _shipped_models_or_skip()
    from rapidfuzz.distance import Levenshtein

    image, words = _render_receipt()
    document = read(rotate_image(image, turns), threads=1)
    page = document.pages[0]
    assert page.orientation == 90 * turns
    found = " ".join(w.text for w in page.words).lower()
    truth = " ".join(words).lower()
    assert Levenshtein.normalized_distance(found, truth) < 0.3, found  # plumbing, not model accuracy
    kinds = {m.kind: m for m in document.provenance.models}
    assert set(kinds) == {"detector", "recognizer", "lm", "words"} and kinds["lm"].name == "latin-lm"
    assert kinds["words"].name == "latin-words"
    assert len(kinds["lm"].sha256) == 64


def test_a_letter_crop_too_small_to_detect_is_read_whole():
    """A 5 x 9 px letter (common in scene-word sets) is read as one line; a blank one gives nothing."""
    _shipped_models_or_skip()
    from PIL import Image, ImageDraw, ImageFont

    from textlens.synth.fonts import discover_fonts

    font = ImageFont.truetype(next(f for f in discover_fonts() if f.endswith("DejaVuSans.ttf")), 10)
    letter = Image.new("L", (5, 9), 255)
    ImageDraw.Draw(letter).text((0, -1), "7", fill=0, font=font)
    page = read(np.asarray(letter), threads=1).pages[0]
    assert [w.text for w in page.words] == ["7"]
    assert page.blocks[0].lines[0].polygon == [(0.0, 0.0), (5.0, 0.0), (5.0, 9.0), (0.0, 9.0)]  # the whole crop
    assert read(np.full((9, 5), 255, np.uint8), threads=1).text == ""
    assert read(np.random.default_rng(0).integers(0, 255, (20, 30), dtype=np.uint8), threads=1).text == ""  # noise


def test_a_word_image_whose_detected_pieces_read_as_nothing_is_read_whole():
    """The detector finds only a sliver of a word crop, which the recognizer cannot confirm: the
    whole image is the line after all; a page-sized image keeps its (empty) reading."""
    from read_doubles import FakeRegion

    from textlens.recognition.decoding import LineResult

    class SliverDetector:
        info = ModelInfo("sliver", "detector", "0" * 64)

        def predict(self, image):
            return [FakeRegion([(2.0, 2.0), (9.0, 2.0), (9.0, 20.0), (2.0, 20.0)])]

    class WholeWordRecognizer:
        info = ModelInfo("whole", "recognizer", "1" * 64)

        def predict(self, crops):  # sure of a crop as wide as the word image, not of a sliver of it
            return [LineResult("IN", 0.99, []) if c.shape[1] >= 60 else LineResult("l", 0.1, []) for c in crops]

    pipeline = Pipeline(SliverDetector(), WholeWordRecognizer(), PipelineConfig(orientation=False))
    word = np.full((27, 70, 3), 255, np.uint8)
    assert pipeline.read_image(word).text == "IN"
    assert pipeline.read_image(np.full((700, 900, 3), 255, np.uint8)).text == ""


def test_a_line_run_across_a_column_gutter_is_cut_at_the_word_gap():
    rows = []
    for r in range(10):
        end = 340 if r == 5 else 300  # one row reaches into the gutter: the detector merges it across
        rows.append((20 + 40 * r, [(20, 140, 1), (150, end, 1), (350, 470, 2), (480, 610, 2)]))
    image, _ = draw_page(rows, size=(640, 430))
    page = _pipeline(orientation=False)[0].read_image(image)
    words = [w.text for w in page.words]
    assert words == ["w1"] * 20 + ["w2"] * 20  # the left column, then the right one
    lines = [line for block in page.blocks for line in block.lines]
    assert len(lines) == 20 and all(len(line.words) == 2 for line in lines)


def test_a_page_decoded_at_reduced_size_is_given_in_the_files_pixels():
    from textlens.io.loading import PageImage

    image, _ = draw_page(sample_lines())
    pipeline, _, _ = _pipeline(orientation=False)
    small = pipeline.read_image(image)
    h, w = image.shape[:2]
    page = pipeline.read_page(PageImage(image, 0, 150.0, "<scan>", full_size=(2 * w, 2 * h)))
    assert (page.width, page.height, page.dpi) == (2 * w, 2 * h, 300.0)
    assert page.text == small.text
    for big, little in zip(page.words, small.words):
        np.testing.assert_allclose(np.array(big.polygon), 2 * np.array(little.polygon))


def _greek_page() -> tuple[np.ndarray, str]:
    from PIL import Image, ImageDraw, ImageFont

    from textlens.synth.fonts import discover_fonts

    text = "ὁ δὲ λόγος τῶν θεῶν ἐστὶν"
    font = ImageFont.truetype(next(f for f in discover_fonts() if f.endswith("DejaVuSerif.ttf")), 30)
    image = Image.new("L", (640, 120), 255)
    ImageDraw.Draw(image).text((30, 40), text, fill=0, font=font)
    return np.asarray(image), text


@pytest.mark.parametrize("lang", ["grc", "auto"])
def test_a_greek_line_is_read_by_the_greek_model(lang):
    """--lang grc reads every line with greek-crnn; auto hands the lines Latin is unsure of to it."""
    _shipped_models_or_skip()
    from rapidfuzz.distance import Levenshtein

    image, text = _greek_page()
    found = read(image, threads=1, lang=lang).text.strip()
    assert Levenshtein.normalized_distance(found, text) < 0.25, found
    latin = read(image, threads=1, lang="en").text.strip()
    assert Levenshtein.normalized_distance(latin, text) > 0.5, latin  # the Latin model alone cannot


@pytest.mark.parametrize("lang", ["ru", "auto"])
def test_a_russian_line_is_read_by_the_cyrillic_model(lang):
    """--lang ru reads every line with cyrillic-crnn; auto hands the lines Latin is unsure of to it."""
    _shipped_models_or_skip()
    from PIL import Image, ImageDraw, ImageFont
    from rapidfuzz.distance import Levenshtein

    from textlens.synth.fonts import discover_fonts

    text = "Москва — столица России, это знают все"
    font = ImageFont.truetype(next(f for f in discover_fonts() if f.endswith("DejaVuSans.ttf")), 30)
    image = Image.new("L", (760, 120), 255)
    ImageDraw.Draw(image).text((30, 40), text, fill=0, font=font)
    document = read(np.asarray(image), threads=1, lang=lang)
    assert Levenshtein.normalized_distance(document.text.strip(), text) < 0.1, document.text
    assert document.pages[0].language == "ru"
    latin = read(np.asarray(image), threads=1, lang="en").text.strip()
    assert Levenshtein.normalized_distance(latin, text) > 0.5, latin  # Latin look-alikes: "MockBa"


def test_lang_picks_the_recognizer():
    _shipped_models_or_skip()
    from textlens.recognition.scripts import ScriptRouter

    assert Pipeline.from_config(PipelineConfig(lang="el,de", threads=1)).recognizer.script == "greek"
    assert Pipeline.from_config(PipelineConfig(lang="ru", threads=1)).recognizer.script == "cyrillic"
    english = Pipeline.from_config(PipelineConfig(lang="en", threads=1))
    latin = english.recognizer
    assert latin.script == "latin" and not isinstance(latin, ScriptRouter)
    assert english._scene_recognizer is not None  # photos named English still get the scene reader
    assert Pipeline.from_config(PipelineConfig(lang="ru", threads=1))._scene_recognizer is None
    auto = Pipeline.from_config(PipelineConfig(threads=1)).recognizer
    assert isinstance(auto, ScriptRouter) and {"greek", "arabic", "cyrillic"} <= set(auto._loaders)
    with pytest.raises(TextlensError, match="lang"):
        PipelineConfig(lang="auto,de")


def test_an_arabic_line_is_read_right_to_left_into_logical_order():
    _shipped_models_or_skip()
    from PIL import Image, ImageDraw, ImageFont
    from rapidfuzz.distance import Levenshtein

    from textlens.synth.fonts import discover_fonts

    text = "وأرسل رسول الله معهم المغيرة بن شعبة"
    font = ImageFont.truetype(next(f for f in discover_fonts() if f.endswith("DejaVuSans.ttf")), 30)
    image = Image.new("L", (640, 120), 255)
    ImageDraw.Draw(image).text((600, 40), text, fill=0, font=font, anchor="ra")  # right-aligned, as printed
    document = read(np.asarray(image), threads=1, lang="ar")
    found = document.text.strip()
    assert Levenshtein.normalized_distance(found, text) < 0.25, found
    words = document.pages[0].words
    assert words[0].polygon[0][0] > words[-1].polygon[0][0]  # the first word stands rightmost
    assert document.pages[0].language == "ar"


def test_a_page_mixing_latin_greek_and_cyrillic_lines_reads_each_in_its_script():
    _shipped_models_or_skip()
    from PIL import Image, ImageDraw, ImageFont
    from rapidfuzz.distance import Levenshtein

    from textlens.synth.fonts import discover_fonts

    lines = ["The commentary on verse 123 says", "ὁ δὲ λόγος τῶν θεῶν ἐστὶν", "Съешь же ещё этих булок"]
    font = ImageFont.truetype(next(f for f in discover_fonts() if f.endswith("DejaVuSans.ttf")), 30)
    image = Image.new("L", (760, 320), 255)
    for k, text in enumerate(lines):
        ImageDraw.Draw(image).text((30, 30 + 100 * k), text, fill=0, font=font)
    read_lines = [line.text for block in read(np.asarray(image), threads=1).pages[0].blocks for line in block.lines]
    assert len(read_lines) == 3
    for found, text in zip(read_lines, lines):
        assert Levenshtein.normalized_distance(found, text) < 0.2, found


class ShoutingRecognizer(BarRecognizer):
    """A scene recognizer double: reads bars as the bar recognizer does, in capitals."""

    def _read(self, crop):
        result = super()._read(crop)
        words = [dataclasses.replace(word, text=word.text.upper()) for word in result.words]
        return dataclasses.replace(result, text=result.text.upper(), words=words)


def test_words_of_photos_are_read_by_the_scene_recognizer_loaded_on_first_use():
    image, _ = draw_page(sample_lines())
    loads = []

    def load_scene_recognizer():
        loads.append(1)
        return ShoutingRecognizer(info=ModelInfo("scene-double", "recognizer", "2" * 64))

    config = PipelineConfig()
    finder = OrientationFinder(samples=config.orientation_samples, min_lines=3)
    documents_only = Pipeline(
        BarDetector(), BarRecognizer(), config, orientation=finder, scene_recognizer=load_scene_recognizer
    )
    assert documents_only.read(image).pages[0].text == EXPECTED_TEXT and not loads  # never loaded for pages

    pipeline = Pipeline(
        BottomRowDetector(flag="scene"),
        BarRecognizer(),
        config,
        orientation=finder,
        scene_recognizer=load_scene_recognizer,
    )
    document = pipeline.read(image)
    page = document.pages[0]
    assert page.text == EXPECTED_TEXT.replace("w9\nw0", "W9\nW0") and loads == [1]
    # a photo is taken as the camera held it (a page turned over is turned back: documents_only)
    assert pipeline.read(rotate_image(image, 2)).pages[0].orientation == 0
    assert documents_only.read(rotate_image(image, 2)).pages[0].orientation == 180
    assert [info.name for info in document.provenance.models][-1] == "scene-double"  # what read it
    assert pipeline.with_options(deskew=False).read(image).pages[0].text.endswith("W0") and loads == [1]
    assert [info.name for info in pipeline.models][-1] == "scene-double"  # in every Document's provenance

    # words of a photo read less surely than scene_min_confidence are its texture, not text
    strict = pipeline.with_options(scene_min_confidence=0.99).read(image).pages[0]
    assert strict.text == EXPECTED_TEXT.replace("\n\nw9\nw0", "")

    without = Pipeline(BottomRowDetector(flag="scene"), BarRecognizer(), config, orientation=finder)
    assert without.read(image).pages[0].text == EXPECTED_TEXT  # no scene recognizer: the main one reads all


class CropWidths(ShoutingRecognizer):
    """A scene recognizer double that notes the width of every crop it is given."""

    widths: list[int] = []

    def predict(self, crops):
        type(self).widths = [crop.shape[1] for crop in crops]
        return super().predict(crops)


def test_words_of_photos_take_their_own_end_margin():
    """A word on a sign is cut with ``scene_crop_pad_end``, a document line with ``crop_pad_end``."""
    image, _ = draw_page(sample_lines())
    finder = OrientationFinder(samples=4, min_lines=3)
    widths, texts = {}, {}
    for end in (0.0, 1.0):
        main = BarRecognizer()
        config = PipelineConfig(scene_crop_pad_end=end)
        pipeline = Pipeline(
            BottomRowDetector(flag="scene"), main, config, orientation=finder, scene_recognizer=lambda: CropWidths()
        )
        texts[end] = pipeline.read(image).pages[0].text
        widths[end] = CropWidths.widths
    assert texts[0.0] == texts[1.0] == EXPECTED_TEXT.replace("w9\nw0", "W9\nW0")
    # the words of the bottom row (the photo's) grow by about one line height at their end
    assert len(widths[0.0]) == len(widths[1.0]) >= 1
    assert all(15 <= wide - narrow <= 40 for narrow, wide in zip(widths[0.0], widths[1.0]))
