"""Train the signature embedding: writer-independent, skilled forgeries as the hard negatives.

Writers are split before anything else: ``val_writers`` of them (drawn with the seed) are never
trained on and choose the checkpoint and the threshold. Each batch holds ``batch_writers``
writers, ``per_writer`` genuine signatures of each and as many of their forgeries where the data
has them. The loss is a cosine classifier with a margin (AM-softmax) over two classes per training
writer, their genuine signatures and the forgeries of them (the batch-hard triplet loss alone,
``triplet`` > 0 adds it, stalled at 35% skilled EER); the classifier is dropped after training.
Augmentation varies what the form does (position, size, a few degrees of slant) and keeps what the
writer does (stroke shapes, proportions, pressure).
Validation follows the verification protocol: the first ``references`` genuine signatures of a
held-out writer are the references; the other genuine ones and the skilled forgeries are the
queries (EER reported; random forgeries: the other held-out writers' signatures).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from textlens.errors import TextlensError
from textlens.eval.verification import equal_error_rate, protocol_scores
from textlens.signature.model import SignatureConfig
from textlens.signature.preprocess import normalise
from textlens.signature.verifier import score

log = logging.getLogger(__name__)
CHECKPOINT_KIND = "textlens-signature"


@dataclass
class SignatureTrainConfig:
    manifests: list[str]
    out: str
    val_writers: int = 8
    references: int = 5
    seed: int = 0
    minutes: float = 15.0
    steps: int = 3000
    val_every: int = 100
    batch_writers: int = 6
    per_writer: int = 3
    lr: float = 1e-3
    weight_decay: float = 1e-4
    margin: float = 0.3
    scale: float = 16.0  # of the cosine classifier's logits
    triplet: float = 0.0  # add the batch-hard triplet loss with this weight (0: only the classifier)
    threads: int = 2
    model: SignatureConfig = field(default_factory=SignatureConfig)
    extra_validation_writers: tuple[str, ...] = ()  # filled in by train(): the held-out writers


@dataclass
class Sample:
    image: np.ndarray  # normalised, float32 (H, W)
    writer: str
    genuine: bool
    name: str


def load_samples(manifests: list[str], height: int, width: int) -> list[Sample]:
    """Every labelled signature of the manifests (``{"image", "writer", "genuine"}`` per line);
    a line without those, or an image that cannot be read, is skipped with a warning."""
    from textlens.io.loading import load_image

    samples = []
    for manifest in manifests:
        path = Path(manifest)
        if not path.is_file():
            raise TextlensError(f"{manifest}: no such manifest")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                image = normalise(load_image(str(path.parent / row["image"])), height, width)
                writer = f"{path.parent.name}/{row['writer']}"
                samples.append(Sample(image, writer, bool(row["genuine"]), str(row["image"])))
            except (json.JSONDecodeError, KeyError, TypeError, TextlensError, OSError) as exc:
                log.warning("%s:%d skipped (%s)", manifest, number, str(exc).splitlines()[0][:120])
    if not samples:
        raise TextlensError("no usable signatures in the manifests")
    return samples


def split_writers(samples: list[Sample], count: int, seed: int) -> tuple[list[str], list[str]]:
    writers = sorted({s.writer for s in samples})
    if count < 2 or count >= len(writers) - 1:
        raise TextlensError(f"--val-writers must lie between 2 and {len(writers) - 2} for {len(writers)} writers")
    order = np.random.default_rng(seed).permutation(len(writers))
    validation = sorted(writers[i] for i in order[:count])
    return [w for w in writers if w not in validation], validation


def augment(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A few degrees of slant, 0.85-1.1 of the size, a shift: where and how big a signature lands on
    the form varies, its shape and its ink do not (pen and contrast changes hid the pressure that
    tells forgeries: 18-23% skilled EER on held-out writers with them, 5-12% without)."""
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-5, 5), rng.uniform(0.85, 1.1))
    matrix[:, 2] += rng.uniform(-0.05, 0.05, 2) * (width, height)
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=0).astype(np.float32)


def train(config: SignatureTrainConfig) -> dict[str, Any]:
    import torch

    from textlens.signature.model import SignatureNet

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    samples = load_samples(config.manifests, config.model.height, config.model.width)
    train_writers, val_writers = split_writers(samples, config.val_writers, config.seed)
    config.extra_validation_writers = tuple(val_writers)
    training = [s for s in samples if s.writer in set(train_writers)]
    held_out = [s for s in samples if s.writer in set(val_writers)]
    log.info(
        "%d writers to train on (%d images), %d held out (%d images): %s",
        len(train_writers),
        len(training),
        len(val_writers),
        len(held_out),
        ", ".join(val_writers),
    )
    genuine_of = {w: [s for s in training if s.writer == w and s.genuine] for w in train_writers}
    forged_of = {w: [s for s in training if s.writer == w and not s.genuine] for w in train_writers}

    model = SignatureNet(config.model)
    # each training writer's genuine signatures are one class, the forgeries of them another: a
    # cosine classifier with a margin (training only) pulls each class together and apart from the rest
    classes = {w: i for i, w in enumerate(train_writers)}
    head = torch.nn.Parameter(torch.randn(2 * len(train_writers), config.model.embedding) * 0.01)
    parameters = [*model.parameters(), head]
    optimiser = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, config.lr, total_steps=config.steps, pct_start=0.1)
    best: dict[str, Any] = {"eer": 2.0}
    started = time.monotonic()
    for step in range(1, config.steps + 1):
        writers = rng.choice(train_writers, size=min(config.batch_writers, len(train_writers)), replace=False)
        images, owners, real = [], [], []
        for w in writers:
            chosen = list(rng.choice(genuine_of[w], size=min(config.per_writer, len(genuine_of[w])), replace=False))
            if forged_of[w]:
                n = min(config.per_writer, len(forged_of[w]))
                chosen += list(rng.choice(forged_of[w], size=n, replace=False))
            for s in chosen:
                images.append(augment(s.image, rng))
                owners.append(w)
                real.append(s.genuine)
        batch = torch.from_numpy(np.stack(images)[:, None])
        model.train()
        embeddings = model(batch)
        targets = torch.tensor([2 * classes[w] + (0 if g else 1) for w, g in zip(owners, real)])
        loss = margin_softmax(embeddings, head, targets, config.margin, config.scale)
        if config.triplet:
            loss = loss + config.triplet * triplet_loss(embeddings, owners, real, config.margin)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % config.val_every == 0 or step == config.steps:
            result = evaluate(model, held_out, config.references)
            minutes = (time.monotonic() - started) / 60
            log.info(
                "step %d %.1f min loss %.4f skilled EER %.2f%% random EER %.2f%%",
                *(step, minutes, loss.item(), 100 * result["eer"], 100 * result["random_eer"]),
            )
            if result["eer"] < best["eer"]:
                best = {**result, "step": step}
                save_checkpoint(out / "best.pt", model, config, best)
            save_checkpoint(out / "last.pt", model, config, result | {"step": step})
        if (time.monotonic() - started) / 60 > config.minutes:
            log.info("time is up after step %d", step)
            break
    (out / "summary.json").write_text(json.dumps({"best": best, "validation_writers": val_writers}, indent=2))
    return best


def margin_softmax(embeddings: Any, head: Any, targets: Any, margin: float, scale: float) -> Any:
    """Cross-entropy of ``scale`` x cosine logits, the true class's cosine lowered by ``margin`` (AM-softmax)."""
    import torch
    from torch.nn import functional as F

    cosine = embeddings @ F.normalize(head, dim=1).T
    cosine = cosine - margin * F.one_hot(targets, cosine.shape[1]).to(cosine.dtype)
    return torch.nn.functional.cross_entropy(scale * cosine, targets)


def triplet_loss(embeddings: Any, owners: list[str], real: list[bool], margin: float) -> Any:
    """Batch-hard triplets on cosine distance; anchors are genuine signatures."""
    import torch

    distance = 1.0 - embeddings @ embeddings.T
    owner_ids = {w: i for i, w in enumerate(dict.fromkeys(owners))}
    ids = torch.tensor([owner_ids[w] for w in owners])
    genuine = torch.tensor(real)
    same = (ids[:, None] == ids[None, :]) & genuine[None, :] & genuine[:, None]
    same.fill_diagonal_(False)
    negative = ~((ids[:, None] == ids[None, :]) & genuine[None, :])  # forgeries and other writers
    anchors = genuine & same.any(dim=1)
    hardest_positive = torch.where(same, distance, torch.zeros_like(distance)).amax(dim=1)
    hardest_negative = torch.where(negative, distance, torch.full_like(distance, 4.0)).amin(dim=1)
    losses = torch.relu(hardest_positive - hardest_negative + margin)
    return losses[anchors].mean()


def evaluate(model: Any, held_out: list[Sample], references: int) -> dict[str, float]:
    import torch

    model.eval()
    with torch.no_grad():
        embedded = torch.cat(
            [
                model(torch.from_numpy(np.stack([s.image for s in held_out[i : i + 64]])[:, None]))
                for i in range(0, len(held_out), 64)
            ]
        ).numpy()
    writers, real, names = [s.writer for s in held_out], [s.genuine for s in held_out], [s.name for s in held_out]
    genuine, skilled, random = protocol_scores(embedded, writers, real, names, references, score)
    eer, threshold = equal_error_rate(genuine, skilled)
    random_eer, _ = equal_error_rate(genuine, random)
    return {"eer": eer, "threshold": threshold, "random_eer": random_eer}


def save_checkpoint(path: Path, model: Any, config: SignatureTrainConfig, result: dict[str, Any]) -> None:
    from textlens.training.common import save_checkpoint as save

    save(
        path,
        {
            "kind": CHECKPOINT_KIND,
            "model": {k: v.detach().clone() for k, v in model.state_dict().items()},
            "config": config.model.to_dict(),
            "train": {k: v for k, v in asdict(config).items() if k != "model"},
            "result": result,
            "validation_writers": list(config.extra_validation_writers),
        },
    )


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    from textlens.training.common import read_checkpoint

    return read_checkpoint(path, CHECKPOINT_KIND, "signature")


def export_onnx(checkpoint: str | Path, output: str | Path, name: str | None = None) -> Path:
    """A self-describing ONNX embedding: config, threshold (validation EER point) and its meaning."""
    import torch

    from textlens import __version__
    from textlens.runtime.export import export_with_metadata
    from textlens.signature.model import SignatureNet

    state = load_checkpoint(checkpoint)
    model = SignatureNet(SignatureConfig.from_dict(state["config"]))
    model.load_state_dict(state["model"])
    model.eval()
    result = state.get("result", {})
    settings = state.get("train", {})
    writers = state.get("validation_writers") or []
    meaning = (
        f"score <= threshold: genuine. The skilled-forgery equal-error-rate point on "
        f"{len(writers) or settings.get('val_writers', '?')} held-out writers, {settings.get('references', 5)} "
        f"genuine references each (EER there {100 * result.get('eer', float('nan')):.1f}%)"
    )
    return export_with_metadata(
        model,
        torch.zeros(2, 1, model.config.height, model.config.width),
        output,
        (["images"], ["embeddings"]),
        {"images": {0: "batch"}, "embeddings": {0: "batch"}},
        {
            "textlens_kind": "signature",
            "textlens_version": __version__,
            "name": name or Path(output).stem,
            "config": state["config"],
            "threshold": result.get("threshold", 1.0),
            "threshold_meaning": meaning,
            "validation": result,
            "validation_writers": writers,
        },
    )
