"""Registry of the models shipped with textlens (name, kind, file, sha256).

A model argument anywhere in textlens is either a registered name (``"latin-crnn"``) or
a path to an ``.onnx`` file (``.npz`` for a language model); ``resolve_model`` turns either
into a path. A recognizer entry may name the language model that goes with it (``lm``) and the
word list its readings snap to (``words``, a text file of kind "words").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from textlens.errors import TextlensError

MODELS_DIR = Path(__file__).parent
REGISTRY_FILE = MODELS_DIR / "registry.json"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    kind: str  # "recognizer" | "detector" | "lm" (character language model, .npz) | "fields" | "form" (.json rankers)
    file: str
    sha256: str
    description: str = ""
    default: bool = False
    lm: str = ""  # a recognizer's language model (registered name), used unless told otherwise
    script: str = ""  # a recognizer for a script group other than Latin (read --lang picks it)
    words: str = ""  # a recognizer's word list (registered name, kind "words") its readings snap to

    @property
    def path(self) -> Path:
        return MODELS_DIR / self.file


@lru_cache(maxsize=1)
def registered_models() -> tuple[ModelEntry, ...]:
    if not REGISTRY_FILE.exists():
        return ()
    entries = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    return tuple(ModelEntry(**e) for e in entries)


def default_model(kind: str) -> ModelEntry:
    for entry in registered_models():
        if entry.kind == kind and entry.default:
            return entry
    raise TextlensError(
        f"no default {kind} model is installed; train one with `textlens train {kind}` "
        "and pass its .onnx path with --model"
    )


def resolve_model(model: str | Path | None, kind: str) -> Path:
    """Path of the ONNX file for a registered name, a file path, or None (the default)."""
    if model is None:
        return default_model(kind).path
    for entry in registered_models():
        if entry.name == str(model):
            if entry.kind != kind:
                raise TextlensError(f"model {entry.name!r} is a {_noun(entry.kind)}, not a {_noun(kind)}")
            return entry.path
    path = Path(model)
    if path.is_file():
        return path
    names = ", ".join(e.name for e in registered_models() if e.kind == kind) or "none installed"
    raise TextlensError(f"{model}: no such model file or registered {_noun(kind)} name (known: {names})")


def _noun(kind: str) -> str:
    return {"lm": "language model", "words": "word list"}.get(kind, kind)


def companion_lm(model: str | Path | None) -> Path | None:
    """The language model registered with a recognizer name (or the default one); None for paths."""
    return _companion(model, "lm")


def companion_words(model: str | Path | None) -> Path | None:
    """The word list registered with a recognizer name (or the default one); None for paths."""
    return _companion(model, "words")


def _companion(model: str | Path | None, kind: str) -> Path | None:
    """The file of kind ``kind`` ("lm" or "words", the entry field of that name) registered with a
    recognizer name or the default recognizer; None for paths and recognizers without one."""
    if model is None:
        entry: ModelEntry | None = default_model("recognizer")
    else:
        entry = next((e for e in registered_models() if e.name == str(model) and e.kind == "recognizer"), None)
    name = getattr(entry, kind, "") if entry is not None else ""
    return resolve_model(name, kind) if name else None


def script_recognizer(script: str) -> str | None:
    """The registered recognizer of a script group (``script`` in the registry), or None."""
    found = [e for e in registered_models() if e.kind == "recognizer" and e.script == script]
    return min(found, key=lambda e: not e.default).name if found else None


def model_name(path: str | Path) -> str:
    """The registered name of a model file, else its file name without suffix."""
    resolved = Path(path).resolve()
    for entry in registered_models():
        if entry.path.resolve() == resolved:
            return entry.name
    return Path(path).stem


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
