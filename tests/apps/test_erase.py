"""Erasing and redacting text: which words a pattern picks, the mask, and the erased page read again."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textlens.apps.erase import chosen_words, erase_text, word_mask
from textlens.cli import main
from textlens.document import Block, Line, Page, Word
from textlens.errors import TextlensError
from textlens.synth.fonts import discover_fonts


def _page(*rows: list[str]) -> Page:
    lines = []
    for r, row in enumerate(rows):
        words = [
            Word(
                t,
                0.9,
                [
                    (70 * i + 10, 40 * r + 10),
                    (70 * i + 70, 40 * r + 10),
                    (70 * i + 70, 40 * r + 30),
                    (70 * i + 10, 40 * r + 30),
                ],
            )
            for i, t in enumerate(row)
        ]
        lines.append(Line(words))
    return Page(500, 200, [Block(lines)])


def test_a_pattern_picks_every_word_its_matches_touch_across_word_breaks():
    page = _page(["Call", "+60", "3-2161", "0023", "today"], ["Total", "12.50"])
    assert [w.text for w in chosen_words(page, r"\+\d+ [\d-]+ \d+")] == ["+60", "3-2161", "0023"]
    assert [w.text for w in chosen_words(page, r"(?i)total|\d+\.\d\d")] == ["Total", "12.50"]
    assert len(chosen_words(page)) == 7 and chosen_words(page, "x*") == []  # empty matches erase nothing
    with pytest.raises(TextlensError, match="not a regular expression"):
        chosen_words(page, "([")


def test_a_whole_line_is_masked_as_one_grown_box_and_single_words_alone():
    page = _page(["Call", "+60", "today"], ["Total", "12.50"])
    every = word_mask((200, 500), page, page.lines[0].words)
    assert every[20, 75].all() and every[20, 145] == 255  # the gaps between words go too
    some = word_mask((200, 500), page, [page.lines[1].words[1]])
    assert some[60, 110] == 255 and some[60, 40] == 0 and not some[:40].any()


def _sign() -> tuple[np.ndarray, np.ndarray]:
    """(clean textured background, the same with two words printed on it)."""
    rng = np.random.default_rng(0)
    base = np.linspace([200, 190, 170], [150, 170, 200], 640).astype(np.uint8)[None].repeat(240, axis=0)
    clean = np.clip(base.astype(int) + rng.integers(-6, 6, base.shape), 0, 255).astype(np.uint8)
    image = Image.fromarray(clean)
    font = ImageFont.truetype(_dejavu(), 56)
    ImageDraw.Draw(image).text((40, 80), "HARBOUR LANTERN", font=font, fill=(30, 30, 40))
    return clean, np.asarray(image)


def test_erased_text_is_gone_and_the_background_continues():
    from textlens.pipeline import Pipeline, PipelineConfig

    clean, printed = _sign()
    pipeline = Pipeline.from_config(PipelineConfig(threads=1, mode="document"))
    page = pipeline.read(printed).pages[0]
    assert page.text.replace("\n", " ").strip() == "HARBOUR LANTERN"
    erased = erase_text(printed, page)
    assert [w.text for w in erased.words] == ["HARBOUR", "LANTERN"]
    assert pipeline.read(erased.image).text.strip() == ""
    inside = erased.mask > 0
    before = np.abs(printed.astype(int) - clean)[inside].mean()
    after = np.abs(erased.image.astype(int) - clean)[inside].mean()
    assert after < 0.3 * before
    redacted = erase_text(printed, page, only="LANT", redact=True, colour=(255, 0, 0))
    assert [w.text for w in redacted.words] == ["LANTERN"]
    assert (redacted.image[redacted.mask > 0] == (255, 0, 0)).all()
    assert (redacted.image[redacted.mask == 0] == printed[redacted.mask == 0]).all()  # nothing else changes


def test_erase_command_writes_the_image_and_refuses_bad_options(tmp_path, capsys):
    _, printed = _sign()
    source = tmp_path / "sign.png"
    Image.fromarray(printed).save(source)
    assert main(["erase", str(source), "-o", str(tmp_path / "out.png"), "--only", "HARB", "--redact"]) == 0
    assert "erased 1 word(s)" in capsys.readouterr().err
    assert Image.open(tmp_path / "out.png").size == (640, 240)
    assert main(["erase", str(source), "-o", str(tmp_path / "out.png"), "--colour", "red"]) == 2
    assert "--colour" in capsys.readouterr().err
    assert main(["erase", str(source), "-o", str(tmp_path / "out.txt")]) == 2
    assert "give an image file" in capsys.readouterr().err
    pdf = tmp_path / "two.pdf"
    Image.fromarray(printed).save(pdf, save_all=True, append_images=[Image.fromarray(printed)])
    assert main(["erase", str(pdf), "-o", str(tmp_path / "one.png")]) == 2  # its only input failed
    assert "2 pages: give -o a folder" in capsys.readouterr().err
    assert main(["erase", str(pdf), str(source), "-o", str(tmp_path / "erased")]) == 0
    assert sorted(p.name for p in (tmp_path / "erased").iterdir()) == ["sign.png", "two-p1.png", "two-p2.png"]


def _dejavu() -> str:
    """DejaVu Sans: the same font wherever the repository is cloned (the order of
    ``discover_fonts`` depends on where the virtualenv's own fonts lie)."""

    return next(f for f in discover_fonts() if f.endswith("/DejaVuSans.ttf"))
