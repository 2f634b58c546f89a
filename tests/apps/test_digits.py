"""The digits reader: crops and photos, values and units, the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textlens.apps.digits import number_value, read_digits
from textlens.cli import main
from textlens.errors import TextlensError
from textlens.synth.fonts import discover_fonts


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("12.5 kWh", 12.5, "kWh"), ("0042", 42.0, None), ("3,75", 3.75, None), ("-7", -7.0, None),
     ("12:45", None, None), ("4521-889", None, None), ("", None, None)],
)  # fmt: skip
def test_the_value_and_unit_of_a_reading(text, value, unit):
    assert number_value(text) == (value, unit)


def _plate(text: str, size: int = 48) -> np.ndarray:
    font = ImageFont.truetype(next(f for f in discover_fonts() if f.endswith("/DejaVuSans-Bold.ttf")), size)
    image = Image.new("RGB", (int(font.getlength(text)) + 40, size + 30), (30, 60, 140))
    ImageDraw.Draw(image).text((20, 12), text, font=font, fill=(245, 245, 245))
    return np.asarray(image)


def test_a_crop_of_a_number_is_read_with_its_value():
    [reading] = read_digits(_plate("2047.50"))
    assert reading.text == "2047.50" and reading.value == pytest.approx(2047.5)
    assert reading.box == (0, 0, *_plate("2047.50").shape[1::-1]) and reading.confidence > 0.5


def test_a_photo_is_searched_for_numbers(tmp_path):
    scene = np.full((400, 600, 3), 200, np.uint8)
    scene[150:228, 180 : 180 + _plate("315").shape[1]] = _plate("315")
    readings = read_digits(scene)
    assert any(r.text == "315" and r.box[0] >= 170 and r.box[1] >= 140 for r in readings)


def test_the_digits_command_prints_json(tmp_path, capsys):
    Image.fromarray(_plate("88.4")).save(tmp_path / "meter.png")
    assert main(["digits", str(tmp_path / "meter.png"), "--as", "crop", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["digits"][0]["text"] == "88.4" and result["digits"][0]["value"] == pytest.approx(88.4)


def test_bad_input_is_one_clear_error(tmp_path, capsys):
    with pytest.raises(TextlensError, match="uint8"):
        read_digits(np.zeros((2, 2), np.uint8))
    Image.fromarray(_plate("1")).save(tmp_path / "one.png")
    assert main(["digits", str(tmp_path / "one.png"), "--as", "sideways"]) != 0
    assert "--as" in capsys.readouterr().err


def test_a_bad_file_among_good_ones_is_reported_and_the_rest_is_read(tmp_path, capsys):
    Image.fromarray(_plate("61")).save(tmp_path / "good.png")
    (tmp_path / "bad.png").write_bytes(b"not an image")
    code = main(["digits", str(tmp_path / "bad.png"), str(tmp_path / "good.png"), "--as", "crop", "--json"])
    captured = capsys.readouterr()
    assert code == 3 and "bad.png" in captured.err and "Traceback" not in captured.err
    assert json.loads(captured.out)["digits"][0]["text"] == "61"  # the good file's reading is kept
