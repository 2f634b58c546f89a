"""Receipt fields: candidates and their rules, the shipped ranker end to end on synthetic
receipts, training a ranker from the CLI, the ``extract receipt`` command and its errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from textlens.apps.fields import extract_fields, extract_receipt, load_fields_model, tidy_address, tidy_company
from textlens.apps.receipt_candidates import (
    amount_candidates,
    candidates,
    date_candidates,
    iso_date,
    keyword_hits,
    page_context,
    parse_amount,
    strip_registration,
)
from textlens.cli import main
from textlens.document import Block, Document, Line, Page, Word, bbox_polygon
from textlens.errors import TextlensError
from textlens.synth.receipts import render_receipt


def _page(rows: list[list[tuple[str, float]]], width: int = 400) -> Page:
    """A page whose rows hold words at the given x positions (20 px per character)."""
    lines = []
    for r, row in enumerate(rows):
        y = 20 + 30 * r
        for text, x in row:
            words, pos = [], x
            for token in text.split():
                words.append(Word(token, 0.99, bbox_polygon(pos, y, pos + 10 * len(token), y + 20)))
                pos += 10 * len(token) + 10
            lines.append(Line(words))
    return Page(width, 30 * len(rows) + 40, [Block(lines)])


@pytest.fixture(scope="module")
def pipeline():
    from textlens.pipeline import Pipeline, PipelineConfig

    return Pipeline.from_config(PipelineConfig(threads=1))


@pytest.fixture(scope="module")
def receipts():
    return [render_receipt(np.random.default_rng(seed)) for seed in (11, 12, 13)]


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("text", "value"),
    [("12.50", 12.5), ("1,234.50", 1234.5), ("-5.09", -5.09), ("3,50", 3.5), ("12", 12.0), ("x", None)],
)
def test_parse_amount(text, value):
    assert parse_amount(text) == value


def test_dates_are_found_in_many_forms_and_iso_only_when_unambiguous():
    page = _page([[("DATE: 25/12/2018 8:13 PM", 10)], [("13 MAR 2018 18:35", 10)], [("Due 03/04/19", 10)]])
    found = {c.text: c.value for c in date_candidates(page_context(page))}
    assert found == {"25/12/2018": "2018-12-25", "13 MAR 2018": "2018-03-13", "03/04/19": None}
    assert iso_date("ymd", {"y": "2019", "a": "02", "b": "28"}) == "2019-02-28"


def test_an_amount_knows_the_label_printed_left_of_it_on_its_row():
    # the label and the amount are two lines of the Document (as `read` gives receipts)
    page = _page([[("TOTAL (RM) :", 10), ("438.20", 300)], [("CASH", 10), ("RM500.00", 290)]])
    by_text = {c.text: c for c in amount_candidates(page_context(page))}
    assert set(by_text) == {"438.20", "500.00", "RM500.00"}
    assert by_text["438.20"].features["left_total"] == 1 and by_text["438.20"].features["left_cash"] == 0
    assert by_text["500.00"].features["left_cash"] == 1 and by_text["RM500.00"].currency == "RM"


def test_keywords_tolerate_one_ocr_slip_in_long_words():
    assert keyword_hits("HANGE :", "change") == 1
    assert keyword_hits("TOTA", "total") == 1
    assert keyword_hits("TOT", "total") == 0  # too short to guess


def test_registration_numbers_and_suffix_slips_are_tidied():
    assert strip_registration("AEON CO. (M) BHD (126926-H)") == "AEON CO. (M) BHD"
    assert strip_registration("SWC ENTERPRISE SDN BHD CO-REG: 860671-D") == "SWC ENTERPRISE SDN BHD"
    assert tidy_company("AMANO MALAYSIA SON B-D") == "AMANO MALAYSIA SDN BHD"
    assert tidy_company("SWC ENTERPRISE SDNBHD") == "SWC ENTERPRISE SDN BHD"
    assert tidy_company("B 8 BEST RESTAURANT") == "B & BEST RESTAURANT"
    assert tidy_company("X SDN. BHD.") == "X SDN. BHD."
    assert tidy_company("GARDENIA BAKERIES (KL)SDN BHD") == "GARDENIA BAKERIES (KL) SDN BHD"
    assert (
        tidy_address("NO 2 8 4, JALAN KPB 6 , 43300 SERI KEMBANGAN .") == "NO 2 & 4, JALAN KPB 6, 43300 SERI KEMBANGAN."
    )
    assert tidy_address("LOT 3 , NO. 5 .5 KM") == "LOT 3, NO. 5 .5 KM"  # a stop before a number stays apart


def test_every_field_gets_candidates_with_features():
    page = _page(
        [
            [("SUNRISE TRADING SDN BHD", 40)],
            [("(123456-X)", 120)],
            [("NO. 5, JALAN BESAR,", 60)],
            [("43300 SERI KEMBANGAN.", 60)],
            [("DATE: 01/02/2019", 10)],
            [("TOTAL", 10), ("9.00", 320)],
        ]
    )
    found = candidates(page)
    assert all(found[name] for name in ("company", "date", "address", "total"))
    assert any(c.text == "NO. 5, JALAN BESAR, 43300 SERI KEMBANGAN." for c in found["address"])
    assert all(c.features for cands in found.values() for c in cands)


# --------------------------------------------------------------------------- the shipped ranker


def test_the_shipped_ranker_picks_the_total_not_the_cash_tendered():
    page = _page(
        [
            [("SUNRISE TRADING SDN BHD", 40)],
            [("DATE: 25/02/2019", 10)],
            [("PEN", 10), ("3.50", 320)],
            [("SUBTOTAL", 10), ("3.50", 320)],
            [("TOTAL", 10), ("3.50", 320)],
            [("CASH", 10), ("10.00", 310)],
            [("CHANGE", 10), ("6.50", 320)],
        ]
    )
    receipt = extract_fields(page, load_fields_model())
    assert receipt.text("total") == "3.50"
    assert receipt.fields["total"].value == 3.5
    assert receipt.text("date") == "25/02/2019" and receipt.fields["date"].value == "2019-02-25"
    assert receipt.text("company") == "SUNRISE TRADING SDN BHD"
    assert 0 < receipt.fields["total"].confidence <= 1
    assert [item.description for item in receipt.items] == ["PEN"]


def test_synthetic_receipts_read_end_to_end(pipeline, receipts):
    right = {"date": 0, "total": 0, "company": 0}
    for synth in receipts:
        (receipt,) = extract_receipt(synth.image, pipeline=pipeline)
        for name in right:
            right[name] += receipt.text(name) == synth.fields[name]
        total = receipt.fields["total"]
        x0, y0, x1, y1 = np.array(total.polygons[0]).min(0).tolist() + np.array(total.polygons[0]).max(0).tolist()
        assert 0 <= x0 < x1 <= synth.image.shape[1] and 0 <= y0 < y1 <= synth.image.shape[0]
    assert right["date"] == len(receipts) and right["total"] == len(receipts)
    assert right["company"] >= len(receipts) - 1


def test_a_document_from_json_gives_the_same_fields(pipeline, receipts):
    document = pipeline.read(receipts[0].image)
    again = Document.from_dict(json.loads(json.dumps(document.to_dict())))
    assert extract_receipt(again)[0].to_dict()["fields"] == extract_receipt(document)[0].to_dict()["fields"]


def test_a_broken_model_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "fields.json"
    bad.write_text('{"format": "something-else"}')
    with pytest.raises(TextlensError, match="not a textlens receipt-fields model"):
        load_fields_model(bad)
    bad.write_text("{not json")
    with pytest.raises(TextlensError, match="cannot load"):
        load_fields_model(bad)


# --------------------------------------------------------------------------- training and CLI


def _manifest(root: Path, seeds: range) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for seed in seeds:
        synth = render_receipt(np.random.default_rng(seed))
        Image.fromarray(synth.image).save(root / f"r{seed}.png")
        lines.append(json.dumps({"image": f"r{seed}.png", "text": "", "fields": synth.fields}))
    (root / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    return root / "manifest.jsonl"


def test_train_fields_from_the_cli_writes_a_json_model_that_reads_receipts(tmp_path, capsys, receipts, pipeline):
    manifest = _manifest(tmp_path / "data", range(100, 108))
    model = tmp_path / "model" / "fields.json"
    code = main(["train", "fields", str(manifest), "-o", str(model), "--epochs", "60", "--val-fraction", "0.25"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["pages"] == {"train": 6, "val": 2}
    data = json.loads(model.read_text())
    assert data["format"] == "textlens-receipt-fields" and set(data["fields"]) == {
        "company",
        "date",
        "address",
        "total",
    }
    assert len(list((tmp_path / "model" / "documents").glob("*.json"))) == 8  # pages read once, cached
    (receipt,) = extract_receipt(receipts[1].image, model=model, pipeline=pipeline)
    assert receipt.text("total") == receipts[1].fields["total"]


def test_extract_receipt_cli_writes_csv_and_an_overlay_and_reports_bad_inputs(tmp_path, capsys, receipts):
    image = tmp_path / "receipt.png"
    Image.fromarray(receipts[2].image).save(image)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    out, overlay = tmp_path / "fields.csv", tmp_path / "overlays"
    code = main(
        ["extract", "receipt", str(image), str(broken), "-o", str(out), "--overlay", str(overlay), "--jobs", "1"]
    )
    assert code == 3  # one of two inputs failed
    err = capsys.readouterr().err
    assert "broken.png" in err and "Traceback" not in err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 1 and rows[0]["total"] == receipts[2].fields["total"]
    assert rows[0]["source"].endswith("receipt.png")
    assert Image.open(overlay / "receipt.png").size == Image.open(image).size


def test_extract_receipt_cli_json_to_stdout_and_a_bad_model(tmp_path, capsys, receipts):
    image = tmp_path / "receipt.png"
    Image.fromarray(receipts[0].image).save(image)
    assert main(["extract", "receipt", str(image)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["fields"]["date"]["text"] == receipts[0].fields["date"]
    assert main(["extract", "receipt", str(image), "--model", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "missing.json" in err and len(err.strip().splitlines()) == 1
