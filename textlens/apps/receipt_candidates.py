"""Candidates for the key fields of a receipt, each with the features its ranker scores.

A rule finds every string that could be a field (a date pattern, an amount, a top line that
could be the company, a run of lines that could be the address); a small learnt ranker
(``textlens.apps.fields``) picks among them. Features are plain numbers about the text, the
position on the page and the words around the candidate, so the ranker can be trained on what
``read`` really outputs, OCR errors included.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Levenshtein

from textlens.apps.receipt_words import KEYWORDS
from textlens.document import BBox, Page, Polygon

FIELDS = ("company", "date", "address", "total")

# --------------------------------------------------------------------------- page lines


@dataclass(frozen=True)
class PageLine:
    """One line of the page, top to bottom, with its words' boxes (``words[i]`` -> ``polygons[i]``)."""

    text: str
    words: tuple[str, ...]
    polygons: tuple[Polygon, ...]
    confidences: tuple[float, ...]
    bbox: BBox

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    @property
    def centre_y(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


def page_lines(page: Page) -> list[PageLine]:
    """The page's non-empty lines in printed rows, top to bottom, each row left to right."""
    lines = []
    for line in page.lines:
        words = [w for w in line.words if w.text.strip()]
        if not words:
            continue
        lines.append(
            PageLine(
                text=" ".join(w.text for w in words),
                words=tuple(w.text for w in words),
                polygons=tuple(w.polygon for w in words),
                confidences=tuple(w.confidence for w in words),
                bbox=line.bbox,
            )
        )
    return [ln for row in _rows(lines) for ln in sorted(row, key=lambda ln: ln.bbox[0])]


def _rows(lines: list[PageLine]) -> list[list[PageLine]]:
    """Lines grouped into printed rows: a line joins the row whose centre lies within half its height."""
    rows: list[list[PageLine]] = []
    for line in sorted(lines, key=lambda ln: ln.centre_y):
        row = rows[-1] if rows else None
        if row and abs(line.centre_y - np.mean([r.centre_y for r in row])) < 0.5 * min(line.height, row[0].height):
            row.append(line)
        else:
            rows.append([line])
    return rows


@dataclass
class Candidate:
    """A string that may be the value of ``field``: where it came from and how it scores."""

    field: str
    text: str
    lines: tuple[int, ...]  # indices into the page lines
    polygons: list[Polygon]
    confidence: float  # mean OCR confidence of its words
    features: dict[str, float] = field(default_factory=dict)
    value: float | str | None = None  # a total's number, a date's ISO form
    currency: str | None = None
    context: str = ""  # an amount's row label (the words to its left)


@dataclass(frozen=True)
class PageContext:
    lines: list[PageLine]
    width: float
    height: float
    median_height: float


def page_context(page: Page) -> PageContext:
    lines = page_lines(page)
    heights = [ln.height for ln in lines] or [1.0]
    return PageContext(lines, float(page.width or 1), float(page.height or 1), float(np.median(heights)) or 1.0)


# --------------------------------------------------------------------------- words and keywords

_TOKEN = re.compile(r"[A-Z0-9]+")

_KEYWORD_SETS = {name: frozenset(words) for name, words in KEYWORDS.items()}


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.upper())


def keyword_hits(text: str, group: str) -> int:
    """How many words of ``text`` are keywords of ``group``, allowing one OCR slip in long words."""
    return sum(1 for t in tokens(text) if group in _token_groups(t))


@lru_cache(maxsize=65536)
def _token_groups(token: str) -> frozenset[str]:
    exact = {g for g, words in _KEYWORD_SETS.items() if token in words}
    if exact or len(token) < 4 or token.isdigit():
        return frozenset(exact)
    # "HANGE" is CHANGE and "TOTA" is TOTAL: one edit away from a keyword of five letters or more
    return frozenset(
        g
        for g, words in _KEYWORD_SETS.items()
        if any(len(w) >= 5 and Levenshtein.distance(token, w) <= 1 for w in words)
    )


def _ratio(text: str, predicate) -> float:
    chars = [c for c in text if not c.isspace()]
    return sum(1 for c in chars if predicate(c)) / len(chars) if chars else 0.0


def text_shape(text: str) -> dict[str, float]:
    return {
        "chars": min(len(text), 80) / 40.0,
        "words": min(len(text.split()), 12) / 6.0,
        "alpha": _ratio(text, str.isalpha),
        "digit": _ratio(text, str.isdigit),
        "upper": _ratio(text, str.isupper),
        "punct": _ratio(text, lambda c: not c.isalnum()),
        "comma": min(text.count(","), 4) / 2.0,
    }


# --------------------------------------------------------------------------- geometry


def _row_left_text(ctx: PageContext, index: int, x_right: float) -> str:
    """Words of the same printed row to the left of ``x_right`` (from this line and any other)."""
    line = ctx.lines[index]
    out = []
    for other in ctx.lines:
        overlap = min(other.bbox[3], line.bbox[3]) - max(other.bbox[1], line.bbox[1])
        if overlap < 0.5 * min(other.height, line.height):
            continue
        for word, poly in zip(other.words, other.polygons):
            if max(p[0] for p in poly) <= x_right + 2:
                out.append((min(p[0] for p in poly), word))
    return " ".join(w for _, w in sorted(out))


def _nearest_above(ctx: PageContext, index: int) -> str:
    """The line just above (overlapping horizontally) within two line heights."""
    line = ctx.lines[index]
    best, best_gap = "", 2.5 * max(line.height, ctx.median_height)
    for other in ctx.lines:
        gap = line.bbox[1] - other.bbox[3]
        if other is line or gap < -0.3 * line.height or gap > best_gap:
            continue
        if min(other.bbox[2], line.bbox[2]) - max(other.bbox[0], line.bbox[0]) > 0:
            best, best_gap = other.text, gap
    return best


def _word_span(line: PageLine, start: int, end: int) -> tuple[list[Polygon], float]:
    """Polygons and mean confidence of the words overlapping characters [start, end) of the line text."""
    polys, confs, pos = [], [], 0
    for word, poly, conf in zip(line.words, line.polygons, line.confidences):
        w_start, w_end = pos, pos + len(word)
        if w_end > start and w_start < end:
            polys.append(poly)
            confs.append(conf)
        pos = w_end + 1
    return polys, (float(np.mean(confs)) if confs else 0.0)


def _position(ctx: PageContext, line: PageLine) -> dict[str, float]:
    return {
        "y": line.centre_y / ctx.height,
        "x_left": line.bbox[0] / ctx.width,
        "x_right": line.bbox[2] / ctx.width,
        "width": (line.bbox[2] - line.bbox[0]) / ctx.width,
        "height": min(line.height / ctx.median_height, 4.0),
        "centred": 1.0 - min(abs((line.bbox[0] + line.bbox[2]) / 2 - ctx.width / 2) / (ctx.width / 2), 1.0),
    }


def _groups(prefix: str, text: str, groups: tuple[str, ...]) -> dict[str, float]:
    return {f"{prefix}_{g}": float(min(keyword_hits(text, g), 2)) for g in groups}


# --------------------------------------------------------------------------- amounts (total)

CURRENCY = r"(?:RM|MYR|USD|EUR|GBP|SGD|S\$|US\$|\$|€|£|¥)"
_AMOUNT = re.compile(
    rf"(?<![\w.,/:-])(?P<cur>{CURRENCY})?\s?(?P<num>-?\d{{1,3}}(?:,\d{{3}})+\.\d{{2}}|-?\d+[.,]\d{{2}})(?![\d/:-]|[.,]\d)"
)
AMOUNT_GROUPS = ("total", "grand", "round", "due", "sub", "summary", "tax", "cash", "change", "discount", "count")


def parse_amount(text: str) -> float | None:
    text = text.strip().replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+\.\d{2}", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"-?\d+,\d{2}", text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def amount_candidates(ctx: PageContext) -> list[Candidate]:
    found: list[tuple[Candidate, str, str]] = []
    for i, line in enumerate(ctx.lines):
        for m in _AMOUNT.finditer(line.text.upper()):
            value = parse_amount(m.group("num"))
            if value is None:
                continue
            polys, conf = _word_span(line, m.start("num"), m.end("num"))
            x_left = min(min(p[0] for p in poly) for poly in polys) if polys else line.bbox[0]
            left = _row_left_text(ctx, i, x_left) + " " + line.text[: m.start()]
            above = _nearest_above(ctx, i)
            texts = [m.group("num")]
            if m.group("cur"):  # some receipts print the currency into the amount ("RM9.00", "$8.20")
                texts.append(line.text[m.start() : m.end()].strip())
            for text in texts:
                cand = Candidate("total", text, (i,), polys, conf, value=value, currency=m.group("cur"))
                cand.context = " ".join(left.split())
                cand.features["with_currency"] = float(text != texts[0])
                found.append((cand, left, above))
    _amount_features(ctx, found)
    return [c for c, _, _ in found]


def _cash_minus_change(found: list[tuple[Candidate, str, str]]) -> set[float]:
    cash = [float(c.value) for c, left, _ in found if keyword_hits(left, "cash")]  # type: ignore[arg-type]
    change = [float(c.value) for c, left, _ in found if keyword_hits(left, "change")]  # type: ignore[arg-type]
    return {round(a - b, 2) for a in cash for b in change}


def _amount_features(ctx: PageContext, found: list[tuple[Candidate, str, str]]) -> None:
    if not found:
        return
    values = [float(c.value) for c, _, _ in found]  # type: ignore[arg-type]
    top = max(values)
    ordered = sorted(set(values), reverse=True)
    paid = _cash_minus_change(found)
    change_given = any(keyword_hits(left, "change") and float(c.value) > 0 for c, left, _ in found)  # type: ignore[arg-type]
    n = len(found)
    later_total = [False] * n
    seen = False
    for k in range(n - 1, -1, -1):
        later_total[k] = seen
        seen = seen or keyword_hits(found[k][1], "total") > 0
    for k, (c, left, above) in enumerate(found):
        v = values[k]
        f = c.features
        f.update(_groups("left", left, AMOUNT_GROUPS))
        f.update(_groups("above", above, AMOUNT_GROUPS))
        f["left_empty"] = float(not tokens(left))
        f["is_max"] = float(v == top)
        f["rank"] = ordered.index(v) / max(len(ordered) - 1, 1)
        f["rank_first"] = float(ordered.index(v) == 0)
        f["rank_second"] = float(ordered.index(v) == 1)
        f["of_max"] = v / top if top > 0 else 0.0
        f["log_value"] = math.log1p(max(v, 0.0)) / 5.0
        f["repeats"] = min(values.count(v) - 1, 4) / 2.0
        f["order"] = k / max(n - 1, 1)
        f["later_total"] = float(later_total[k])
        f["paid"] = float(round(v, 2) in paid)
        f["cash_with_change"] = float(change_given and keyword_hits(left, "cash") > 0)
        f["currency"] = float(c.currency is not None)
        f["negative"] = float(v < 0)
        f["round_cents"] = float(abs(v * 20 - round(v * 20)) < 1e-6)
        f["candidates"] = math.log1p(n) / 4.0
        f["conf"] = c.confidence
        f.update(_position(ctx, ctx.lines[c.lines[0]]))


# --------------------------------------------------------------------------- dates

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MON = r"(?P<mon>JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEPT?|OCT|NOV|DEC)[A-Z]*\.?"
_DATE_PATTERNS = (
    ("dmy", re.compile(r"(?<!\d)(?P<a>\d{1,2})\s?(?P<s>[/.-])\s?(?P<b>\d{1,2})\s?(?P=s)\s?(?P<y>\d{4}|\d{2})(?!\d)")),
    ("ymd", re.compile(r"(?<!\d)(?P<y>\d{4})(?P<s>[/.-])(?P<a>\d{1,2})(?P=s)(?P<b>\d{1,2})(?!\d)")),
    (
        "d_mon_y",
        re.compile(rf"(?<!\d)(?P<a>\d{{1,2}})(?:ST|ND|RD|TH)?[\s/.-]?{_MON}[\s/.,-]*(?P<y>\d{{4}}|\d{{2}})(?!\d)"),
    ),
    ("mon_d_y", re.compile(rf"(?<![A-Z]){_MON}\s?(?P<a>\d{{1,2}})(?:ST|ND|RD|TH)?,?[\s/.-]?(?P<y>\d{{4}})(?!\d)")),
)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def iso_date(kind: str, groups: dict[str, str]) -> str | None:
    """ISO 8601 form of a matched date when day and month cannot be swapped, else None."""
    year = _year(groups["y"])
    if kind in ("d_mon_y", "mon_d_y"):
        day, month = int(groups["a"]), MONTHS.index(groups["mon"][:3]) + 1
    elif kind == "ymd":
        month, day = int(groups["a"]), int(groups["b"])
    else:
        first, second = int(groups["a"]), int(groups["b"])
        if first > 12 and second <= 12:
            day, month = first, second
        elif second > 12 and first <= 12:
            day, month = second, first
        elif first == second <= 12:
            day, month = first, second
        else:
            return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _plausible_date(kind: str, groups: dict[str, str]) -> bool:
    a = int(groups["a"])
    b = int(groups["b"]) if "b" in groups and groups["b"] else 1
    year = _year(groups["y"])
    if not 1970 <= year <= 2099:
        return False
    if kind == "dmy":
        return 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12
    if kind == "ymd":
        return 1 <= a <= 12 and 1 <= b <= 31
    return 1 <= a <= 31


def date_candidates(ctx: PageContext) -> list[Candidate]:
    found: list[Candidate] = []
    for i, line in enumerate(ctx.lines):
        upper = line.text.upper()
        for kind, pattern in _DATE_PATTERNS:
            for m in pattern.finditer(upper):
                groups = {k: v for k, v in m.groupdict().items() if v is not None}
                if not _plausible_date(kind, groups):
                    continue
                polys, conf = _word_span(line, m.start(), m.end())
                text = line.text[m.start() : m.end()]
                cand = Candidate("date", text, (i,), polys, conf, value=iso_date(kind, groups))
                left = _row_left_text(ctx, i, line.bbox[0]) + " " + upper[: m.start()]
                f = cand.features
                f.update({f"kind_{k}": float(k == kind) for k, _ in _DATE_PATTERNS})
                f["left_date"] = float(min(keyword_hits(left, "date"), 1))
                f["line_date"] = float(min(keyword_hits(upper, "date"), 1))
                f["above_date"] = float(min(keyword_hits(_nearest_above(ctx, i), "date"), 1))
                f["line_time"] = float(bool(re.search(r"\d{1,2}:\d{2}", upper)) or keyword_hits(upper, "time") > 0)
                f["year4"] = float(len(groups["y"]) == 4)
                f["unambiguous"] = float(cand.value is not None)
                f["spaced"] = float(" " in text.strip())
                f["due"] = float(bool(re.search(r"\b(DUE|EXP|EXPIRY|VALID|BEST)\b", upper)))
                f["conf"] = conf
                f.update(_position(ctx, line))
                found.append(cand)
    _rank_features(found)
    return found


def _rank_features(cands: list[Candidate]) -> None:
    n = len(cands)
    texts = [re.sub(r"\s", "", c.text) for c in cands]
    for k, c in enumerate(cands):
        c.features["order"] = k / max(n - 1, 1)
        c.features["first"] = float(k == 0)
        c.features["repeats"] = min(texts.count(texts[k]) - 1, 3) / 2.0
        c.features["candidates"] = math.log1p(n) / 3.0


# --------------------------------------------------------------------------- company

TOP_LINES = 14  # the company and its address are printed in the head of a receipt
_REGISTRATION = re.compile(
    r"\s*(?:\((?=[^)]*\d)[^)]*\)?|\b(?:CO[.-]?\s*(?:REG|NO)|COMPANY\s+(?:REG|NO)|REG\.?\s*NO|ROC|GST)\b.*"
    r"|\b[A-Z]{0,3}\d{4,}[-\s]?[A-Z]\b.*)\s*$"
)
_REGISTRATION_LINE = re.compile(
    r"^\W*(?:[A-Z]{0,3}\d[\d\s]{3,}-?\s?[A-Z]\W*|.*\b(?:REG|ROC|CO\.?\s*NO|COMPANY NO)\b.*)$"
)


def strip_registration(text: str) -> str:
    """A company line without its trailing registration number, e.g. ``(126926-H)``."""
    return _REGISTRATION.sub("", text.upper()).strip(" ,.:;-") if text else text


def _line_features(ctx: PageContext, index: int, text: str) -> dict[str, float]:
    line = ctx.lines[index]
    f = {"index": min(index, TOP_LINES) / TOP_LINES, "conf": float(np.mean(line.confidences))}
    f.update(_position(ctx, line))
    f.update(text_shape(text))
    f.update(_groups("kw", text, ("corporate", "shop", "street", "region", "contact", "register", "document")))
    f["postcode"] = float(bool(re.search(r"(?<!\d)\d{5}(?!\d)", text)))
    f["phone"] = float(bool(re.search(r"\d{2,4}[- ]?\d{3,4}[- ]?\d{3,4}", text)) and keyword_hits(text, "contact") > 0)
    f["registration_line"] = float(bool(_REGISTRATION_LINE.match(text.upper())))
    f["starts_number"] = float(bool(re.match(r"^\W*(NO\b|LOT\b|\d)", text.upper())))
    return f


def _neighbour(ctx: PageContext, index: int, prefix: str) -> dict[str, float]:
    if not 0 <= index < len(ctx.lines):
        return {
            f"{prefix}_missing": 1.0,
            f"{prefix}_registration": 0.0,
            f"{prefix}_street": 0.0,
            f"{prefix}_contact": 0.0,
            f"{prefix}_corporate": 0.0,
            f"{prefix}_postcode": 0.0,
        }
    text = ctx.lines[index].text
    return {
        f"{prefix}_missing": 0.0,
        f"{prefix}_registration": float(bool(_REGISTRATION_LINE.match(text.upper()))),
        f"{prefix}_street": float(min(keyword_hits(text, "street") + keyword_hits(text, "region"), 2)),
        f"{prefix}_contact": float(min(keyword_hits(text, "contact") + keyword_hits(text, "register"), 2)),
        f"{prefix}_corporate": float(min(keyword_hits(text, "corporate") + keyword_hits(text, "shop"), 2)),
        f"{prefix}_postcode": float(bool(re.search(r"(?<!\d)\d{5}(?!\d)", text))),
    }


def company_candidates(ctx: PageContext) -> list[Candidate]:
    found: list[Candidate] = []
    top = [i for i, ln in enumerate(ctx.lines[: TOP_LINES * 2]) if sum(c.isalpha() for c in ln.text) >= 2][:TOP_LINES]
    for rank, i in enumerate(top):
        line = ctx.lines[i]
        spans = [((i,), line.text, 0.0, 0.0)]
        if i + 1 < len(ctx.lines):
            spans.append(((i, i + 1), line.text + " " + ctx.lines[i + 1].text, 1.0, 0.0))
        for lines, text, pair, _ in list(spans):
            stripped = strip_registration(text)
            if stripped and stripped != text.upper().strip():
                spans.append((lines, stripped, pair, 1.0))
        for lines, text, pair, stripped in spans:
            if not text.strip():
                continue
            polys = [p for j in lines for p in ctx.lines[j].polygons]
            cand = Candidate("company", text.strip(), lines, polys, float(np.mean(line.confidences)))
            f = cand.features
            f.update(_line_features(ctx, i, text))
            f["rank"] = rank / TOP_LINES
            f["first"] = float(rank == 0)
            f["pair"], f["stripped"] = pair, stripped
            f.update(_neighbour(ctx, lines[-1] + 1, "next"))
            f.update(_neighbour(ctx, i - 1, "prev"))
            found.append(cand)
    return found


# --------------------------------------------------------------------------- address

MAX_ADDRESS_LINES = 5


def address_candidates(ctx: PageContext) -> list[Candidate]:
    found: list[Candidate] = []
    limit = min(len(ctx.lines), TOP_LINES + 6)
    per_line = [_line_features(ctx, i, ctx.lines[i].text) for i in range(limit)]
    for start in range(limit):
        for end in range(start + 1, min(start + MAX_ADDRESS_LINES, limit) + 1):
            lines = tuple(range(start, end))
            text = " ".join(ctx.lines[j].text for j in lines)
            polys = [p for j in lines for p in ctx.lines[j].polygons]
            conf = float(np.mean([c for j in lines for c in ctx.lines[j].confidences]))
            cand = Candidate("address", text, lines, polys, conf)
            f = cand.features
            members = [per_line[j] for j in lines]
            for key in (
                "kw_street",
                "kw_region",
                "kw_contact",
                "kw_register",
                "kw_document",
                "kw_corporate",
                "kw_shop",
                "postcode",
                "phone",
                "registration_line",
                "digit",
                "alpha",
                "comma",
            ):
                vals = [m[key] for m in members]
                f[f"sum_{key}"] = min(sum(vals), 4.0)
                f[f"min_{key}"] = min(vals)
                f[f"max_{key}"] = max(vals)
            f["lines"] = len(lines) / MAX_ADDRESS_LINES
            f["start_index"] = start / limit
            f["y"] = ctx.lines[start].centre_y / ctx.height
            f["first_starts_number"] = members[0]["starts_number"]
            f["last_postcode"] = members[-1]["postcode"]
            f["last_region"] = min(members[-1]["kw_region"], 2.0)
            f["chars"] = min(len(text), 160) / 80.0
            f["height_spread"] = float(np.std([m["height"] for m in members]))
            f["conf"] = conf
            f.update(_neighbour(ctx, end, "next"))
            f.update(_neighbour(ctx, start - 1, "prev"))
            found.append(cand)
    return found


GENERATORS = {
    "company": company_candidates,
    "date": date_candidates,
    "address": address_candidates,
    "total": amount_candidates,
}


def candidates(page: Page) -> dict[str, list[Candidate]]:
    """Every field's candidates on a page, features filled in."""
    ctx = page_context(page)
    return {name: make(ctx) for name, make in GENERATORS.items()}
