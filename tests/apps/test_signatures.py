"""Finding signatures on a page: handwriting that is neither text the reader found nor ruled lines."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.apps.signatures import find_signatures
from textlens.cli import main
from textlens.synth.fonts import discover_fonts
from textlens.synth.signatures import render_signature


def _form() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    font = ImageFont.truetype(next(f for f in discover_fonts() if f.endswith("/DejaVuSans.ttf")), 28)
    page = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(["Agreement of sale", "The buyer agrees to pay the amount due", "within thirty days."]):
        draw.text((80, 80 + 50 * i), line, font=font, fill=0)
    draw.text((80, 700), "Signature:", font=font, fill=0)
    draw.line([(260, 760), (1100, 760)], fill=0, width=2)  # the rule signed on
    grey = np.array(page)
    scribble = render_signature(7, size=(140, 420))
    grey[610:750, 400:820] = np.minimum(grey[610:750, 400:820], scribble)
    return np.stack([grey] * 3, axis=2), (400, 610, 820, 750)


def test_the_signature_is_found_and_the_printed_text_is_not():
    page, (x0, y0, x1, y1) = _form()
    found = find_signatures(page)
    assert found, "no signature found"
    bx0, by0, bx1, by1 = found[0].box
    assert bx0 < (x0 + x1) / 2 < bx1 and by0 < (y0 + y1) / 2 < by1
    assert all(s.box[3] > 500 for s in found)  # nothing among the printed lines above


def test_find_on_the_command_line_prints_boxes_and_draws_them(tmp_path, capsys):
    page, _ = _form()
    path, drawn = tmp_path / "form.png", tmp_path / "drawn.png"
    Image.fromarray(page).save(path)
    assert main(["signature", "find", str(path), "--json", "-o", str(drawn)]) == 0
    assert '"signatures"' in capsys.readouterr().out
    assert Image.open(drawn).size == (1200, 900)
    assert main(["signature", "find", str(tmp_path / "missing.png")]) == 2


def test_verify_on_the_command_line_with_the_shipped_model(tmp_path, capsys):
    import json

    paths = []
    for name, image in [
        ("query", render_signature(5, sample=9)),
        *((f"ref{i}", render_signature(5, sample=i)) for i in range(5)),
    ]:
        Image.fromarray(image).save(tmp_path / f"{name}.png")
        paths.append(str(tmp_path / f"{name}.png"))
    refs = [arg for path in paths[1:] for arg in ("--ref", path)]
    assert main(["signature", "verify", paths[0], *refs, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["decision"] in {"genuine", "forgery"} and result["score"] >= 0
    assert "equal-error-rate" in result["meaning"]
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((100, 300), 250, np.uint8)).save(blank)
    assert main(["signature", "verify", str(blank), *refs]) == 2
    assert "no signature found" in capsys.readouterr().err
