"""Set variants of the benchmark harness: rotated pages, held-out splits, manifest files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _importable(monkeypatch: pytest.MonkeyPatch) -> None:
    # benchmarks/ is a top-level folder of the repo, not part of the installed package.
    monkeypatch.syspath_prepend(str(ROOT))


W, H = 7, 4  # a small, non-square image: a swapped width/height shows up at once


def _marked(x: int, y: int) -> np.ndarray:
    image = np.zeros((H, W), np.uint8)
    image[y, x] = 255
    return image


def _marked_index(image: np.ndarray) -> tuple[int, int]:
    ys, xs = np.nonzero(image)
    return int(xs[0]), int(ys[0])


@pytest.mark.parametrize(
    ("degrees", "k", "expected"),
    [
        (90, -1, lambda x, y: (H - 1 - y, x)),
        (180, 2, lambda x, y: (W - 1 - x, H - 1 - y)),
        (270, 1, lambda x, y: (y, W - 1 - x)),
    ],
)
@pytest.mark.parametrize(("x", "y"), [(0, 0), (5, 1), (6, 3)])
def test_pixel_square_quad_follows_the_rotated_image(degrees, k, expected, x, y) -> None:
    from benchmarks.variants import rotate_image, rotate_quad

    marked = _marked(x, y)
    turned = np.asarray(rotate_image(Image.fromarray(marked), degrees))
    # the image rotation is np.rot90's clockwise turn (k < 0 is clockwise on screen)
    assert np.array_equal(turned, np.rot90(marked, k))
    assert _marked_index(turned) == expected(x, y)
    # the quad around that pixel (pixel edges at integers) lands on the turned pixel's square
    square = [x, y, x + 1, y, x + 1, y + 1, x, y + 1]
    pts = np.array(rotate_quad(square, degrees, W, H)).reshape(4, 2)
    new_x, new_y = expected(x, y)
    assert pts.min(axis=0).tolist() == [new_x, new_y]
    assert pts.max(axis=0).tolist() == [new_x + 1, new_y + 1]


def test_quad_corners_map_exactly() -> None:
    from benchmarks.variants import rotate_quad

    quad = [1, 0, 5, 0, 5, 2, 1, 2]  # clockwise from the top-left
    assert rotate_quad(quad, 90, W, H) == [4, 1, 4, 5, 2, 5, 2, 1]  # (x, y) -> (H - y, x)
    assert rotate_quad(quad, 180, W, H) == [6, 4, 2, 4, 2, 2, 6, 2]  # (W - x, H - y)
    assert rotate_quad(quad, 270, W, H) == [0, 6, 0, 2, 2, 2, 2, 6]  # (y, W - x)
    assert rotate_quad(quad, 0, W, H) == [float(v) for v in quad]


def _page_set(folder: Path) -> Path:
    folder.mkdir(parents=True)
    Image.new("RGB", (60, 40), "white").save(folder / "p.png")
    regions = [{"quad": [10, 5, 50, 5, 50, 15, 10, 15], "text": "TOTAL"}]
    entry = {"image": "p.png", "text": "TOTAL", "regions": regions}
    (folder / "manifest.jsonl").write_text(json.dumps(entry) + "\n", encoding="utf-8")
    return folder


def test_rotated_set_has_turned_images_quads_and_its_own_manifest(tmp_path: Path) -> None:
    from benchmarks.dataset import load_set
    from benchmarks.run import parse_args, prepare_set, render_table

    data = _page_set(tmp_path / "pages")
    args = parse_args(["--data", str(data), "--rotate", "90", "--engines", "tesseract"])
    bench = prepare_set(str(data), args, tmp_path / "work")
    assert bench.name == "pages-rot90" and bench.manifest.parent.is_relative_to(tmp_path / "work")
    with Image.open(bench.items[0].image) as image:
        assert image.size == (40, 60)
    assert bench.items[0].regions[0]["quad"] == [35, 10, 35, 50, 25, 50, 25, 10]
    assert bench.items[0].source == data / "p.png"
    # the workers read the written manifest and see the same items
    assert load_set(bench.manifest).items == [type(it)(it.image.resolve(), it.text, it.regions) for it in bench.items]
    assert render_table(bench, [], 2, 0.0).startswith(
        "### pages-rot90: 1 pages, every page rotated 90° clockwise (ground-truth quads rotated with it), 2 thread(s)"
    )


def test_scanned_set_is_bilevel_at_the_scale_and_its_ink_stays_in_the_mapped_quads(tmp_path: Path) -> None:
    from benchmarks.run import parse_args, prepare_set

    data = _page_set(tmp_path / "pages")
    with Image.open(data / "p.png") as page:
        ink = np.asarray(page.convert("L")).copy()
    ink[5:15, 10:50] = 0  # a black bar exactly inside the region's quad
    Image.fromarray(ink).save(data / "p.png")
    args = parse_args(["--data", str(data), "--scan", "2", "--engines", "tesseract"])
    bench = prepare_set(str(data), args, tmp_path / "work")
    assert bench.name == "pages-scan2" and "bilevel scan" in bench.variant
    with Image.open(bench.items[0].image) as image:
        assert image.mode == "1" and image.size == (120, 80)
        scan = np.asarray(image.convert("L"))
    quad = np.array(bench.items[0].regions[0]["quad"]).reshape(4, 2)
    ys, xs = np.nonzero(scan == 0)
    assert len(xs) > 0.8 * 20 * 80  # the bar, twice as wide and tall, survives the threshold
    # a skew of at most 1.5 degrees and the blur move no ink more than two pixels off the quad
    assert xs.min() >= quad[:, 0].min() - 2 and xs.max() <= quad[:, 0].max() + 2
    assert ys.min() >= quad[:, 1].min() - 2 and ys.max() <= quad[:, 1].max() + 2
    assert bench.items[0].text == "TOTAL"


def test_rotating_a_crop_set_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.run import main

    (tmp_path / "manifest.jsonl").write_text('{"image": "a.png", "text": "A"}\n', encoding="utf-8")
    assert main(["--data", str(tmp_path), "--rotate", "180", "--engines", "tesseract"]) == 2
    assert "--rotate applies to page sets" in capsys.readouterr().err


def _crop_set(folder: Path, n: int, name: str = "manifest.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"image": f"img/{i}.png", "text": f"w{i}"}) for i in range(n)]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / name


def test_heldout_is_exactly_what_recognizer_training_holds_out(tmp_path: Path) -> None:
    from benchmarks.run import parse_args, prepare_set
    from textlens.training.sources import load_samples, split_train_val

    manifest = _crop_set(tmp_path / "words-train", 60)
    _, val = split_train_val(load_samples(manifest), 0.1, seed=0)
    args = parse_args(["--data", str(manifest.parent), "--split", "heldout"])
    bench = prepare_set(str(manifest.parent), args, tmp_path / "work")
    assert bench.name == "words-train-heldout" and len(bench.items) == 6
    assert [str(it.image.resolve()) for it in bench.items] == [s.image for s in val]
    # --limit takes the first N of the held-out part, not N of the whole set
    args = parse_args(["--data", str(manifest.parent), "--split", "heldout", "--limit", "2"])
    limited = prepare_set(str(manifest.parent), args, tmp_path / "work2")
    assert [it.text for it in limited.items] == [it.text for it in bench.items[:2]]
    assert [json.loads(line)["text"] for line in limited.manifest.read_text().splitlines()] == [
        it.text for it in limited.items
    ]


def test_a_manifest_file_is_a_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.dataset import load_set
    from benchmarks.run import resolve_data

    manifest = _crop_set(tmp_path / "uw3-lines", 3, "manifest_test.jsonl")
    bench = load_set(manifest, limit=2)
    assert (bench.name, bench.kind, len(bench.items), bench.manifest) == ("uw3-lines-test", "crops", 2, manifest)
    assert bench.items[0].image == tmp_path / "uw3-lines" / "img" / "0.png"
    monkeypatch.setenv("TEXTLENS_DATA", str(tmp_path))
    assert resolve_data("uw3-lines/manifest_test.jsonl") == manifest


def test_memory_pdf_builds_a_streamable_pdf_of_a4_pages(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    from benchmarks.memory_pdf import build_pdf

    pdf = tmp_path / "m.pdf"
    build_pdf(pdf, pages=3, distinct=1, dpi=40)
    doc = pdfium.PdfDocument(str(pdf))
    try:
        assert len(doc) == 3
        width, height = doc[0].get_size()  # points: one A4 side is at most 8.27 x 11.69 inches
        assert width <= 8.27 * 72 + 1 and height <= 11.69 * 72 + 1
        assert max(width / (8.27 * 72), height / (11.69 * 72)) > 0.99  # scaled to fit A4
    finally:
        doc.close()
