"""`textlens models`: list the shipped models."""

from __future__ import annotations

import typer

from textlens.cli import app


@app.command("models")
def models_command(verify: bool = typer.Option(False, help="Check each file's SHA256 against the registry.")) -> None:
    """List the shipped models (name, kind, default, size, sha256)."""
    from textlens.errors import TextlensError
    from textlens.models.registry import file_sha256, registered_models

    entries = registered_models()
    if not entries:
        typer.echo("no models installed")
        return
    for entry in entries:
        size = entry.path.stat().st_size / 1e6 if entry.path.exists() else 0.0
        flag = "default" if entry.default else ""
        typer.echo(f"{entry.name:24} {entry.kind:11} {flag:8} {size:5.1f} MB  {entry.sha256[:16]}  {entry.description}")
        if verify and (not entry.path.exists() or file_sha256(entry.path) != entry.sha256):
            raise TextlensError(f"{entry.path}: missing or its SHA256 does not match the registry (reinstall textlens)")
