"""The ONNX Runtime predictor: loading, input handling, coordinates in original pixels."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textlens.detection.model import DBNet, DetectorConfig
from textlens.detection.preprocess import input_size, prepare
from textlens.errors import TextlensError

TINY = DetectorConfig(
    channels=(8, 8, 16, 16, 24), blocks=(1, 1, 1, 1), expansion=2, fpn_channels=16, head_channels=8, long_side=256
)


@pytest.fixture(scope="module")
def tiny_onnx(tmp_path_factory):
    pytest.importorskip("onnx")
    from textlens.detection.export import export_model

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("det") / "tiny-det.onnx"
    return export_model(DBNet(TINY), path, "tiny-det")


def test_input_size_policy():
    assert input_size(1000, 463, 1024) == (1024, 480)
    assert input_size(100, 3000, 1024) == (32, 1024)
    tensor, (sx, sy) = prepare(np.zeros((1000, 463, 3), np.uint8), 1024, (0, 0, 0), (1, 1, 1))
    assert tensor.shape == (1, 3, 1024, 480) and tensor.dtype == np.float32
    assert sx == pytest.approx(463 / 480) and sy == pytest.approx(1000 / 1024)


def test_predict_returns_regions_in_image_coordinates(tiny_onnx):
    from textlens.detection.predictor import DetectedRegion, Detector

    det = Detector.load(tiny_onnx, threads=1)
    assert det.info.kind == "detector" and det.info.name == "tiny-det" and len(det.info.sha256) == 64
    det.postprocess.box_thresh = 0.0  # an untrained model: accept anything it finds
    det.postprocess.bin_thresh = 0.01
    image = np.full((300, 500, 3), 255, np.uint8)
    regions = det.predict(image)
    assert all(isinstance(r, DetectedRegion) for r in regions)
    for r in regions:
        assert all(0 <= x <= 500 and 0 <= y <= 300 for x, y in r.polygon)
    assert det.predict(np.full((300, 500), 255, np.uint8)) is not None  # grey input


def test_refuses_non_detector_models(tmp_path):
    from textlens.detection.predictor import Detector

    bad = tmp_path / "x.onnx"
    bad.write_bytes(b"not onnx")
    with pytest.raises(TextlensError):
        Detector.load(bad)
    with pytest.raises(TextlensError):
        Detector.load(tmp_path / "missing.onnx")


def _big_sign() -> np.ndarray:
    """A sign-like word 80 px tall on an 800 x 600 photo-like background (rendered by us)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (800, 600), (120, 130, 125))
    draw = ImageDraw.Draw(image)
    draw.rectangle([150, 250, 650, 350], fill=(230, 200, 140))
    draw.text((170, 255), "ANFIELD", font=ImageFont.truetype(_dejavu(), 80), fill=(40, 40, 40))
    return np.asarray(image)


def test_text_too_large_for_the_fine_pass_is_found_by_the_coarse_pass():
    from textlens.detection.predictor import Detector

    det = Detector.load(threads=1)  # the shipped detector
    det.coarse_side = None
    assert det.predict(_big_sign()) == []
    det.coarse_side = 480
    (region,) = det.predict(_big_sign())
    xs, ys = [x for x, _ in region.polygon], [y for _, y in region.polygon]
    assert 150 <= min(xs) < 200 and 480 < max(xs) <= 650 and 250 <= min(ys) < 290 and 310 < max(ys) <= 350


def test_a_page_of_many_small_lines_skips_the_coarse_pass_and_a_sign_does_not():
    from PIL import Image, ImageDraw, ImageFont

    from textlens.detection.predictor import Detector

    det = Detector.load(threads=1)
    passes = []
    plain_regions = det._regions
    det._regions = lambda image, long_side, full: passes.append(long_side) or plain_regions(image, long_side, full)
    page = Image.new("RGB", (1240, 1754), "white")
    font = ImageFont.truetype(_dejavu(), 28)
    for row in range(30):
        ImageDraw.Draw(page).text(
            (100, 80 + 52 * row), f"Item {row:02d} sugar and flour  RM {row}.50", font=font, fill="black"
        )
    assert len(det.predict(np.asarray(page))) >= 25
    assert passes == [det.long_side]  # receipt-like: the fine pass alone
    passes.clear()
    det.predict(_big_sign())
    assert passes == [det.long_side, det.coarse_side]


def test_large_type_on_an_image_smaller_than_the_coarse_pass_is_found():
    """A 400 x 111 screenshot of one 40 px line: the fine pass blows it up 3x past what it can
    see, so the coarse pass runs on small images too (it found nothing before)."""
    from PIL import Image, ImageDraw, ImageFont

    from textlens.detection.predictor import Detector

    text = "Harbour Lantern"
    font = ImageFont.truetype(_dejavu(), 40)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("RGB", (right - left + 80, bottom - top + 80), "white")
    ImageDraw.Draw(image).text((40 - left, 40 - top), text, font=font, fill="black")
    assert max(image.size) < 480
    (region,) = Detector.load(threads=1).predict(np.asarray(image))
    xs, ys = [x for x, _ in region.polygon], [y for _, y in region.polygon]
    assert min(xs) < 50 and max(xs) > image.width - 50 and min(ys) < 45 and max(ys) > image.height - 45


def test_a_strip_of_large_type_is_framed_and_found_whole_in_its_own_coordinates():
    """A 100 px line with 8 px margins (a banner screenshot): unframed, the detector cut it into
    pieces ("Open 1 hours", "SALE 50% OF")."""
    from PIL import Image, ImageDraw, ImageFont

    from textlens.detection.predictor import Detector

    detector = Detector.load(threads=1)
    for text in ("Open 24 hours", "SALE 50% OFF"):
        font = ImageFont.truetype(_dejavu(), 100)
        left, top, right, bottom = font.getbbox(text)
        image = Image.new("RGB", (right - left + 16, bottom - top + 16), (250, 245, 230))
        ImageDraw.Draw(image).text((8 - left, 8 - top), text, font=font, fill=(20, 20, 60))
        (region,) = detector.predict(np.asarray(image))
        xs, ys = [x for x, _ in region.polygon], [y for _, y in region.polygon]
        assert 0 <= min(xs) < 20 and image.width - 20 < max(xs) <= image.width
        assert 0 <= min(ys) < 20 and image.height - 20 < max(ys) <= image.height


def test_coarse_regions_are_added_only_where_nothing_was_found():
    from textlens.detection.predictor import DetectedRegion, _add_missed

    def box(x0, y0, x1, y1, score=0.9):
        return DetectedRegion([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], score)

    found = [box(10, 100, 200, 120), box(10, 130, 200, 150)]
    coarse = [box(5, 95, 205, 155), box(300, 10, 500, 80), box(190, 100, 260, 150)]  # covered, new, mostly new
    merged = _add_missed(found, coarse, (400, 600))
    assert [r.polygon[0] for r in merged] == [(300, 10), (10, 100), (190, 100), (10, 130)]  # reading order
    assert _add_missed(found, [], (400, 600)) is found


def test_a_coarse_region_replaces_the_fragments_of_the_same_text():
    from textlens.detection.predictor import DetectedRegion, _add_missed

    def box(x0, y0, x1, y1, weak=False):
        return DetectedRegion([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], 0.4 if weak else 0.9, weak=weak)

    # a weak piece, and one word of a large-type line that the fine pass saw alone, confidently
    fragments = [box(100, 100, 140, 150, weak=True), box(200, 110, 240, 140)]
    elsewhere = box(10, 300, 200, 320)
    merged = _add_missed([*fragments, elsewhere], [box(90, 90, 300, 160)], (400, 600))
    assert [(r.polygon[0], r.weak) for r in merged] == [((90, 90), False), ((10, 300), False)]


def test_a_coarse_line_replaces_the_few_words_of_it_the_fine_pass_found():
    """A 48-pt heading: the fine pass found its third word only (confidently, so it covers a
    quarter of the coarse line; a weak guess at its first words does not count); the coarse pass
    found the whole line, which now replaces both.
    Where the fine pass found most of a line, or smaller stacked lines, the fine regions stay."""
    from textlens.detection.predictor import DetectedRegion, _add_missed

    def box(x0, y0, x1, y1, weak=False):
        return DetectedRegion([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], 0.4 if weak else 0.9, weak=weak)

    heading, body = box(280, 320, 1600, 520), box(290, 700, 1200, 800)
    pieces = [box(830, 340, 1200, 510), box(290, 330, 720, 510, weak=True)]  # a word, and a weak guess
    merged = _add_missed([*pieces, body], [heading, box(285, 690, 1210, 810)], (3508, 2480))
    assert [r.polygon[0] for r in merged] == [(280, 320), (290, 700)]

    two_columns = [box(290, 700, 1150, 800), box(1260, 700, 2150, 800)]
    assert _add_missed(two_columns, [box(285, 690, 2160, 810)], (3508, 2480)) == two_columns
    stacked = [box(290, 700, 600, 740), box(290, 760, 650, 800)]
    assert _add_missed(stacked, [box(285, 690, 1600, 810)], (3508, 2480)) == stacked


def test_overlapping_pieces_of_one_line_are_joined_and_separate_columns_are_not():
    from textlens.detection.predictor import DetectedRegion, join_row_fragments

    def box(x0, y0, x1, y1, weak=False):
        return DetectedRegion([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], 0.4 if weak else 0.9, weak=weak)

    pieces = [box(120, 20, 259, 42), box(251, 21, 361, 41)]  # "EVERGREEN P" + "PHARMACY"
    near = [box(10, 100, 100, 120), box(104, 101, 150, 121)]  # a narrow word space apart
    columns = [box(10, 200, 100, 220), box(300, 200, 360, 220)]  # label ... amount
    stacked = [box(10, 300, 200, 320), box(10, 322, 200, 342)]  # two lines
    taller = [box(400, 100, 450, 120), box(452, 90, 520, 140, weak=True)]  # not the same type size
    joined = join_row_fragments(pieces + near + columns + stacked + taller, max_gap=0.3)
    assert [r.polygon[0] for r in joined] == [
        (120, 20),
        (452, 90),
        (10, 100),
        (400, 100),
        (10, 200),
        (300, 200),
        (10, 300),
        (10, 322),
    ]
    assert joined[0].polygon[2] == (361, 42) and joined[2].polygon[2] == (150, 121)
    assert not joined[0].weak and joined[1].weak
    assert join_row_fragments(pieces, max_gap=0.3)[0].score == 0.9


def test_a_tilted_line_is_never_joined_to_its_neighbour():
    from textlens.detection.predictor import DetectedRegion, join_row_fragments

    tilted = DetectedRegion([(100, 100), (300, 130), (297, 150), (97, 120)], 0.9)
    level = DetectedRegion([(290, 128), (400, 128), (400, 148), (290, 148)], 0.9)
    assert join_row_fragments([tilted, level], max_gap=0.3) == [tilted, level]


def _dejavu() -> str:
    """DejaVu Sans: the same font wherever the repository is cloned (the order of
    ``discover_fonts`` depends on where the virtualenv's own fonts lie)."""
    from textlens.synth.fonts import discover_fonts

    return next(f for f in discover_fonts() if f.endswith("/DejaVuSans.ttf"))


def test_a_drop_cap_run_into_its_lines_is_cut_out_of_them():
    """A three-line initial the detector joined with the lines beside it: the initial and the
    line no other region holds come back apart; lines already found are not added twice."""
    from PIL import Image, ImageDraw, ImageFont

    from textlens.detection.predictor import DetectedRegion, split_initials

    page = Image.new("RGB", (700, 600), "white")
    draw = ImageDraw.Draw(page)
    body, cap = ImageFont.truetype(_dejavu(), 18), ImageFont.truetype(_dejavu(), 64)
    draw.text((40, 100), "M", font=cap, fill="black")
    for r, text in enumerate(["it a first line of body text", "and the second line beside it", "the third"]):
        draw.text((100, 106 + 26 * r), text, font=body, fill="black")
    for r in range(10):  # the rest of the page: plain lines
        draw.text((40, 220 + 30 * r), "more plain body text of the page", font=body, fill="black")

    def box(x0, y0, x1, y1):
        return DetectedRegion([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], 0.9)

    found = [box(98, 104, 420, 128), box(38, 104, 440, 180), box(98, 156, 200, 180)]
    found += [box(38, 220 + 30 * r, 400, 244 + 30 * r) for r in range(10)]
    cut = split_initials(found, np.asarray(page))
    boxes = [tuple(round(v) for v in (*np.min(r.polygon, axis=0), *np.max(r.polygon, axis=0))) for r in cut]
    assert len(cut) == len(found) + 1  # the joined region became the initial and the second line
    initial = [b for b in boxes if b[0] == 38 and b[3] == 180]
    assert len(initial) == 1 and initial[0][2] < 100
    second = [b for b in boxes if 125 < b[1] < 135 and b[0] >= initial[0][2]]
    assert len(second) == 1 and 150 < second[0][3] < 160 and second[0][2] > 350
    # a tall line of large type (every glyph tall) is left whole
    title = [box(38, 20, 600, 90)] + found[3:]
    draw.text((40, 20), "Title", font=cap, fill="black")
    assert split_initials(title, np.asarray(page)) == title
