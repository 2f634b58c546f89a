"""Forms: labelling lines, joining them into entities, linking questions to answers, scoring
against FUNSD-style labels, training from the CLI and the ``extract form`` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textlens.apps.forms import (
    LABELS,
    Form,
    FormEntity,
    FormLink,
    extract_form,
    extract_form_page,
    join_lines,
    load_form_model,
)
from textlens.apps.receipt_candidates import page_context
from textlens.cli import main
from textlens.document import Block, Line, Page, Word, bbox_polygon
from textlens.errors import TextlensError
from textlens.synth.fonts import discover_fonts
from textlens.training.forms import FormCounts, FormPage, Segment, iou, match

KEYS = ("TO:", "FROM:", "DATE:", "SUBJECT:", "PHONE:", "NAME:", "FAX:", "PAGES:")
VALUES = ("John Smith", "R. Jones", "March 3, 1998", "Budget review", "555-0123", "Ann Lee", "4", "Quarterly plan")


def _page(rows: list[list[tuple[str, float, float]]], width: int = 800, pitch: float = 40) -> Page:
    """Rows (``pitch`` px apart) of (text, x, height) segments; words are 0.5 x height wide per character."""
    lines = []
    for r, row in enumerate(rows):
        y = 40 + pitch * r
        for text, x, h in row:
            words, pos = [], x
            for token in text.split():
                words.append(Word(token, 0.99, bbox_polygon(pos, y, pos + 0.5 * h * len(token), y + h)))
                pos += 0.5 * h * (len(token) + 1)
            lines.append(Line(words))
    return Page(width, 40 * len(rows) + 80, [Block(lines)])


def _memo(rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A rendered memo (header, then KEY: value rows) and its FUNSD-style labels."""
    font_path = discover_fonts("MEMORANDUM")[0]
    big, small = ImageFont.truetype(font_path, 34), ImageFont.truetype(font_path, 20)
    image = Image.new("RGB", (760, 420), "white")
    draw = ImageDraw.Draw(image)
    segments, y = [], 30

    def put(x: float, text: str, font, label: str) -> int:
        box = draw.textbbox((x, y), text, font=font)
        draw.text((x, y), text, font=font, fill="black")
        segments.append(
            {
                "quad": [box[0], box[1], box[2], box[1], box[2], box[3], box[0], box[3]],
                "text": text,
                "label": label,
                "id": len(segments),
                "linking": [],
            }
        )
        return len(segments) - 1

    put(230, "MEMORANDUM", big, "header")
    y += 80
    for k in rng.permutation(len(KEYS))[:5]:
        q = put(40, KEYS[k], small, "question")
        a = put(220, VALUES[int(rng.integers(0, len(VALUES)))], small, "answer")
        segments[q]["linking"].append([q, a])
        segments[a]["linking"].append([q, a])
        y += 55
    return np.asarray(image), {"segments_with_labels": segments}


@pytest.fixture(scope="module")
def pipeline():
    from textlens.pipeline import Pipeline, PipelineConfig

    return Pipeline.from_config(PipelineConfig(threads=1))


def test_the_shipped_model_labels_and_links_a_memo_head():
    page = _page(
        [
            [("MEMORANDUM", 300, 30)],
            [("TO:", 50, 16), ("John Smith", 200, 16)],
            [("FROM:", 50, 16), ("R. Jones", 200, 16)],
            [("DATE:", 50, 16), ("March 3, 1998", 200, 16)],
        ]
    )
    form = extract_form_page(page, load_form_model())
    assert [(e.label, e.text) for e in form.entities][:3] == [
        ("header", "MEMORANDUM"),
        ("question", "TO:"),
        ("answer", "John Smith"),
    ]
    assert form.pairs() == [("TO:", "John Smith"), ("FROM:", "R. Jones"), ("DATE:", "March 3, 1998")]
    assert all(0 < e.confidence <= 1 for e in form.entities)
    assert json.loads(json.dumps(form.to_dict()))["pairs"][0] == {"question": "TO:", "answer": "John Smith"}


def test_stacked_lines_of_one_answer_become_one_entity_but_questions_stay_apart():
    page = _page(
        [[("Remarks:", 50, 16), ("first line of a long", 200, 16)], [("answer goes on here", 200, 16)]], pitch=22
    )
    ctx = page_context(page)
    labels = ["question", "answer", "answer"]
    entities = join_lines(ctx, labels, np.ones((3, len(LABELS)), np.float32))
    assert [(e.label, e.text) for e in entities] == [
        ("question", "Remarks:"),
        ("answer", "first line of a long answer goes on here"),
    ]
    assert entities[1].lines == (1, 2)


def test_entities_and_links_are_scored_by_overlap_and_label():
    truth = FormPage(
        "x.png",
        [Segment(0, "question", (0, 0, 50, 20), "Date:"), Segment(1, "answer", (60, 0, 150, 20), "1/2/98")],
        {(0, 1)},
    )
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(1 / 3)
    right = Form(
        [
            FormEntity(0, "question", "Date:", 0.9, (1, 0, 50, 20)),
            FormEntity(1, "answer", "1/2/98", 0.9, (62, 1, 150, 20)),
        ],
        [FormLink(0, 1, 0.8)],
    )
    wrong = Form([FormEntity(0, "answer", "Date:", 0.9, (1, 0, 50, 20))])
    counts = FormCounts()
    counts.add(right, truth, 0.5)
    counts.add(wrong, truth, 0.5)
    report = counts.report()
    assert report["entities"] == {"tp": 2, "pred": 3, "gt": 4}
    assert report["links"] == {"tp": 1, "pred": 1, "gt": 2}
    assert report["entity_f1"] == pytest.approx(100 * 4 / 7, abs=0.01)
    assert match([("answer", (0, 0, 10, 10))], [("question", (0, 0, 10, 10))], 0.5) == []


def test_train_form_from_the_cli_and_read_a_new_memo(tmp_path, capsys, pipeline):
    root = tmp_path / "data"
    root.mkdir()
    lines = []
    for seed in range(6):
        image, labels = _memo(np.random.default_rng(seed))
        Image.fromarray(image).save(root / f"m{seed}.png")
        lines.append(json.dumps({"image": f"m{seed}.png", **labels}))
    (root / "words_and_labels.jsonl").write_text("\n".join(lines) + "\n")
    model = tmp_path / "model" / "form.json"
    assert main(["train", "form", str(root), "-o", str(model), "--epochs", "150", "--val-fraction", "0.2"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["pages"]["train"] == 5 and summary["metrics"]["val"]["entity_f1"] > 50
    data = json.loads(model.read_text())
    assert data["format"] == "textlens-form-fields" and data["labels"] == list(LABELS)
    image, labels = _memo(np.random.default_rng(99))
    (form,) = extract_form(image, model=model, pipeline=pipeline)
    questions = {s["text"] for s in labels["segments_with_labels"] if s["label"] == "question"}
    assert {q for q, _ in form.pairs()} & questions


def test_extract_form_cli_json_overlay_and_errors(tmp_path, capsys):
    image = tmp_path / "memo.png"
    Image.fromarray(_memo(np.random.default_rng(5))[0]).save(image)
    out, overlay = tmp_path / "form.json", tmp_path / "form.png"
    assert main(["extract", "form", str(image), "-o", str(out), "--overlay", str(overlay)]) == 0
    result = json.loads(out.read_text())
    assert {"entities", "links", "pairs"} <= set(result) and result["entities"]
    assert Image.open(overlay).size == Image.open(image).size
    missing = tmp_path / "nope.png"
    assert main(["extract", "form", str(missing)]) == 2
    assert "nope.png" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "textlens-receipt-fields"}')
    with pytest.raises(TextlensError, match="not a textlens form model"):
        load_form_model(bad)


def test_a_line_holding_a_question_and_its_answer_is_cut_after_the_colon():
    from textlens.apps.forms import form_context

    ctx = form_context(_page([[("Date: 9/3/92", 50, 16)], [("Note: see below:", 50, 16)], [("Total:", 50, 16)]]))
    assert [ln.text for ln in ctx.lines] == ["Date:", "9/3/92", "Note:", "see below:", "Total:"]
    assert ctx.lines[1].bbox[0] > ctx.lines[0].bbox[2]
