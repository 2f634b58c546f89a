"""``textlens train detector``, ``textlens eval detector`` and ``textlens export detector``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from textlens.cli.groups import eval_app, export_app, train_app
from textlens.errors import TextlensError


@train_app.command("detector")
def train_detector_cmd(
    data: list[str] = typer.Option(
        [], "--data", "-d", help="Page manifest (.jsonl with region quads), optionally PATH@RATIO; repeatable."
    ),
    synth_ratio: float = typer.Option(0.25, help="Share of crops cut from synthetic pages (0-1)."),
    out: Path = typer.Option(Path("runs/detector"), "--out", "-o", help="Folder for last.pt / best.pt."),
    minutes: float | None = typer.Option(None, help="Training budget in minutes (sets the LR schedule)."),
    steps: int = typer.Option(100_000, help="Maximum optimizer steps."),
    batch_size: int = typer.Option(8, help="Crops per batch."),
    crop: int = typer.Option(384, help="Crop side in pixels (multiple of 32)."),
    lr: float = typer.Option(2e-3, help="Peak learning rate (AdamW, warm-up then cosine)."),
    long_side: int = typer.Option(1024, help="Inference long side the page scale is centred on."),
    val_pages: int = typer.Option(12, help="Pages held out per manifest to score H-mean."),
    checkpoint_minutes: float = typer.Option(4.0, help="Minutes between validations/checkpoints."),
    threads: int = typer.Option(1, help="Torch threads."),
    seed: int = typer.Option(0, help="Random seed."),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/last.pt."),
    init: str = typer.Option(
        None, "--init", help="Start from this float detector (registered name or .onnx), e.g. doc-dbnet."
    ),
) -> None:
    """Train the DBNet-style text detector on page manifests and synthetic pages."""
    from textlens.detection.model import DetectorConfig
    from textlens.training.detector import DetectorTrainConfig, train_detector

    if (out / "last.pt").exists() and not resume:
        raise TextlensError(f"{out / 'last.pt'} exists: pass --resume to continue it, or --out for a new run")
    if not 0.0 <= synth_ratio <= 1.0:
        raise TextlensError(f"--synth-ratio must lie in [0, 1], got {synth_ratio}")
    config = DetectorTrainConfig(
        out_dir=str(out),
        data=list(data),
        synth_ratio=synth_ratio,
        model=DetectorConfig(long_side=long_side),
        crop=crop,
        batch_size=batch_size,
        lr=lr,
        max_steps=steps,
        max_minutes=minutes,
        checkpoint_minutes=checkpoint_minutes,
        val_pages=val_pages,
        threads=threads,
        seed=seed,
        resume=resume,
        init=init,
    )
    result = train_detector(config, log=lambda msg: typer.echo(msg, err=True))
    typer.echo(
        json.dumps(
            {
                "best_checkpoint": str(result.best_checkpoint),
                "best_hmean": result.best_hmean,
                "steps": result.steps,
                "minutes": round(result.seconds / 60, 2),
            }
        )
    )


@eval_app.command("detector")
def eval_detector_cmd(
    data: Path = typer.Option(..., "--data", "-d", help="Page manifest with region quads."),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Registered name, .onnx file or .pt checkpoint (default: shipped detector)."
    ),
    long_side: int | None = typer.Option(None, help="Override the model's inference long side."),
    box_thresh: float | None = typer.Option(None, help="Override the box score threshold."),
    unclip_ratio: float | None = typer.Option(None, help="Override the unclip ratio."),
    threads: int = typer.Option(1, help="ONNX Runtime / torch threads."),
    limit: int | None = typer.Option(None, help="Only the first N pages."),
    ignore_multiline: bool = typer.Option(
        False, "--ignore-multiline", help="Score regions labelled over several lines (FUNSD entities) as don't-care."
    ),
) -> None:
    """Precision, recall and H-mean (IoU 0.5) of a detector on a page manifest; prints JSON."""
    from textlens.training.detector import evaluate_pages, load_pages

    pages = load_pages(data, ignore_multiline)[:limit]
    predict, name = _predictor(model, threads, long_side, box_thresh, unclip_ratio)
    times: list[float] = []

    def timed(image):
        t0 = time.perf_counter()
        polys = predict(image)
        times.append(time.perf_counter() - t0)
        return polys

    metrics = evaluate_pages(timed, pages)
    metrics["seconds_per_page"] = sum(times) / max(len(times), 1)
    typer.echo(json.dumps({"model": name, "data": str(data), **metrics}, indent=2))


def _predictor(model, threads, long_side, box_thresh, unclip_ratio):
    """A page -> polygons function for an ONNX model or a PyTorch checkpoint."""
    overrides = {k: v for k, v in {"box_thresh": box_thresh, "unclip_ratio": unclip_ratio}.items() if v is not None}
    if model is not None and str(model).endswith((".pt", ".ckpt")):
        import torch

        from textlens.detection.postprocess import PostprocessConfig
        from textlens.training.detector import detect_with_model, load_checkpoint, model_from_checkpoint

        torch.set_num_threads(threads)
        net = model_from_checkpoint(load_checkpoint(model))
        cfg = net.config
        post = PostprocessConfig(cfg.bin_thresh, cfg.box_thresh, cfg.unclip_ratio)
        for k, v in overrides.items():
            setattr(post, k, v)
        return (lambda im: [p for p, _ in detect_with_model(net, im, post, long_side)]), str(model)
    from textlens.detection.predictor import Detector

    detector = Detector.load(model, threads=threads)
    if long_side is not None:
        detector.long_side = long_side
    for k, v in overrides.items():
        setattr(detector.postprocess, k, v)
    return (lambda im: [r.polygon for r in detector.predict(im)]), detector.info.name


@export_app.command("detector")
def export_detector_cmd(
    checkpoint: Path = typer.Argument(..., help="Detector checkpoint (.pt) from `textlens train detector`."),
    out: Path = typer.Option(..., "--out", "-o", help="Output .onnx file."),
    name: str | None = typer.Option(None, help="Model name stored in the metadata (default: file stem)."),
    box_thresh: float | None = typer.Option(None, help="Box score threshold to store as the default."),
    unclip_ratio: float | None = typer.Option(None, help="Unclip ratio to store as the default."),
    long_side: int | None = typer.Option(None, help="Inference long side to store as the default."),
    tune: bool = typer.Option(
        False, "--tune", help="Pick box threshold and unclip ratio on the run's held-out pages first."
    ),
    tune_long_sides: str | None = typer.Option(
        None, help="With --tune: comma-separated long sides to try too, e.g. 1024,1280."
    ),
) -> None:
    """Export a detector checkpoint to a self-describing ONNX file (dynamic height/width)."""
    from textlens.detection.export import export_onnx

    sides = None
    if tune_long_sides:
        try:
            sides = tuple(int(v) for v in tune_long_sides.split(","))
        except ValueError:
            raise TextlensError(f"--tune-long-sides {tune_long_sides!r}: give integers like 1024,1280") from None
    info = export_onnx(
        checkpoint,
        out,
        name=name,
        box_thresh=box_thresh,
        unclip_ratio=unclip_ratio,
        long_side=long_side,
        tune=tune,
        tune_long_sides=sides,
        log=lambda msg: typer.echo(msg, err=True),
    )
    typer.echo(json.dumps(info, indent=2))
