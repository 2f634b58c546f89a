"""The ``textlens`` command line: one Typer app, one module per command group.

Every user error is a ``TextlensError``: printed as one line on stderr, exit code 2. Commands
that take several inputs go on past a bad one and exit with 3 when some failed
(``textlens.errors``; ``textlens.cli.inputs``).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import typer  # noqa: E402

from textlens import __version__  # noqa: E402
from textlens.errors import EXIT_ERROR, TextlensError  # noqa: E402

app = typer.Typer(
    name="textlens",
    help="Find and read text in images and PDFs; synthesize data; train, evaluate and export models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"textlens {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """textlens: deep-learning OCR."""


def _register_commands() -> None:
    # Each command group lives in its own module and adds itself to `app`.
    import importlib

    for name in (
        "groups",
        "read",
        "recognize",
        "lm",
        "train",
        "evaluate",
        "export",
        "synth",
        "models",
        "captcha",
        "serve",
        "batch",
        "detector",
        "quantize",
        "extract",
        "search",
        "erase",
        "subtitles",
        "signature",
        "font",
        "digits",
        "spines",
    ):
        try:
            importlib.import_module(f"textlens.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"textlens.cli.{name}":
                raise


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        result = app(args=argv, prog_name="textlens", standalone_mode=False)
    except TextlensError as exc:
        print(f"textlens: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("textlens: interrupted", file=sys.stderr)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except Exception as exc:  # usage errors and aborts from the CLI library
        if _is_click(exc, "ClickException"):
            exc.show()  # type: ignore[attr-defined]
            return int(getattr(exc, "exit_code", 2) or 2)
        if _is_click(exc, "Abort"):
            print("textlens: aborted", file=sys.stderr)
            return 130
        if _is_click(exc, "Exit"):
            return int(getattr(exc, "exit_code", 0) or 0)
        raise
    return result if isinstance(result, int) else 0


def _is_click(exc: BaseException, name: str) -> bool:
    """Typer may vendor its own click; match the exception class by name in either copy."""
    return any(cls.__name__ == name and "click" in cls.__module__ for cls in type(exc).__mro__)


if __name__ == "__main__":
    sys.exit(main())
