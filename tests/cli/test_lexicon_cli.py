"""`--lexicon` on `recognize` (one for all, or one per image) and `read`, with the shipped models."""

from __future__ import annotations

import json

from PIL import Image, ImageDraw, ImageFont

from textlens.cli import main
from textlens.synth.fonts import discover_fonts


def _save_text(path, text: str, size: int = 30, margin: int = 12) -> None:
    font = ImageFont.truetype(_dejavu(), size)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("RGB", (right - left + 2 * margin, bottom - top + 2 * margin), "white")
    ImageDraw.Draw(image).text((margin - left, margin - top), text, font=font, fill="black")
    image.save(path)


def test_recognize_with_one_lexicon_and_with_one_per_image(tmp_path, capsys):
    _save_text(tmp_path / "a.png", "Harbour")
    _save_text(tmp_path / "b.png", "Lantern")  # read freely as "Lantem" (rn -> m) by the shipped model
    words = tmp_path / "words.txt"
    words.write_text("Harbor\nHarbour\nLantern\nLanterns\n")
    assert main(["recognize", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--lexicon", str(words)]) == 0
    assert capsys.readouterr().out.splitlines() == ["Harbour", "Lantern"]

    per_image = tmp_path / "lexicons.jsonl"
    per_image.write_text(json.dumps({"image": "a.png", "lexicon": ["Harbor", "Arbour"]}) + "\n")
    assert main(["recognize", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--lexicon", str(per_image)]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first in ("Harbor", "Arbour") and second.casefold().startswith("lante")  # b.png has none: free


def test_read_with_a_lexicon_and_a_bad_lexicon_is_one_line_error(tmp_path, capsys):
    _save_text(tmp_path / "sign.png", "Harbour Lantern", size=40, margin=40)
    words = tmp_path / "words.txt"
    words.write_text("Harbor Harbour Lantern Lanterns\n")
    assert main(["read", str(tmp_path / "sign.png"), "--lexicon", str(words)]) == 0
    assert capsys.readouterr().out.strip() == "Harbour Lantern"
    # the lexicon constrains every line, those the orientation check already read included
    words.write_text("Harbor Lanterns Latte\n")
    assert main(["read", str(tmp_path / "sign.png"), "--lexicon", str(words)]) == 0
    assert capsys.readouterr().out.strip() == "Harbor Lanterns"

    _assert_one_line_error(capsys, ["read", str(tmp_path / "sign.png"), "--lexicon", str(tmp_path / "missing.txt")])


def test_recognize_and_read_snap_to_a_word_list_and_a_bad_one_is_one_line_error(tmp_path, capsys):
    # (Lexicon.snap's own tests show when a reading snaps; here the options reach it, by name and by path)
    _save_text(tmp_path / "b.png", "Lantern")
    assert main(["recognize", str(tmp_path / "b.png"), "--words", "english-words"]) == 0
    assert capsys.readouterr().out.strip() == "Lantern"
    _save_text(tmp_path / "sign.png", "Harbour Lantern", size=40, margin=40)
    words = tmp_path / "words.txt"
    words.write_text("Harbour\nLantern\n")
    assert main(["read", str(tmp_path / "sign.png"), "--words", str(words)]) == 0
    assert capsys.readouterr().out.strip() == "Harbour Lantern"
    _assert_one_line_error(capsys, ["read", str(tmp_path / "sign.png"), "--words", str(tmp_path / "missing.txt")])


def _assert_one_line_error(capsys, args: list[str]) -> None:
    """The command stops with exit code 2 and one line on stderr naming the missing file."""
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "missing.txt" in err and len(err.splitlines()) == 1


def _dejavu() -> str:
    """DejaVu Sans: the same font wherever the repository is cloned (the order of
    ``discover_fonts`` depends on where the virtualenv's own fonts lie)."""

    return next(f for f in discover_fonts() if f.endswith("/DejaVuSans.ttf"))
