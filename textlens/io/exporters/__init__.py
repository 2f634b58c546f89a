"""Export a Document to files: txt, json, tsv, hocr, alto, page (PAGE XML) and pdf (searchable).

One module per format, each with ``export(document) -> bytes`` (pdf also takes the page
images). Use :func:`export_document` for bytes or :func:`write_document` for a file::

    from textlens.io.exporters import write_document
    write_document(document, "scan.alto.xml")            # format from the suffix
    write_document(document, "scan.pdf", page_images=[rgb])  # image + invisible text
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from textlens.document import Document
from textlens.errors import TextlensError
from textlens.io.atomic import write_atomic

from .pdf import PageImages


@dataclass(frozen=True)
class ExportFormat:
    """An output format: its name, the file suffixes that select it, its media type and its module."""

    name: str
    suffixes: tuple[str, ...]
    media_type: str
    module: str = ""  # exporter module in this package; defaults to the name

    @property
    def module_name(self) -> str:
        return self.module or self.name


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("txt", (".txt",), "text/plain; charset=utf-8", module="text"),
        ExportFormat("json", (".json",), "application/json"),
        ExportFormat("tsv", (".tsv",), "text/tab-separated-values; charset=utf-8"),
        ExportFormat("hocr", (".hocr", ".html"), "text/html; charset=utf-8"),
        ExportFormat("alto", (".xml", ".alto.xml"), "application/xml"),
        ExportFormat("page", (".page.xml",), "application/xml"),
        ExportFormat("pdf", (".pdf",), "application/pdf"),
    )
}


# The suffix of each format's file when textlens names the output after its input.
OUTPUT_SUFFIXES = {
    "txt": ".txt",
    "json": ".json",
    "tsv": ".tsv",
    "hocr": ".hocr",
    "alto": ".alto.xml",
    "page": ".page.xml",
    "pdf": ".pdf",
}


def _valid_formats() -> str:
    return ", ".join(f"{f.name} ({'/'.join(f.suffixes)})" for f in FORMATS.values())


def check_format(fmt: str) -> str:
    """Normalise a format name, or raise TextlensError listing the valid ones."""
    name = fmt.lower().lstrip(".")
    if name not in FORMATS:
        raise TextlensError(f"unknown export format {fmt!r}: use one of {_valid_formats()}")
    return name


def format_from_suffix(path: str | os.PathLike[str]) -> str:
    """The format a file name asks for; the longest matching suffix wins (``.page.xml`` beats ``.xml``)."""
    name = Path(path).name.lower()
    matches = [(len(s), f.name) for f in FORMATS.values() for s in f.suffixes if name.endswith(s)]
    if not matches:
        raise TextlensError(f"{path}: cannot tell the export format from the suffix; use one of {_valid_formats()}")
    return max(matches)[1]


def export_document(document: Document, fmt: str, page_images: PageImages | None = None) -> bytes:
    """The document in format ``fmt`` as bytes (UTF-8 for the text formats).

    ``page_images`` (only used by pdf) is a sequence of RGB uint8 arrays, one per page, or a
    callable ``index -> array``; without it the PDF pages are white.
    """
    name = check_format(fmt)
    module = importlib.import_module(f"{__name__}.{FORMATS[name].module_name}")
    if name == "pdf":
        return module.export(document, page_images=page_images)
    return module.export(document)


def write_document(
    document: Document,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    page_images: PageImages | None = None,
) -> Path:
    """Write the document to ``path`` atomically (the format comes from the suffix unless given).

    The whole output is built in memory first, so a failing export leaves no file behind and
    an existing file untouched.
    """
    name = check_format(fmt) if fmt else format_from_suffix(path)
    data = export_document(document, name, page_images=page_images)
    write_atomic(path, data)
    return Path(path)


__all__ = [
    "FORMATS",
    "OUTPUT_SUFFIXES",
    "ExportFormat",
    "check_format",
    "export_document",
    "format_from_suffix",
    "write_document",
]
