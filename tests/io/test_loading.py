"""Good inputs: every format, colour mode and source kind loads as upright RGB uint8 pages."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from textlens.errors import TextlensError
from textlens.io import loading
from textlens.io.loading import SUPPORTED_SUFFIXES, PageImage, expand_inputs, iter_pages, load_image
from textlens.io.pdf import fit_dpi

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def quadrants(width: int = 64, height: int = 48) -> Image.Image:
    """Red, green / blue, white quadrants: shows orientation and channel order at a glance."""
    arr = np.zeros((height, width, 3), np.uint8)
    h, w = height // 2, width // 2
    arr[:h, :w], arr[:h, w:], arr[h:, :w], arr[h:, w:] = RED, GREEN, BLUE, WHITE
    return Image.fromarray(arr)


def assert_quadrants(image: np.ndarray, width: int = 64, height: int = 48, tol: int = 0) -> None:
    assert image.shape == (height, width, 3) and image.dtype == np.uint8
    h, w = height // 4, width // 4  # sample each quadrant's centre, away from lossy edges
    for (y, x), colour in zip([(h, w), (h, 3 * w), (3 * h, w), (3 * h, 3 * w)], [RED, GREEN, BLUE, WHITE]):
        assert np.abs(image[y, x].astype(int) - colour).max() <= tol, (y, x, image[y, x], colour)


def pdf_bytes(*pages: Image.Image) -> bytes:
    """A PDF whose pages are these images at 72 dpi, so page size in points = image size in pixels."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=list(pages[1:]), resolution=72)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "suffix", "options", "tol"),
    [
        ("PNG", ".png", {}, 0),
        ("JPEG", ".jpg", {"quality": 95}, 40),
        ("TIFF", ".tif", {}, 0),
        ("BMP", ".bmp", {}, 0),
        ("WEBP", ".webp", {"lossless": True}, 0),
        ("GIF", ".gif", {}, 0),
    ],
)
def test_each_image_format_loads_as_rgb(tmp_path: Path, fmt: str, suffix: str, options: dict, tol: int) -> None:
    path = tmp_path / f"page{suffix}"
    quadrants().save(path, fmt, **options)
    pages = list(iter_pages(path))
    assert len(pages) == 1
    page = pages[0]
    assert isinstance(page, PageImage) and page.index == 0 and page.source == str(path)
    assert_quadrants(page.image, tol=tol)


def test_format_comes_from_content_not_extension(tmp_path: Path) -> None:
    jpeg_named_png = tmp_path / "photo.png"
    quadrants().save(jpeg_named_png, "JPEG", quality=95)
    assert_quadrants(load_image(jpeg_named_png), tol=40)
    pdf_named_png = tmp_path / "doc.png"
    pdf_named_png.write_bytes(pdf_bytes(quadrants()))
    assert_quadrants(load_image(pdf_named_png, dpi=72), tol=40)
    png_without_suffix = tmp_path / "scan"
    quadrants().save(png_without_suffix, "PNG")
    assert_quadrants(load_image(str(png_without_suffix)))


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    img = quadrants(64, 48)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "camera.jpg"
    img.save(path, "JPEG", quality=95, exif=exif)
    image = load_image(path)
    assert image.shape == (64, 48, 3)
    # Clockwise rotation moves the top-left red quadrant to the top-right.
    assert np.abs(image[16, 36].astype(int) - RED).max() <= 40
    assert np.abs(image[16, 12].astype(int) - BLUE).max() <= 40


def test_dpi_is_read_from_metadata(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    quadrants().save(path, dpi=(300, 300))
    assert next(iter_pages(path)).dpi == pytest.approx(300, abs=0.5)
    bare = tmp_path / "bare.bmp"
    quadrants().save(bare)
    assert next(iter_pages(bare)).dpi in (None, pytest.approx(96, abs=1))  # BMP always stores some density


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_gray_is_scaled_not_clipped(tmp_path: Path, fmt: str) -> None:
    values = np.array([[0, 257 * 128, 65535, 257]], np.uint16).repeat(8, axis=0).repeat(8, axis=1)
    path = tmp_path / f"deep.{fmt.lower()}"
    Image.fromarray(values).save(path, fmt)
    image = load_image(path)
    assert image.shape == (8, 32, 3)
    assert image[0, ::8, 0].tolist() == [0, 128, 255, 1]
    assert (image[..., 0] == image[..., 2]).all()


def test_cmyk_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "print.tif"
    Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(path)  # full magenta + yellow = red
    assert (load_image(path) == RED).all()


def test_palette_transparency_composites_on_white(tmp_path: Path) -> None:
    img = Image.new("P", (16, 16), 0)
    img.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    img.paste(1, (0, 0, 8, 16))  # left half blue, right half index 0 = transparent black
    path = tmp_path / "logo.png"
    img.save(path, transparency=0)
    image = load_image(path)
    assert (image[:, :8] == BLUE).all() and (image[:, 8:] == WHITE).all()


def test_rgba_and_la_alpha_composite_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[:, :8, 3] = 255  # opaque black
    rgba[:, 8:12, 3] = 128  # half-transparent black
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    image = load_image(path)
    assert (image[:, :8] == 0).all() and (image[:, 12:] == 255).all()
    assert abs(int(image[0, 9, 0]) - 127) <= 1
    la = tmp_path / "la.png"
    Image.fromarray(rgba[:, :, 2:4], "LA").save(la)
    assert (load_image(la) == image).all()


def test_one_bit_and_float_modes(tmp_path: Path) -> None:
    bits = Image.new("1", (16, 16), 0)
    bits.paste(1, (8, 0, 16, 16))
    path = tmp_path / "fax.tif"
    bits.save(path)
    image = load_image(path)
    assert (image[:, :8] == 0).all() and (image[:, 8:] == 255).all()
    floats = np.full((16, 16), 0.5, np.float32)
    fpath = tmp_path / "float.tif"
    Image.fromarray(floats, "F").save(fpath)
    assert (load_image(fpath) == 128).all()


def test_multipage_tiff_streams_every_page_in_order(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (32 + 8 * i, 24), colour) for i, colour in enumerate([RED, GREEN, BLUE])]
    path = tmp_path / "fax.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pages = iter_pages(path)
    assert not isinstance(pages, list)  # a lazy iterator, not a decoded list
    pages = list(pages)
    assert [p.index for p in pages] == [0, 1, 2]
    assert [tuple(p.image[0, 0]) for p in pages] == [RED, GREEN, BLUE]
    assert [p.image.shape[1] for p in pages] == [32, 40, 48]
    assert len(list(iter_pages(path, first_page_only=True))) == 1


def test_animated_gif_gives_first_frame_only(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (16, 16), RED), Image.new("RGB", (16, 16), BLUE)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pages = list(iter_pages(path))
    assert len(pages) == 1 and (pages[0].image == RED).all()


def test_pdf_pages_render_at_requested_dpi(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf_bytes(Image.new("RGB", (144, 72), RED), Image.new("RGB", (72, 144), BLUE)))
    pages = list(iter_pages(path, dpi=100))
    assert [p.index for p in pages] == [0, 1]
    assert [p.image.shape for p in pages] == [(100, 200, 3), (200, 100, 3)]
    assert all(p.dpi == 100 and p.source == str(path) for p in pages)
    assert np.abs(pages[0].image[50, 100].astype(int) - RED).max() <= 10
    assert np.abs(pages[1].image[100, 50].astype(int) - BLUE).max() <= 10
    first = list(iter_pages(path, dpi=72, first_page_only=True))
    assert len(first) == 1 and first[0].image.shape == (72, 144, 3)


def test_pdf_made_with_pypdfium2_and_many_pages_stream(tmp_path: Path) -> None:
    doc = pdfium.PdfDocument.new()
    for _ in range(50):
        doc.new_page(612, 792)  # US Letter, blank
    path = tmp_path / "long.pdf"
    doc.save(str(path))
    doc.close()
    count = 0
    for page in iter_pages(path, dpi=18):  # one page in memory at a time
        assert page.image.shape == (198, 153, 3) and (page.image == 255).all()
        count += 1
    assert count == 50


def test_pdf_page_too_big_for_dpi_is_rendered_at_lower_dpi(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(loading, "MAX_PIXELS", 100_000)
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf_bytes(Image.new("RGB", (144, 72), RED)))
    page = next(iter_pages(path, dpi=400))  # 800 x 400 px = 320 000 px requested
    height, width = page.image.shape[:2]
    assert page.dpi is not None and 200 < page.dpi < 400
    assert width * height <= 100_000
    assert width == pytest.approx(144 * page.dpi / 72, abs=1)


def test_fit_dpi_caps_a_huge_page_at_high_dpi() -> None:
    # A 200 x 200 inch page (PDF's largest) at 600 dpi would be 14 400 megapixels.
    dpi = fit_dpi(14_400, 14_400, 600, loading.MAX_PIXELS)
    assert dpi < 600 and (14_400 * dpi / 72) ** 2 <= loading.MAX_PIXELS
    assert fit_dpi(612, 792, 200, loading.MAX_PIXELS) == 200


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.full((16, 16), 7, np.uint8), (7, 7, 7)),
        (np.full((16, 16, 1), 7, np.uint8), (7, 7, 7)),
        (np.tile(np.array([1, 2, 3], np.uint8), (16, 16, 1)), (1, 2, 3)),
        (np.tile(np.array([0, 0, 0, 0], np.uint8), (16, 16, 1)), (255, 255, 255)),
        (np.full((16, 16, 3), 65535, np.uint16), (255, 255, 255)),
        (np.full((16, 16), 0.5, np.float64), (128, 128, 128)),
        (np.ones((16, 16), bool), (255, 255, 255)),
        (np.full((16, 16, 3), 200, np.int64), (200, 200, 200)),
    ],
    ids=["gray", "gray1", "rgb", "rgba-clear", "uint16", "float", "bool", "int64"],
)
def test_numpy_inputs(array: np.ndarray, expected: tuple[int, int, int]) -> None:
    pages = list(iter_pages(array))
    assert len(pages) == 1
    page = pages[0]
    assert page.source == "<array>" and page.dpi is None and page.index == 0
    assert page.image.shape == (16, 16, 3) and page.image.dtype == np.uint8
    assert (page.image == expected).all()


def test_numpy_rgb_input_is_copied() -> None:
    array = np.zeros((16, 16, 3), np.uint8)
    image = load_image(array)
    image[:] = 1
    assert (array == 0).all()


def test_pil_input() -> None:
    img = Image.new("RGBA", (20, 10), (0, 0, 255, 0))
    page = next(iter_pages(img))
    assert page.source == "<image>" and (page.image == WHITE).all()
    assert_quadrants(load_image(quadrants()))


def test_bytes_file_object_and_stdin_inputs(monkeypatch) -> None:
    out = io.BytesIO()
    quadrants().save(out, "PNG")
    data = out.getvalue()
    page = next(iter_pages(data))
    assert page.source == "<bytes>"
    assert_quadrants(page.image)
    assert_quadrants(load_image(bytearray(data)))
    assert_quadrants(load_image(io.BytesIO(data)))
    pdf = list(iter_pages(pdf_bytes(quadrants(), quadrants()), dpi=72))
    assert len(pdf) == 2 and pdf[1].index == 1 and pdf[1].source == "<bytes>"

    class FakeStdin:
        buffer = io.BytesIO(data)

        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    page = next(iter_pages("-"))
    assert page.source == "<stdin>"
    assert_quadrants(page.image)


def test_load_image_returns_first_page(tmp_path: Path) -> None:
    path = tmp_path / "two.tif"
    Image.new("RGB", (16, 16), GREEN).save(path, save_all=True, append_images=[Image.new("RGB", (16, 16), RED)])
    assert (load_image(path) == GREEN).all()


def test_expand_inputs_folders_globs_files_and_stdin(tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    (folder / "sub").mkdir(parents=True)
    for name in ["b10.png", "b2.PNG", "a.jpg", "doc.pdf", "notes.txt", ".hidden.png", "sub/c.png"]:
        (folder / name).write_bytes(b"x")
    assert expand_inputs([str(folder)]) == [str(folder / n) for n in ["a.jpg", "b2.PNG", "b10.png", "doc.pdf"]]
    assert expand_inputs([str(folder / "b*.png")]) == [str(folder / "b10.png")]
    assert expand_inputs([str(folder / "**" / "*.png")]) == [str(folder / "b10.png"), str(folder / "sub" / "c.png")]
    # An explicit file is kept whatever its suffix (content decides); duplicates go; '-' stays.
    notes = str(folder / "notes.txt")
    assert expand_inputs([notes, "-", str(folder / "a.jpg"), str(folder)])[:3] == [notes, "-", str(folder / "a.jpg")]
    assert len(expand_inputs([str(folder), str(folder)])) == 4
    assert ".pdf" in SUPPORTED_SUFFIXES and ".png" in SUPPORTED_SUFFIXES


def test_expand_inputs_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    cases = {
        str(tmp_path / "missing.png"): "no such file",
        str(tmp_path / "*.tif"): "matches no images",
        str(tmp_path / "empty"): "no images or PDFs",
    }
    for item, phrase in cases.items():
        with pytest.raises(TextlensError) as info:
            expand_inputs([item])
        assert item in str(info.value) and phrase in str(info.value)


def test_a_huge_jpeg_is_decoded_at_half_size_and_knows_its_full_size(tmp_path: Path) -> None:
    image = np.full((3280, 5000, 3), 255, np.uint8)
    image[1000:1200, 2000:3000] = 0
    Image.fromarray(image).save(tmp_path / "scan.jpg", quality=90, dpi=(600, 600))
    Image.fromarray(image[:3200, :3000]).save(tmp_path / "small.jpg", quality=90)  # 9.6 MP: left alone
    (page,) = list(iter_pages(tmp_path / "scan.jpg"))
    assert page.image.shape == (1640, 2500, 3) and page.full_size == (5000, 3280)
    assert page.dpi == pytest.approx(300)
    assert page.image[500:600, 1000:1500].max() < 40 and page.image[:400].min() > 200
    (small,) = list(iter_pages(tmp_path / "small.jpg"))
    assert small.image.shape == (3200, 3000, 3) and small.full_size is None
