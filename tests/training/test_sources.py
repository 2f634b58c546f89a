"""Labelled-data sources: manifests, named folders, CSV/TSV, crops, splits and checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from textlens.errors import TextlensError
from textlens.recognition.charset import Charset
from textlens.training.sources import (
    Sample,
    check_duplicates,
    check_samples,
    ctc_steps,
    labels_all_upper,
    labels_look_case_folded,
    load_crop,
    load_samples,
    looks_like_one_line,
    split_train_val,
)


def _png(path: Path, value: int = 0, size: tuple[int, int] = (20, 10), mode: str = "L") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value if mode == "L" else (value, value, value)).save(path)
    return path


def _page(path: Path) -> Path:
    """A 100x60 white page with a black bar at x 10..49, y 20..29 and a grey one at x 60..89, y 40..49."""
    page = np.full((60, 100), 255, np.uint8)
    page[20:30, 10:50] = 0
    page[40:50, 60:90] = 128
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(page).save(path)
    return path


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- load_samples


def test_manifest_crops_and_pages(tmp_path: Path) -> None:
    _png(tmp_path / "img" / "a.png")
    _page(tmp_path / "img" / "page.png")
    manifest = _write_jsonl(
        tmp_path / "manifest.jsonl",
        [
            {"image": "img/a.png", "text": "  hello\u00a0 world "},
            {
                "image": "img/page.png",
                "text": "ignored for pages",
                "regions": [
                    {"quad": [10, 20, 49, 20, 49, 29, 10, 29], "text": "bar"},
                    {"quad": [0, 0, 5, 0, 5, 5, 0, 5], "text": "###"},
                    {"quad": [0, 0, 5, 0, 5, 5, 0, 5], "text": ""},
                    {"quad": [60, 40, 89, 40, 89, 49, 60, 49], "text": "grey"},
                ],
            },
        ],
    )
    samples = load_samples(manifest)
    assert [s.text for s in samples] == ["hello world", "bar", "grey"]
    assert samples[0] == Sample(str((tmp_path / "img" / "a.png").resolve()), "hello world")
    assert samples[1].quad == (10.0, 20.0, 49.0, 20.0, 49.0, 29.0, 10.0, 29.0)
    assert all(Path(s.image).is_absolute() for s in samples)
    # A folder holding a manifest.jsonl reads the manifest.
    assert load_samples(tmp_path) == samples


def test_any_jsonl_with_image_text(tmp_path: Path) -> None:
    _png(tmp_path / "img" / "x.png")
    spec = _write_jsonl(tmp_path / "train.jsonl", [{"image": "img/x.png", "text": "x1"}])
    assert load_samples(str(spec)) == [Sample(str((tmp_path / "img" / "x.png").resolve()), "x1")]


def test_bad_jsonl_names_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.jsonl"
    spec.write_text('{"image": "a.png", "text": "a"}\n{oops\n')
    with pytest.raises(TextlensError, match=r"bad\.jsonl:2"):
        load_samples(spec)


def test_folder_labels_from_file_names(tmp_path: Path) -> None:
    for name in ("226md.png", "0024miih-0.png", "abc_12.jpg", "notes.txt"):
        (_png(tmp_path / name) if name.endswith(("png", "jpg")) else (tmp_path / name).write_text("x"))
    samples = load_samples(tmp_path)
    assert sorted(s.text for s in samples) == ["0024miih", "226md", "abc"]


def test_folder_label_pattern_override(tmp_path: Path) -> None:
    _png(tmp_path / "lower_0024miih-0.png")
    samples = load_samples(tmp_path, label_pattern=r"^[a-z]+_(.+)-\d+$")
    assert [s.text for s in samples] == ["0024miih"]
    with pytest.raises(TextlensError, match="one \\(group\\)"):
        load_samples(tmp_path, label_pattern=r"(a)(b)")
    with pytest.raises(TextlensError, match="does not match"):
        load_samples(tmp_path, label_pattern=r"^zzz(.+)$")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("labels.csv", 'path,label\nimg/a.png,hello\nimg/b.png,"x, y"\n'),
        ("labels.csv", "img/a.png;hello\nimg/b.png;x, y\n"),
        ("labels.tsv", "img/a.png\thello\nimg/b.png\tx, y\n"),
        ("gt.txt", "text\timage\nhello\timg/a.png\nx, y\timg/b.png\n"),
    ],
)
def test_csv_tsv(tmp_path: Path, name: str, content: str) -> None:
    _png(tmp_path / "img" / "a.png")
    _png(tmp_path / "img" / "b.png")
    (tmp_path / name).write_text(content, encoding="utf-8")
    samples = load_samples(tmp_path / name)
    assert [(Path(s.image).name, s.text) for s in samples] == [("a.png", "hello"), ("b.png", "x, y")]


def test_unknown_and_missing_specs(tmp_path: Path) -> None:
    with pytest.raises(TextlensError, match="no such file"):
        load_samples(tmp_path / "nope.jsonl")
    (tmp_path / "data.xml").write_text("<x/>")
    with pytest.raises(TextlensError, match="unknown data format"):
        load_samples(tmp_path / "data.xml")
    with pytest.raises(TextlensError, match="only to a folder"):
        load_samples(tmp_path / "data.xml", label_pattern="(.*)")


# --------------------------------------------------------------------------- load_crop


def test_crop_whole_image_grey(tmp_path: Path) -> None:
    path = _png(tmp_path / "c.png", value=100, size=(30, 12), mode="RGB")
    crop = load_crop(Sample(str(path), "c"))
    assert crop.shape == (12, 30) and crop.dtype == np.uint8 and int(crop[0, 0]) == 100


def test_crop_alpha_composited_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((10, 20, 4), np.uint8)  # black, fully transparent...
    rgba[:, :10, 3] = 255  # ...except the left half, opaque black
    Image.fromarray(rgba, "RGBA").save(tmp_path / "t.png")
    crop = load_crop(Sample(str(tmp_path / "t.png"), "t"))
    assert crop.shape == (10, 20)
    assert crop[:, :10].max() == 0 and crop[:, 10:].min() == 255


def test_crop_ink_modes(tmp_path: Path) -> None:
    rgb = np.full((10, 20, 3), 255, np.uint8)
    rgb[3:7, 5:15] = (255, 255, 120)  # pale yellow ink on white
    Image.fromarray(rgb).save(tmp_path / "y.png")
    sample = Sample(str(tmp_path / "y.png"), "y")
    assert load_crop(sample).min() > 220  # luma: almost white
    assert load_crop(sample, ink="contrast")[3:7, 5:15].max() <= 120  # contrast: dark
    colour = load_crop(sample, ink="rgb")  # for a predictor to convert itself
    assert colour.shape == (10, 20, 3) and tuple(colour[5, 5]) == (255, 255, 120)
    region = load_crop(Sample(str(tmp_path / "y.png"), "y", (0, 0, 9, 0, 9, 9, 0, 9)), margin=0, ink="rgb")
    assert region.shape == (9, 9, 3)


def test_crop_region_box_with_margin(tmp_path: Path) -> None:
    page = str(_page(tmp_path / "p.png"))
    crop = load_crop(Sample(page, "bar", (10, 20, 49, 20, 49, 29, 10, 29)), margin=2)
    # Like sroie-test-lines: x from min-2 to max+2 (exclusive), y likewise.
    assert crop.shape == (9 + 4, 39 + 4)
    assert crop[2:-2, 2:-2].max() == 0 and crop[0].min() == 255
    # Clipped at the page border.
    corner = load_crop(Sample(page, "c", (0, 0, 5, 0, 5, 5, 0, 5)), margin=3)
    assert corner.shape == (8, 8)


def test_crop_rotated_region_is_straightened(tmp_path: Path) -> None:
    import cv2

    # An 80x20 bar centred at (100, 100), tilted by 30 degrees; quad clockwise from its top-left.
    t = np.radians(30)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    corners = np.array([[-40, -10], [40, -10], [40, 10], [-40, 10]], float) @ rot.T + 100
    page = np.full((200, 200), 255, np.uint8)
    cv2.fillPoly(page, [np.rint(corners).astype(np.int32)], 0)
    Image.fromarray(page).save(tmp_path / "rot.png")
    crop = load_crop(Sample(str(tmp_path / "rot.png"), "bar", tuple(corners.ravel().tolist())), margin=2)
    assert crop.shape == (24, 84)
    assert crop[4:-4, 4:-4].max() < 60  # the bar fills the straightened crop
    assert crop[0].mean() > 150  # and the margin shows the page around it


def test_crop_upside_down_region_is_turned(tmp_path: Path) -> None:
    page = np.full((60, 100), 255, np.uint8)
    page[20:25, 10:50] = 0  # dark stripe in the upper half of the box 10..49 x 20..29
    Image.fromarray(page).save(tmp_path / "u.png")
    # Text reads right-to-left upside down: its top-left is the box's bottom-right.
    crop = load_crop(Sample(str(tmp_path / "u.png"), "u", (49, 29, 10, 29, 10, 20, 49, 20)), margin=0)
    assert crop.shape == (9, 39)
    assert crop[-3:].max() < 60 and crop[:3].min() > 200  # the stripe is now at the bottom


def test_page_cache_reuses_decoded_page(tmp_path: Path) -> None:
    from textlens.training import sources

    page = str(_page(tmp_path / "cached.png"))
    sources._page.cache_clear()
    for quad in ((10, 20, 49, 20, 49, 29, 10, 29), (60, 40, 89, 40, 89, 49, 60, 49)):
        load_crop(Sample(page, "x", quad))
    info = sources._page.cache_info()
    assert info.misses == 1 and info.hits == 1


def test_crop_unreadable(tmp_path: Path) -> None:
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(TextlensError, match="bad.png"):
        load_crop(Sample(str(tmp_path / "bad.png"), "x"))


# --------------------------------------------------------------------------- split_train_val


def test_split_deterministic_and_grouped_by_page() -> None:
    samples = [Sample(f"/p{i // 5}.png", f"t{i}", (0, 0, 1, 0, 1, 1, 0, 1)) for i in range(100)]
    train, val = split_train_val(samples, val_fraction=0.2, seed=3)
    assert (train, val) == split_train_val(list(samples), val_fraction=0.2, seed=3)
    assert len(val) == 20 and len(train) == 80
    assert not {s.image for s in train} & {s.image for s in val}
    assert train == [s for s in samples if s in train]  # input order kept
    other = split_train_val(samples, val_fraction=0.2, seed=4)[1]
    assert other != val


def test_split_limits() -> None:
    samples = [Sample(f"/c{i}.png", "x") for i in range(50)]
    assert len(split_train_val(samples, 0.1, min_val=10)[1]) == 10
    assert len(split_train_val(samples, 0.5, max_val=7)[1]) == 7
    assert split_train_val(samples, 0.0) == (samples, [])
    with pytest.raises(TextlensError, match="one image"):
        split_train_val([Sample("/one.png", "a", (0, 0, 1, 0, 1, 1, 0, 1))] * 3)


# --------------------------------------------------------------------------- check_samples


def test_check_ok(tmp_path: Path) -> None:
    a = _png(tmp_path / "a.png", 0)
    b = _png(tmp_path / "b.png", 50)
    check_samples([Sample(str(a), "ab"), Sample(str(b), "ba")], Charset("ab"), max_label_len=4)
    check_samples([Sample(str(a), "ab")], None, None)


def test_check_unreadable(tmp_path: Path) -> None:
    (tmp_path / "bad.png").write_bytes(b"xx")
    with pytest.raises(TextlensError, match=r"cannot be read: .*bad\.png"):
        bad = [Sample(str(tmp_path / "bad.png"), "x"), Sample(str(tmp_path / "no.png"), "x")]
        check_samples(bad, None, None)


def test_check_empty_label(tmp_path: Path) -> None:
    a = _png(tmp_path / "empty.png")
    with pytest.raises(TextlensError, match=r"empty label: .*empty\.png"):
        check_samples([Sample(str(a), "")], None, None)


def test_check_too_long(tmp_path: Path) -> None:
    a = _png(tmp_path / "long.png")
    assert ctc_steps("abc") == 3 and ctc_steps("aab") == 4 and ctc_steps("") == 0
    check_samples([Sample(str(a), "abc")], None, max_label_len=3)
    with pytest.raises(TextlensError, match=r"longer than the model can emit \(3 steps\): .*long\.png"):
        check_samples([Sample(str(a), "aab")], None, max_label_len=3)


def test_check_charset_lists_chars_and_fix(tmp_path: Path) -> None:
    a = _png(tmp_path / "a.png", 0)
    b = _png(tmp_path / "b.png", 9)
    with pytest.raises(TextlensError, match=r"\('ß€'\).*b\.png.*--extend-charset"):
        check_samples([Sample(str(a), "ab"), Sample(str(b), "aß€")], Charset("ab"), None)


def test_check_duplicate_files_with_different_labels(tmp_path: Path) -> None:
    a = _png(tmp_path / "a.png", 0)
    b = _png(tmp_path / "b.png", 0)  # same bytes
    check_duplicates([Sample(str(a), "x"), Sample(str(b), "x")])  # same label: fine
    with pytest.raises(TextlensError, match=r"identical image.*a\.png.*b\.png"):
        check_duplicates([Sample(str(a), "x"), Sample(str(b), "y")])


def test_check_duplicates_counts_same_label_copies(tmp_path: Path) -> None:
    a, b, c = (_png(tmp_path / f"{n}.png", 0) for n in "abc")  # same bytes
    d = _png(tmp_path / "d.png", 9)
    assert check_duplicates([Sample(str(a), "x"), Sample(str(b), "x"), Sample(str(c), "x"), Sample(str(d), "x")]) == 2
    assert check_duplicates([Sample(str(a), "x"), Sample(str(d), "y")]) == 0


def test_check_region_outside_image(tmp_path: Path) -> None:
    page = str(_page(tmp_path / "p.png"))
    with pytest.raises(TextlensError, match="outside their image"):
        check_samples([Sample(page, "x", (500, 500, 600, 500, 600, 520, 500, 520))], None, None)


def test_labels_look_case_folded() -> None:
    assert labels_look_case_folded(["abc1", "XYZ2", "123"])
    assert not labels_look_case_folded(["abc1", "xyz2"])
    assert not labels_look_case_folded(["abc1", "XYZ", "AbC"])  # real mixed case: keep case
    assert not labels_look_case_folded(["1234", "5678"])


def _region(width: float, height: float, text: str) -> Sample:
    return Sample("page.png", text, (10, 10, 10 + width, 10, 10 + width, 10 + height, 10, 10 + height))


def test_regions_spanning_several_lines_are_told_apart_from_lines():
    assert looks_like_one_line(_region(300, 24, "TOTAL SALES INCL GST"))
    assert looks_like_one_line(_region(7, 15, "1"))  # a narrow digit is still one line
    assert looks_like_one_line(_region(60, 80, "R&D"))  # a big heading too
    assert looks_like_one_line(Sample("crop.png", "anything"))  # whole-image crops are never judged
    # an entity box of three 20-px lines: 60 px tall, the text wrapped at 260 px
    assert not looks_like_one_line(_region(260, 60, "Delete coal retention from the list of standard analyses"))


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["TOTAL 12.50", "CASH", "12/03/2018"], True),
        (["TOTAL", "Cash"], False),
        (["ÉTÉ", "ÀLA"], True),
        (["12.50", "3"], False),  # no letters: nothing to say about case
        (["STRASSE", "straße"], False),
    ],
)
def test_sets_transcribed_in_capitals_are_recognised(texts, expected):
    assert labels_all_upper(texts) is expected


def test_conflicting_copies_and_empty_labels_are_set_aside_with_a_log_line(tmp_path: Path) -> None:
    from textlens.training.sources import drop_conflicting, drop_unlabelled

    a, b, c = (_png(tmp_path / f"{n}.png", 0) for n in "abc")  # same bytes
    d = _png(tmp_path / "d.png", 9)
    logged: list[str] = []
    samples = [Sample(str(a), "x"), Sample(str(b), "y"), Sample(str(c), "x"), Sample(str(d), "x")]
    assert drop_conflicting(samples, logged.append) == [samples[3]]  # every copy: which label is right?
    assert (
        len(logged) == 1
        and "set aside 3 image(s)" in logged[0]
        and "a.png ('x') vs " in logged[0]
        and "b.png ('y')" in logged[0]
    )
    assert drop_conflicting(samples[2:], logged.append) == samples[2:] and len(logged) == 1
    assert drop_unlabelled([Sample(str(a), ""), samples[3]], logged.append) == [samples[3]]
    assert "set aside 1 sample(s) with an empty label" in logged[-1]
