"""Many inputs, some bad: each bad input is reported on one line and the run goes on.

``InputErrors`` is shared by every command that takes several inputs (read, recognize,
eval). With ``fail_fast`` the first error stops the run, as a single bad input always does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer

from textlens.errors import EXIT_ERROR, EXIT_SOME_FAILED, TextlensError
from textlens.io.images import one_line

FAIL_FAST_HELP = "Stop at the first input that cannot be read (default: report it, go on, exit 3 at the end)."


class InputErrors:
    """Collects per-input errors; ``finish`` turns them into the exit code."""

    def __init__(self, fail_fast: bool = False) -> None:
        self.fail_fast = fail_fast
        self.failed: dict[str, str] = {}  # input -> its one-line message

    def report(self, name: str, error: BaseException) -> str:
        """Print ``error`` for ``name`` (or raise it with ``fail_fast``); returns the message."""
        if self.fail_fast:
            raise error if isinstance(error, TextlensError) else TextlensError(_message(name, error))
        message = _message(name, error)
        print(f"textlens: error: {message}", file=sys.stderr, flush=True)
        self.failed[name] = message
        return message

    @contextmanager
    def guard(self, name: str) -> Iterator[None]:
        """Report what goes wrong with one input instead of stopping the run.

        Unexpected exceptions are reported too (a bug must not cost the other inputs);
        KeyboardInterrupt and SystemExit pass through."""
        try:
            yield
        except Exception as exc:  # noqa: BLE001  (TextlensError, MemoryError, a bug)
            self.report(name, exc)

    def finish(self, total: int) -> None:
        """Exit 3 when some of ``total`` inputs failed, 2 when all did; return when none did."""
        if not self.failed:
            return
        done = total - len(self.failed)
        if done > 0:
            print(f"textlens: {len(self.failed)} of {total} inputs failed (named above)", file=sys.stderr)
        raise typer.Exit(EXIT_SOME_FAILED if done > 0 else EXIT_ERROR)


def _message(name: str, error: BaseException) -> str:
    if isinstance(error, TextlensError):
        return str(error)
    if isinstance(error, MemoryError):
        return f"{name}: not enough memory to read this input; shrink it"
    return f"{name}: unexpected error ({type(error).__name__}: {one_line(error)}); please report it"


def each_page(sources: list[str], errors: InputErrors, work: Callable[[str, Any], None]) -> None:
    """``work(label, page)`` for every page of every source ("file", then "file#2" ...); a source that
    cannot be read, or whose page ``work`` fails on, is reported and the run goes on with the next."""
    from textlens.io.loading import iter_pages

    for source in sources:
        with errors.guard(source):
            for page in iter_pages(source):
                work(source if page.index == 0 else f"{source}#{page.index + 1}", page)


def echo_json(results: list[dict]) -> None:
    """The results as JSON: one object for one page, a list for several."""
    import json

    typer.echo(json.dumps(results if len(results) != 1 else results[0], indent=2, ensure_ascii=False))
