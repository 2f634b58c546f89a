"""Labelled synthetic receipts: a page whose company, date, address and total are known.

The layout follows the receipts of SROIE: a centred head (company, registration number,
address lines, phone, "TAX INVOICE"), a date line, item rows with right-aligned amounts, then
the summary (subtotal, tax, total, cash, change). Used for test fixtures and to try the fields
ranker on receipts nobody labelled by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from textlens.synth import corpus
from textlens.synth.pages import _Canvas, _font, _font_lists, _pick

COMPANY_WORDS = ("GOLDEN", "SUNRISE", "EVERGREEN", "MEGA", "UNITED", "PERFECT", "ORIENT", "HAPPY", "SILVER", "ROYAL")
COMPANY_KINDS = ("TRADING", "HARDWARE", "ENTERPRISE", "RESTAURANT", "BAKERY", "STATIONERY", "MINI MARKET", "PHARMACY")
SUFFIXES = ("SDN BHD", "SDN. BHD.", "(M) SDN BHD", "", "")
STREETS = ("JALAN", "LORONG", "PERSIARAN", "JALAN BESAR")
PLACES = ("KUALA LUMPUR", "SHAH ALAM", "JOHOR BAHRU", "PETALING JAYA", "KLANG", "SERI KEMBANGAN")
STATES = ("SELANGOR", "JOHOR", "WILAYAH PERSEKUTUAN", "PERAK")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass
class SynthReceipt:
    """An RGB uint8 receipt, its key fields as printed, and every printed segment's box."""

    image: np.ndarray
    fields: dict[str, str]
    quads: list[np.ndarray] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def _company(rng: np.random.Generator) -> str:
    name = f"{_pick(rng, COMPANY_WORDS)} {_pick(rng, COMPANY_KINDS)}"
    return f"{name} {_pick(rng, SUFFIXES)}".strip()


def _address_lines(rng: np.random.Generator) -> list[str]:
    number, street = int(rng.integers(1, 200)), f"{_pick(rng, STREETS)} {_pick(rng, COMPANY_WORDS)}"
    first = f"NO. {number}, {street} {int(rng.integers(1, 20))},"
    second = f"{int(rng.integers(10000, 99999))} {_pick(rng, PLACES)},"
    return [first, second, f"{_pick(rng, STATES)}."]


def _date(rng: np.random.Generator) -> str:
    d, m, y = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(2015, 2025))
    style = int(rng.integers(0, 3))
    if style == 0:
        return f"{d:02d}/{m:02d}/{y}"
    if style == 1:
        return f"{d:02d}-{m:02d}-{y % 100:02d}"
    return f"{d:02d} {MONTHS[m - 1]} {y}"


def render_receipt(rng: np.random.Generator, width: int = 480) -> SynthReceipt:
    """One receipt with clean print (a monospace font), its fields and segment boxes."""
    _, mono = _font_lists()
    face = _pick(rng, mono)
    size = max(12, width // 30)
    font, big = _font(face, size), _font(face, int(size * 1.4))
    company, address, date = _company(rng), _address_lines(rng), _date(rng)
    items = [
        (corpus.item_name(rng).upper()[:22], float(rng.integers(100, 9000)) / 100) for _ in range(rng.integers(2, 6))
    ]
    subtotal = round(sum(a for _, a in items), 2)
    tax = round(subtotal * 0.06, 2)
    total = round(subtotal + tax, 2)
    cash = float(np.ceil(total / 10) * 10)
    lines: list[tuple[str, str, object]] = [
        ("centre", company, big),
        ("centre", f"({int(rng.integers(100000, 999999))}-X)", font),
    ]
    lines += [("centre", a, font) for a in address]
    lines += [("centre", f"TEL: 03-{int(rng.integers(1000000, 9999999))}", font), ("centre", "TAX INVOICE", font)]
    lines += [("pair", f"DATE: {date}", f"{int(rng.integers(8, 22)):02d}:{int(rng.integers(0, 60)):02d}")]
    lines += [("pair", name, f"{amount:.2f}") for name, amount in items]
    lines += [("pair", "SUBTOTAL", f"{subtotal:.2f}"), ("pair", "GST 6%", f"{tax:.2f}")]
    lines += [
        ("pair", "TOTAL", f"{total:.2f}"),
        ("pair", "CASH", f"{cash:.2f}"),
        ("pair", "CHANGE", f"{cash - total:.2f}"),
    ]
    spacing = 1.5
    height = int((len(lines) + 3) * size * spacing + big.size * 2)
    canvas = _Canvas(width, height, rng)
    margin, y = width // 16, size
    for kind, left, right in lines:
        f = right if kind == "centre" else font
        if kind == "centre":
            canvas.text((width - f.getlength(left)) / 2, y, left, f)
        else:
            canvas.text(margin, y, left, font)
            canvas.text(width - margin - font.getlength(str(right)), y, str(right), font)
        y += f.size * spacing
    fields = {"company": company, "date": date, "address": " ".join(address), "total": f"{total:.2f}"}
    return SynthReceipt(np.asarray(canvas.image), fields, canvas.quads, canvas.texts)
