from __future__ import annotations

import string
from pathlib import Path

import pytest

from textlens.synth import fonts


def test_discover_fonts_finds_ascii_fonts() -> None:
    found = fonts.discover_fonts()
    assert found, "at least matplotlib's DejaVu must be found"
    assert all(Path(p).is_file() for p in found)
    for path in found[:20]:
        info = fonts.font_info(path)
        assert set(string.ascii_letters + string.digits) <= info.chars
        assert info.family


def test_skips_symbol_and_non_latin_fonts() -> None:
    names = [Path(p).name.lower() for p in fonts.discover_fonts()]
    assert not any("emoji" in n or "symbol" in n or "math" in n for n in names)
    assert not any(n.startswith("notosans") and "arabic" in n for n in names)


def test_fallback_to_matplotlib_without_system_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(fonts, "FONT_DIRS", (str(tmp_path / "none"),))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fonts._scan.cache_clear()
    try:
        found = fonts.discover_fonts()
        assert any(Path(p).name == "DejaVuSans.ttf" for p in found)
        assert any(fonts.font_info(p).mono for p in found)
        assert list((tmp_path / "cache" / "textlens").glob("fonts-*.json")), "scan result is cached on disk"
    finally:
        fonts._scan.cache_clear()
        fonts.font_info.cache_clear()


def test_charset_required_filters() -> None:
    everything = fonts.discover_fonts()
    with_euro = fonts.discover_fonts(charset_required=string.ascii_letters + "€")
    assert set(with_euro) <= set(everything)
