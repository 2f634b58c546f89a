"""Bad inputs: each one is a one-line TextlensError naming the file and the problem, never a traceback.

The same files are run through ``textlens read`` to check exit code 2 and a one-line stderr.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from textlens.errors import TextlensError
from textlens.io import loading
from textlens.io.loading import iter_pages

# --- fixture builders (everything is made in tmp_path) ----------------------------------------


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    rng = np.random.default_rng(0)  # noise does not compress, so a cut lands inside the pixel data
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(out, "JPEG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and header claiming a size, with an empty image stream."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def pdf_from_objects(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A minimal PDF with a correct cross-reference table; object i+1 is objects[i]."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def good_pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (144, 72), (255, 0, 0)).save(out, "PDF", resolution=72)
    return out.getvalue()


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: bytes, owner_password: bytes = b"owner") -> bytes:
    """A one-page PDF (72 x 72 pt, bottom half red) with the standard 40-bit RC4 security handler
    (PDF 1.7 spec, algorithms 3.1-3.4, revision 2): no installed package writes encrypted PDFs."""
    file_id, permissions = bytes(range(16)), -4

    def pad(password: bytes) -> bytes:
        return (password + _PAD)[:32]

    owner_entry = rc4(hashlib.md5(pad(owner_password)).digest()[:5], pad(user_password))
    key = hashlib.md5(pad(user_password) + owner_entry + struct.pack("<i", permissions) + file_id).digest()[:5]
    user_entry = rc4(key, _PAD)
    content_number = 4  # streams are encrypted with a key derived from their object number
    content = rc4(
        hashlib.md5(key + struct.pack("<i", content_number)[:3] + b"\0\0").digest()[:10], b"1 0 0 rg 0 0 72 36 re f"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (owner_entry.hex().encode(), user_entry.hex().encode(), permissions),
    ]
    ident = file_id.hex().encode()
    return pdf_from_objects(objects, b"/Encrypt 5 0 R /ID [<%s> <%s>]" % (ident, ident))


def zero_page_pdf() -> bytes:
    return pdf_from_objects([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def pdfium_zero_page_pdf() -> bytes:
    doc = pdfium.PdfDocument.new()
    out = io.BytesIO()
    doc.save(out)
    doc.close()
    return out.getvalue()


def write(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return build


def folder(tmp_path: Path) -> Path:
    path = tmp_path / "scans.png"  # a folder named like a file
    path.mkdir()
    return path


def missing(tmp_path: Path) -> Path:
    return tmp_path / "nowhere.png"


def corrupt_png() -> bytes:
    data = bytearray(png_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = np.random.default_rng(1).integers(0, 256, 64, dtype=np.uint8).tobytes()
    return bytes(data)


def tiny_image(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, "PNG")
    return out.getvalue()


# (case id, builder, phrase the message must contain)
BAD_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("zero-bytes", write("empty.png", b""), "empty"),
    ("truncated-png", write("cut.png", png_bytes()[:5000]), "truncated"),
    ("truncated-jpeg", write("cut.jpg", jpeg_bytes()[:-200]), "truncated"),
    ("corrupt-png", write("noise.png", corrupt_png()), "corrupt"),
    ("random-bytes", write("random.jpg", np.random.default_rng(2).bytes(4096)), "not an image or PDF"),
    ("text-as-png", write("readme.png", b"This is not an image.\n" * 20), "not an image or PDF"),
    ("bomb-30000x30000", write("bomb.png", png_header_only(30_000, 30_000)), "too large"),
    ("one-pixel-strip", write("strip.png", tiny_image(1, 2000)), "longer than 100:1"),
    ("aspect-200-to-1", write("ribbon.png", tiny_image(3200, 16)), "longer than 100:1"),
    ("encrypted-pdf", write("secret.pdf", encrypted_pdf(b"secret")), "encrypted and needs a password"),
    ("broken-pdf", write("broken.pdf", b"%PDF-1.7\n" + np.random.default_rng(3).bytes(2000)), "damaged"),
    ("truncated-pdf", write("cut.pdf", good_pdf()[:-300]), "damaged or truncated"),
    ("zero-page-pdf", write("nopages.pdf", zero_page_pdf()), "no pages"),
    ("pdfium-zero-page-pdf", write("blank.pdf", pdfium_zero_page_pdf()), "no pages"),
    ("directory", folder, "folder"),  # "is a folder", or via the CLI "folder has no images"
    ("missing", missing, "no such file"),
]


def assert_one_line_naming(message: str, path: Path, phrase: str) -> None:
    assert "\n" not in message, message
    assert str(path) in message, message
    assert phrase in message, message


@pytest.mark.parametrize(("build", "phrase"), [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_one_line_error(tmp_path: Path, build: Callable[[Path], Path], phrase: str) -> None:
    path = build(tmp_path)
    started = time.monotonic()
    with pytest.raises(TextlensError) as info:
        list(iter_pages(path))
    assert time.monotonic() - started < 5  # fails fast: nothing is allocated for a bomb
    assert_one_line_naming(str(info.value), path, phrase)


@pytest.mark.parametrize("size", [(5, 9), (1, 1), (4, 100)])
def test_small_images_load(tmp_path: Path, size: tuple[int, int]) -> None:
    """A letter cut from a photo is text too: small images are upscaled later, never refused."""
    path = tmp_path / "small.png"
    path.write_bytes(tiny_image(*size))
    assert next(iter_pages(path)).image.shape == (size[1], size[0], 3)


def test_unreadable_file(tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = tmp_path / "locked.png"
    path.write_bytes(png_bytes())
    path.chmod(0)
    try:
        with pytest.raises(TextlensError) as info:
            list(iter_pages(path))
        assert_one_line_naming(str(info.value), path, "permission denied")
    finally:
        path.chmod(0o644)


def test_folder_passed_to_iter_pages(tmp_path: Path) -> None:
    with pytest.raises(TextlensError) as info:
        iter_pages(tmp_path)
    assert_one_line_naming(str(info.value), tmp_path, "is a folder, not a file")


def test_permission_error_even_as_root(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "locked.png"
    path.write_bytes(png_bytes())

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(loading, "open", refuse, raising=False)  # the module's own open()
    with pytest.raises(TextlensError) as info:
        iter_pages(path)
    assert_one_line_naming(str(info.value), path, "permission denied")


def test_encrypted_pdf_opens_with_password(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    path.write_bytes(encrypted_pdf(b"secret"))
    page = next(iter_pages(path, dpi=72, password="secret"))
    assert page.image.shape == (72, 72, 3)
    assert tuple(page.image[60, 36]) == (255, 0, 0) and tuple(page.image[10, 36]) == (255, 255, 255)
    with pytest.raises(TextlensError) as info:
        list(iter_pages(path, password="guess"))
    assert_one_line_naming(str(info.value), path, "wrong password")


def test_pixel_limit_is_configurable(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(tiny_image(400, 300))
    monkeypatch.setattr(loading, "MAX_PIXELS", 100_000)
    with pytest.raises(TextlensError) as info:
        list(iter_pages(path))
    assert_one_line_naming(str(info.value), path, "megapixel limit")


def test_bad_page_inside_multipage_tiff_names_the_page(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (32, 32), "red"), Image.new("RGB", (1, 320), "blue")]  # 320:1, refused
    path = tmp_path / "mixed.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pages = iter_pages(path)
    assert next(pages).index == 0  # the good first page still comes out
    with pytest.raises(TextlensError) as info:
        next(pages)
    assert_one_line_naming(str(info.value), path, "(page 2)")


@pytest.mark.parametrize(
    ("array", "phrase"),
    [
        (np.zeros((2, 16, 16, 3), np.uint8), "not an image"),
        (np.full((16, 16), 255.0), "must lie in [0, 1]"),
        (np.full((16, 16), np.nan), "NaN"),
        (np.full((16, 16), -3, np.int32), "0..255"),
        (np.zeros((16, 16), np.complex64), "unsupported array dtype"),
        (np.zeros((0, 100), np.uint8), "at least 1 px"),
    ],
    ids=["4d", "float-255", "nan", "negative", "complex", "empty"],
)
def test_bad_arrays(array: np.ndarray, phrase: str) -> None:
    with pytest.raises(TextlensError) as info:
        list(iter_pages(array))
    assert_one_line_naming(str(info.value), Path("<array>"), phrase)


def test_bad_arguments_and_sources(monkeypatch) -> None:
    with pytest.raises(TextlensError, match="dpi must be a positive number"):
        iter_pages(b"x", dpi=0)
    with pytest.raises(TextlensError, match="cannot load a int"):
        iter_pages(42)
    with pytest.raises(TextlensError, match="<bytes>: input is empty"):
        iter_pages(b"")

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    with pytest.raises(TextlensError, match="<stdin>: nothing piped in"):
        iter_pages("-")


# --- the same files through the CLI --------------------------------------------------------------


@pytest.fixture(scope="module")
def read_command() -> None:
    from textlens.cli import main

    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            registered = main(["read", "--help"]) == 0
        except Exception:  # "No such command" may escape main() as a usage error
            registered = False
    if not registered:
        pytest.skip("the `textlens read` command is not registered yet")


@pytest.mark.parametrize(("build", "phrase"), [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_cli_read_exits_2_with_one_line(
    tmp_path: Path, capsys, read_command: None, build: Callable[[Path], Path], phrase: str
) -> None:
    from textlens.cli import main

    path = build(tmp_path)
    capsys.readouterr()
    assert main(["read", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("textlens: error:")
    assert_one_line_naming(lines[0], path, phrase)
