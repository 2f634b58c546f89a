"""Command groups shared by several modules (``train``, ``eval``, ``synth``, ``export``)."""

import typer

from textlens.cli import app

train_app = typer.Typer(help="Train detectors and recognizers.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate a model on a labelled manifest.", no_args_is_help=True)
synth_app = typer.Typer(help="Render synthetic training data.", no_args_is_help=True)
export_app = typer.Typer(help="Export a checkpoint to a self-describing ONNX model.", no_args_is_help=True)

app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(synth_app, name="synth")
app.add_typer(export_app, name="export")

# --lm of every command that reads lines
LM_HELP = "Language model for unsure lines: name, .npz path, none, or auto (the recognizer's)."
WORDS_HELP = (
    "Word list that readings snap to where the frames find a near word about as probable: name, text file "
    "(one word per line), none, or auto (the recognizer's: words of 20 Latin-script languages for documents, "
    "English words for photos)."
)
LEXICON_HELP = (
    "Words file (one per line): every word read that holds a letter becomes the lexicon word its frames make "
    "most probable."
)
