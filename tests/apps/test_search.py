"""Word search: an SQLite/FTS5 index of read pages, updated incrementally, queried exactly, by
prefix, as a phrase and fuzzily; `textlens index` and `textlens search`."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PIL import Image

from textlens.apps.search import SearchIndex
from textlens.cli import main
from textlens.document import Block, Document, Line, Page, Word
from textlens.errors import TextlensError
from textlens.synth.pages import render_page


def _document(*rows: list[str]) -> Document:
    """A one-page document with a line per row, words 60 px apart (no model involved)."""
    lines = []
    for r, row in enumerate(rows):
        words = [
            Word(
                text,
                0.9 - 0.01 * i,
                [(60 * i, 30 * r), (60 * i + 50, 30 * r), (60 * i + 50, 30 * r + 20), (60 * i, 30 * r + 20)],
            )
            for i, text in enumerate(row)
        ]
        lines.append(Line(words))
    return Document([Page(800, 600, [Block(lines)])])


def _touch(path, content: bytes = b"x") -> str:
    path.write_bytes(content)
    return str(path)


def test_words_are_found_exactly_by_prefix_as_phrases_and_fuzzily(tmp_path):
    first, second = _touch(tmp_path / "a.png"), _touch(tmp_path / "b.png", b"yy")
    with SearchIndex(tmp_path / "index.sqlite") as index:
        index.store(first, _document(["Harbour", "Lantern", "Café"], ["TOTAL", "12.50"]))
        index.store(second, _document(["Lantem", "street"], ["total", "due"]))  # "Lantern" misread
        assert index.counts() == {"files": 2, "lines": 4, "words": 9}
        lantern = index.search("lantern")
        assert [(h.path, h.text, h.box) for h in lantern] == [(str(tmp_path / "a.png"), "Lantern", (60, 0, 110, 20))]
        assert lantern[0].line == "Harbour Lantern Café" and lantern[0].page == 0
        assert {h.text for h in index.search("lantern", fuzzy=True)} == {"Lantern", "Lantem"}
        assert [h.text for h in index.search("cafe")] == ["Café"]  # accents and case ignored
        assert {h.text for h in index.search("tot", prefix=True)} == {"TOTAL", "total"}
        assert [h.line for h in index.search("total due")] == ["total due"]  # a phrase: lines, words in order
        assert index.search("due total") == []
        with pytest.raises(TextlensError, match="give a word"):
            index.search("  ,;  ")


def test_adding_again_reads_only_new_and_changed_files(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    paths = [_touch(folder / f"{n}.png", n.encode()) for n in ("one", "two")]
    read: list[list[str]] = []

    def read_many(batch):
        read.append(list(batch))
        for number, path in enumerate(batch):
            yield type("Result", (), {"number": number, "error": None, "document": _document([os.path.basename(path)])})

    with SearchIndex(tmp_path / "index.sqlite") as index:
        assert index.add(paths, read_many).read == paths
        report = index.add(paths, read_many)
        assert report.read == [] and report.unchanged == paths
        with open(paths[1], "ab") as handle:
            handle.write(b"changed")
        assert index.add(paths, read_many).read == [paths[1]]
        assert read == [paths, [paths[1]]]
        assert index.counts()["files"] == 2 and len(index.search("two.png")) == 1  # replaced, not doubled


def test_a_file_that_fails_keeps_what_the_index_held(tmp_path):
    path = _touch(tmp_path / "a.png")
    with SearchIndex(tmp_path / "index.sqlite") as index:
        index.store(path, _document(["kept"]))
        _touch(tmp_path / "a.png", b"now broken")
        failing = type("Result", (), {"number": 0, "error": TextlensError("a.png: not an image"), "document": None})
        report = index.add([path], lambda batch: iter([failing]))
        assert report.failed == [(path, "a.png: not an image")] and [h.text for h in index.search("kept")] == ["kept"]


def test_a_file_that_is_not_an_index_is_refused_and_left_alone(tmp_path):
    picture = tmp_path / "photo.png"
    Image.new("RGB", (8, 8)).save(picture)
    before = picture.read_bytes()
    with pytest.raises(TextlensError, match="not a textlens search index"):
        SearchIndex(picture)
    assert picture.read_bytes() == before
    with pytest.raises(TextlensError, match="no such index"):
        SearchIndex(tmp_path / "missing.sqlite", create=False)


def test_index_and_search_commands_on_synthetic_pages(tmp_path, capsys):
    folder = tmp_path / "scans"
    folder.mkdir()
    words = []
    for seed in (3, 4):
        page = render_page(np.random.default_rng(seed), style="document", degrade=0.0)
        Image.fromarray(page.image).save(folder / f"page{seed}.png")
        words.append(max((w for t in page.texts for w in t.split() if w.isalpha()), key=len))
    (folder / "broken.png").write_bytes(b"not an image")
    index = tmp_path / "scans.sqlite"
    assert main(["index", str(folder), "-o", str(index), "--threads", "1"]) == 3  # the broken file is named
    assert "broken.png" in capsys.readouterr().err
    assert main(["search", str(index), words[0], "--format", "json", "--html", str(tmp_path / "hits.html")]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(
        h["path"].endswith("page3.png") and h["text"].casefold().startswith(words[0].casefold()[:3]) for h in hits
    )
    page_html = (tmp_path / "hits.html").read_text()
    assert "<mark>" in page_html and "data:image/png;base64," in page_html
    assert main(["index", str(folder / "page3.png"), str(folder / "page4.png"), "-o", str(index)]) == 0
    err = capsys.readouterr().err
    assert "read 0 file(s) (0 pages)" in err and "2 unchanged" in err  # nothing read again
    assert main(["search", str(index), "qqqqzzzz"]) == 1
