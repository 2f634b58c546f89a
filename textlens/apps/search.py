"""Word search over a collection of images and PDFs: read once into SQLite, query in milliseconds.

``SearchIndex.add`` reads files with the pipeline and stores every word and line with its page,
box and confidence; SQLite's FTS5 indexes them (case-insensitive, accents ignored: "cafe" finds
"Café"). Adding the same folder again reads only files that are new or changed (size or
modification time). ``search`` finds a word, a prefix (``prefix=True``: "recei" finds
"receipt"), or a phrase (several words: lines that hold them in order); ``fuzzy=True`` also takes
the indexed words within a small edit distance of each query word, so a word the OCR misread by a
letter or two is still found (rapidfuzz over FTS5's own vocabulary table).
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textlens.errors import TextlensError

FORMAT = "textlens-search/1"
WORD = re.compile(r"\w+", re.UNICODE)
# words and lines share one shape: a table, its FTS5 index (case and accents ignored), and the
# triggers that keep the index in step with the table
_TEXT_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    page INTEGER NOT NULL, line INTEGER NOT NULL, text TEXT NOT NULL, confidence REAL NOT NULL,
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS {name}_file ON {name}(file_id);
CREATE VIRTUAL TABLE IF NOT EXISTS {name}_fts USING fts5(
    text, content='{name}', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS {name}_added AFTER INSERT ON {name} BEGIN
    INSERT INTO {name}_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS {name}_removed AFTER DELETE ON {name} BEGIN
    INSERT INTO {name}_fts({name}_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""
_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    pages INTEGER NOT NULL, read_at REAL NOT NULL
);
"""
    + _TEXT_TABLE.format(name="words")
    + _TEXT_TABLE.format(name="lines")
    + "CREATE VIRTUAL TABLE IF NOT EXISTS words_vocab USING fts5vocab(words_fts, 'row');\n"
)


@dataclass(frozen=True)
class Hit:
    """A place where the query was found: the word (or line) as read, where, and how surely."""

    path: str
    page: int  # 0-based
    text: str
    line: str  # the whole line it stands in
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in page pixels
    confidence: float
    matched: str  # the indexed word that matched (differs from the query when fuzzy)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "page": self.page + 1,
            "text": self.text,
            "line": self.line,
            "box": [round(v, 1) for v in self.box],
            "confidence": round(self.confidence, 4),
            "matched": self.matched,
        }


@dataclass
class IndexReport:
    """What ``SearchIndex.add`` did: files read (with their pages), left as they were, and failed."""

    read: list[str] = field(default_factory=list)
    pages: int = 0
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


class SearchIndex:
    """An index file (SQLite); opening a file that is not one is a clear error, never a change to it."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        self._vocabulary: list[str] | None = None  # the indexed words, for fuzzy queries
        if not create and not self.path.is_file():
            raise TextlensError(f"{self.path}: no such index; build one with `textlens index`")
        if self.path.is_dir():
            raise TextlensError(f"{self.path}: is a folder, not an index file")
        existing = self.path.is_file() and self.path.stat().st_size > 0
        try:
            self.db = sqlite3.connect(self.path)
            if existing:
                self._check_format()
            self.db.executescript(_SCHEMA)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('format', ?)", (FORMAT,))
            self.db.commit()
        except sqlite3.DatabaseError as exc:
            raise TextlensError(f"{self.path}: not a textlens search index ({exc})") from None

    def _check_format(self) -> None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None or row[0] != FORMAT:
            self.db.close()
            raise TextlensError(f"{self.path}: not a textlens search index")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- indexing --------------------------------------------------------------------------

    def stale(self, paths: Iterable[str]) -> tuple[list[str], list[str]]:
        """(paths to read: new or changed since indexed, paths indexed as they are now)."""
        to_read, unchanged = [], []
        for path in paths:
            stat = os.stat(path)
            row = self.db.execute("SELECT size, mtime_ns FROM files WHERE path = ?", (_key(path),)).fetchone()
            (unchanged if row == (stat.st_size, stat.st_mtime_ns) else to_read).append(path)
        return to_read, unchanged

    def store(self, path: str, document: Any) -> int:
        """Replace what the index holds for ``path`` with ``document``'s words and lines; its pages."""
        stat = os.stat(path)
        self._vocabulary = None
        with self.db:  # one transaction per file: an interrupted run leaves whole files only
            self.db.execute("DELETE FROM files WHERE path = ?", (_key(path),))
            cursor = self.db.execute(
                "INSERT INTO files(path, size, mtime_ns, pages, read_at) VALUES (?, ?, ?, ?, ?)",
                (_key(path), stat.st_size, stat.st_mtime_ns, len(document.pages), time.time()),
            )
            file_id = cursor.lastrowid
            words, lines = [], []
            for page in document.pages:
                for number, line in enumerate(page.lines):
                    lines.append((file_id, page.index, number, line.text, line.confidence, *_box(line.polygon)))
                    for word in line.words:
                        words.append((file_id, page.index, number, word.text, word.confidence, *_box(word.polygon)))
            insert = "INSERT INTO {}(file_id, page, line, text, confidence, x0, y0, x1, y1) VALUES (?,?,?,?,?,?,?,?,?)"
            self.db.executemany(insert.format("lines"), lines)
            self.db.executemany(insert.format("words"), words)
        return len(document.pages)

    def add(
        self,
        paths: list[str],
        read_many: Callable[[list[str]], Iterator[Any]],
        on_file: Callable[[str], None] | None = None,
    ) -> IndexReport:
        """Read the new and changed ``paths`` with ``read_many`` (``Pipeline.read_many`` or a
        ``ProcessReader``'s: ``ReadResult``s in order) and store them; a file that cannot be read
        is reported, and what the index held for it is kept."""
        started = time.perf_counter()
        report = IndexReport()
        to_read, report.unchanged = self.stale(paths)
        for result in read_many(to_read) if to_read else []:
            path = to_read[result.number]
            if result.error is not None:
                report.failed.append((path, str(result.error)))
            else:
                report.pages += self.store(path, result.document)
                report.read.append(path)
            if on_file is not None:
                on_file(path)
        report.seconds = time.perf_counter() - started
        return report

    # --- queries ---------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {
            table: self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            for table in ("files", "lines", "words")
        }

    def search(self, query: str, *, fuzzy: bool = False, prefix: bool = False, limit: int = 50) -> list[Hit]:
        """Words (one query word) or lines (several) matching ``query``, surest first."""
        tokens = [t.casefold() for t in WORD.findall(query)]
        if not tokens:
            raise TextlensError(f"nothing to search for in {query!r}: give a word")
        if limit < 1:
            raise TextlensError(f"limit must be at least 1, got {limit}")
        alternatives = [self._similar(t) if fuzzy else [t] for t in tokens]
        star = "*" if prefix else ""
        if len(tokens) == 1:
            match = " OR ".join(f'"{term}"{star}' for term in alternatives[0])
            table = "words"
        else:  # a phrase: the words in order, each one of its alternatives
            match = _phrase_match(alternatives, star)
            table = "lines"
        sql = (
            f"SELECT f.path, t.page, t.text, t.confidence, t.x0, t.y0, t.x1, t.y1, l.text "  # noqa: S608
            f"FROM {table}_fts JOIN {table} t ON t.id = {table}_fts.rowid JOIN files f ON f.id = t.file_id "
            "LEFT JOIN lines l ON l.file_id = t.file_id AND l.page = t.page AND l.line = t.line "
            f"WHERE {table}_fts MATCH ? ORDER BY t.confidence DESC, f.path, t.page, t.line LIMIT ?"
        )
        rows = self.db.execute(sql, (match, limit)).fetchall()
        return [_hit(row, alternatives) for row in rows]

    def _similar(self, token: str, max_distance: int | None = None) -> list[str]:
        """Indexed words within a small edit distance of ``token`` (1 for short words, 2 from 6
        letters), the token itself first."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        distance = max_distance if max_distance is not None else (1 if len(token) < 6 else 2)
        if self._vocabulary is None:  # read once, until the index changes
            self._vocabulary = [row[0] for row in self.db.execute("SELECT term FROM words_vocab")]
        near = process.extract(token, self._vocabulary, scorer=Levenshtein.distance, score_cutoff=distance, limit=25)
        return list(dict.fromkeys([token, *(term for term, _, _ in near)]))


def _hit(row: tuple, alternatives: list[list[str]]) -> Hit:
    path, page, text, confidence, x0, y0, x1, y1, line_text = row
    matched = " ".join(next((a for a in alts if a in text.casefold()), alts[0]) for alts in alternatives)
    return Hit(path, page, text, line_text or text, (x0, y0, x1, y1), confidence, matched)


def _phrase_match(alternatives: list[list[str]], star: str) -> str:
    """An FTS5 query for the words in order: each position any of its alternatives."""
    import itertools

    phrases = [" ".join(combo) for combo in itertools.islice(itertools.product(*alternatives), 64)]
    return " OR ".join(f'"{phrase}"{star}' for phrase in phrases)


def _box(polygon: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _ in polygon], [y for _, y in polygon]
    return min(xs), min(ys), max(xs), max(ys)


def _key(path: str) -> str:
    return str(Path(path).resolve())
