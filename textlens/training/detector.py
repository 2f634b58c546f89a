"""Training loop for the DBNet-style text detector.

Each batch holds square crops drawn from labelled page manifests (SROIE/FUNSD style:
``{"image", "regions": [{"quad": [8 numbers], "text"}]}``; ``###`` regions are don't-care)
and from a pool of synthetic pages (``textlens.synth.pages``) that is refreshed as training
goes. Pages are first scaled as the predictor will see them (long side -> ``long_side``),
then jittered in scale, rotated a little (and sometimes by 90/180/270 degrees), cropped
around text and photometrically disturbed. The loss is DBNet's: BCE with 3:1 hard-negative
mining on the probability map, L1 on the threshold map, dice on the approximate binary map.

Everything runs in the main process on one thread by default (this project trains on a
2-core CPU). Checkpoints (config + weights + optimizer + metrics) go to ``out_dir`` every
few minutes as ``last.pt``; the best by held-out H-mean is ``best.pt``; ``resume`` continues.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from textlens.detection.model import DBNet, DetectorConfig
from textlens.detection.postprocess import PostprocessConfig, boxes_from_map
from textlens.detection.preprocess import prepare
from textlens.detection.targets import TargetConfig, make_targets
from textlens.errors import TextlensError
from textlens.io.atomic import write_atomic
from textlens.training.common import parse_spec, read_checkpoint, save_checkpoint, training_state, warmup_cosine
from textlens.training.onnx_init import freeze_batchnorm
from textlens.training.sources import iter_jsonl

CHECKPOINT_KIND = "textlens-detector-checkpoint"
DONT_CARE = "###"


@dataclass
class DetectorTrainConfig:
    """Everything that decides a training run; written into every checkpoint."""

    out_dir: str = "runs/detector"
    data: list[str] = field(default_factory=list)  # page manifests, optionally "PATH@RATIO"
    synth_ratio: float = 0.25  # share of crops cut from synthetic pages
    synth_pool: int = 48  # synthetic pages kept in memory
    synth_refresh: float = 0.25  # chance per batch to replace one pool page with a new render
    model: DetectorConfig = field(default_factory=DetectorConfig)
    targets: TargetConfig = field(default_factory=TargetConfig)
    crop: int = 384
    batch_size: int = 8
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup_fraction: float = 0.03
    max_steps: int = 100_000
    max_minutes: float | None = None
    checkpoint_minutes: float = 4.0
    val_pages: int = 12  # held out per manifest (whole pages), for the H-mean
    ignore_multiline: bool = True  # regions labelled over several lines (FUNSD entities) -> don't care
    scale_range: tuple[float, float] = (0.6, 1.6)  # around the inference scale
    rotate90: float = 0.15  # chance of a 90/180/270 turn
    small_rotation: float = 0.3  # chance of a tilt up to +-10 degrees
    threads: int = 1
    seed: int = 0
    resume: bool = True
    init: str | None = None  # a float detector (.onnx or registered name) to start from; its batch norms stay fixed

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["model"] = self.model.to_dict()
        data["targets"] = asdict(self.targets)
        data["scale_range"] = list(self.scale_range)
        return data


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class PageRecord:
    """A labelled page: image path, region polygons ((4, 2) float arrays) and don't-care flags."""

    image: str
    polygons: tuple[np.ndarray, ...]
    ignore: tuple[bool, ...]


def is_multiline(polygon: np.ndarray, text: str, median_height: float) -> bool:
    """Whether a labelled region evidently spans several text lines.

    FUNSD labels whole entities (a paragraph is one quad); a line-level detector must not
    learn to merge lines, so training treats such regions as don't-care. A region counts as
    multi-line when it is much taller than the page's typical region and far too narrow
    for its text on one line (a Latin character is ~0.5 line-heights wide).
    """
    if len(polygon) != 4 or not text:
        return False
    width = (np.linalg.norm(polygon[1] - polygon[0]) + np.linalg.norm(polygon[2] - polygon[3])) / 2
    height = (np.linalg.norm(polygon[3] - polygon[0]) + np.linalg.norm(polygon[2] - polygon[1])) / 2
    return bool(height > 1.5 * median_height and width < 0.25 * height * len(text))


def _quad_height(polygon: np.ndarray) -> float:
    if len(polygon) != 4:
        return 0.0
    return float(np.linalg.norm(polygon[3] - polygon[0]) + np.linalg.norm(polygon[2] - polygon[1])) / 2


def load_pages(manifest: str | Path, ignore_multiline: bool = False) -> list[PageRecord]:
    """Page records of a manifest (or a folder holding ``manifest.jsonl``).

    ``ignore_multiline`` turns regions that span several lines into don't-care regions.
    """
    path = Path(manifest).expanduser()
    if path.is_dir():
        path = path / "manifest.jsonl"
    if not path.is_file():
        raise TextlensError(f'{path}: no such manifest (give a page manifest.jsonl with "regions")')
    pages: list[PageRecord] = []
    for where, entry in iter_jsonl(path, 'each line needs an "image" and "regions"'):
        if not isinstance(entry.get("regions"), list):
            raise TextlensError(f'{where}: no "regions": detector training needs page manifests with quads')
        polys, ignore, texts = [], [], []
        for region in entry["regions"]:
            quad = region.get("quad") if isinstance(region, dict) else None
            if not isinstance(quad, list) or len(quad) < 8 or len(quad) % 2:
                raise TextlensError(f'{where}: each region needs a "quad" of 8 numbers (x1,y1,...,x4,y4)')
            polys.append(np.asarray(quad, dtype=np.float32).reshape(-1, 2))
            texts.append(str(region.get("text") or "").strip())
            ignore.append(texts[-1] == DONT_CARE)
        if ignore_multiline and polys:
            median = float(np.median([_quad_height(p) for p in polys]))
            ignore = [ig or is_multiline(p, t, median) for p, t, ig in zip(polys, texts, ignore)]
        image = Path(entry["image"])
        image = image if image.is_absolute() else path.parent / image
        pages.append(PageRecord(str(image), tuple(polys), tuple(ignore)))
    if not pages:
        raise TextlensError(f"{path}: no pages found")
    return pages


def split_pages(pages: list[PageRecord], n_val: int, seed: int = 0) -> tuple[list[PageRecord], list[PageRecord]]:
    """Hold out ``n_val`` whole pages (chosen by a seeded shuffle of the image names)."""
    if n_val <= 0 or len(pages) < 2:
        return list(pages), []
    n_val = min(n_val, len(pages) // 5 or 1)
    order = sorted(range(len(pages)), key=lambda i: pages[i].image)
    np.random.default_rng(seed).shuffle(order)
    val_idx = set(order[:n_val])
    train = [p for i, p in enumerate(pages) if i not in val_idx]
    val = [p for i, p in enumerate(pages) if i in val_idx]
    return train, val


@lru_cache(maxsize=8)
def read_rgb(path: str) -> np.ndarray:
    """RGB uint8 page (cached: crops come from the same page again and again)."""
    data = np.fromfile(path, dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise TextlensError(f"{path}: cannot decode image; fix or remove it from the manifest")
    image = np.ascontiguousarray(image[..., ::-1])
    image.setflags(write=False)
    return image


class PageCache:
    """Decoded training pages kept in memory, shrunk so the long side is at most ``max_side``.

    Decoding a JPEG and converting it costs more than a training crop, so each page is
    decoded once; shrinking big scans keeps the cache to ~2 MB a page.
    """

    def __init__(self, max_side: int) -> None:
        self.max_side = max_side
        self.pages: dict[str, tuple[np.ndarray, float]] = {}

    def get(self, page: PageRecord) -> tuple[np.ndarray, list[np.ndarray]]:
        if page.image not in self.pages:
            image = read_rgb(page.image)
            factor = min(1.0, self.max_side / max(image.shape[:2]))
            if factor < 1.0:
                size = (round(image.shape[1] * factor), round(image.shape[0] * factor))
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            self.pages[page.image] = (image, factor)
        image, factor = self.pages[page.image]
        return image, [p * factor for p in page.polygons]


# --------------------------------------------------------------------------- augmentation


def _affine(h: int, w: int, scale: float, angle: float, turns: int) -> tuple[np.ndarray, int, int]:
    """2x3 matrix scaling, turning by ``turns`` x 90 degrees and tilting by ``angle`` (degrees)."""
    total = angle + 90.0 * turns
    rad = math.radians(total)
    cos, sin = abs(math.cos(rad)), abs(math.sin(rad))
    out_w = int(math.ceil((w * cos + h * sin) * scale))
    out_h = int(math.ceil((w * sin + h * cos) * scale))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), total, scale)
    m[0, 2] += out_w / 2 - w / 2
    m[1, 2] += out_h / 2 - h / 2
    return m, out_h, out_w


def _photometric(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = image.astype(np.float32)
    if rng.random() < 0.5:
        out = out * rng.uniform(0.7, 1.2) + rng.uniform(-30, 30)
    if rng.random() < 0.2:
        out = out[..., rng.permutation(3)]
    if rng.random() < 0.15:
        grey = out.mean(axis=2, keepdims=True)
        out = np.repeat(grey, 3, axis=2)
    if rng.random() < 0.2:
        k = int(rng.choice([3, 5]))
        out = cv2.GaussianBlur(out, (k, k), rng.uniform(0.3, 1.2))
    if rng.random() < 0.2:
        out += rng.normal(0, rng.uniform(2, 10), out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def sample_crop(
    image: np.ndarray,
    polygons: list[np.ndarray],
    ignore: list[bool],
    rng: np.random.Generator,
    config: DetectorTrainConfig,
) -> tuple[np.ndarray, list[np.ndarray], list[bool]]:
    """A ``crop`` x ``crop`` RGB crop of ``image`` around text, with its polygons moved along."""
    h, w = image.shape[:2]
    base = config.model.long_side / max(h, w)
    lo, hi = config.scale_range
    scale = base * math.exp(rng.uniform(math.log(lo), math.log(hi)))
    angle = float(rng.uniform(-10, 10)) if rng.random() < config.small_rotation else 0.0
    turns = int(rng.integers(1, 4)) if rng.random() < config.rotate90 else 0
    m, out_h, out_w = _affine(h, w, scale, angle, turns)
    size = config.crop
    # Choose the crop window in output coordinates first, then warp only that window.
    centres = [p.mean(axis=0) for p, ig in zip(polygons, ignore) if not ig]
    if centres and rng.random() < 0.9:
        c = centres[int(rng.integers(0, len(centres)))]
        cx, cy = m @ np.array([c[0], c[1], 1.0])
        x0 = cx - rng.uniform(0.1, 0.9) * size
        y0 = cy - rng.uniform(0.1, 0.9) * size
    else:
        x0 = rng.uniform(min(0, out_w - size), max(0, out_w - size))
        y0 = rng.uniform(min(0, out_h - size), max(0, out_h - size))
    x0 = float(np.clip(x0, min(0, out_w - size), max(0, out_w - size)))
    y0 = float(np.clip(y0, min(0, out_h - size), max(0, out_h - size)))
    m = m.copy()
    m[:, 2] -= (x0, y0)
    fill = tuple(int(v) for v in rng.integers(0, 256, 3))
    interp = cv2.INTER_AREA if scale < 0.7 else cv2.INTER_LINEAR
    crop = cv2.warpAffine(image, m, (size, size), flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    out_polys, out_ignore = [], []
    for poly, ig in zip(polygons, ignore):
        moved = poly @ m[:, :2].T + m[:, 2]
        if moved[:, 0].max() < 0 or moved[:, 1].max() < 0 or moved[:, 0].min() >= size or moved[:, 1].min() >= size:
            continue
        out_polys.append(moved.astype(np.float32))
        out_ignore.append(ig)
    return _photometric(crop, rng), out_polys, out_ignore


# --------------------------------------------------------------------------- batches


class CropStream:
    """Endless batches of (images, gt, mask, thresh, thresh_mask) tensors."""

    def __init__(self, sources: list[tuple[list[PageRecord], float]], config: DetectorTrainConfig, seed: int) -> None:
        self.sources = [(pages, ratio) for pages, ratio in sources if pages and ratio > 0]
        self.config = config
        self.rng = np.random.default_rng(seed)
        self.pool: list[tuple[np.ndarray, list[np.ndarray], list[bool]]] = []
        weights = [ratio for _, ratio in self.sources]
        real_share = 1.0 - config.synth_ratio if self.sources else 0.0
        total = sum(weights) or 1.0
        self.probs = [real_share * wt / total for wt in weights] + [1.0 - real_share]
        mean = np.asarray(config.model.mean, np.float32)
        std = np.asarray(config.model.std, np.float32)
        self.mean, self.std = mean, std
        self.cache = PageCache(int(config.model.long_side * 1.25))

    def _synth_page(self) -> tuple[np.ndarray, list[np.ndarray], list[bool]]:
        from textlens.synth.pages import render_page

        if len(self.pool) < self.config.synth_pool:
            page = render_page(self.rng)
            self.pool.append((page.image, page.quads, [False] * len(page.quads)))
            return self.pool[-1]
        return self.pool[int(self.rng.integers(0, len(self.pool)))]

    def _refresh(self) -> None:
        if len(self.pool) >= self.config.synth_pool and self.rng.random() < self.config.synth_refresh:
            from textlens.synth.pages import render_page

            page = render_page(self.rng)
            self.pool[int(self.rng.integers(0, len(self.pool)))] = (page.image, page.quads, [False] * len(page.quads))

    def _one(self) -> tuple[np.ndarray, list[np.ndarray], list[bool]]:
        k = int(self.rng.choice(len(self.probs), p=self.probs))
        if k == len(self.sources):
            image, polys, ignore = self._synth_page()
        else:
            pages = self.sources[k][0]
            page = pages[int(self.rng.integers(0, len(pages)))]
            image, polys = self.cache.get(page)
            ignore = list(page.ignore)
        return sample_crop(image, polys, ignore, self.rng, self.config)

    def __iter__(self) -> Iterator[dict[str, torch.Tensor]]:
        while True:
            self._refresh()
            images, maps = [], []
            for _ in range(self.config.batch_size):
                crop, polys, ignore = self._one()
                t = make_targets(crop.shape[:2], polys, ignore, self.config.targets)
                images.append((crop.astype(np.float32) - self.mean) / self.std)
                maps.append(np.stack([t.gt, t.mask, t.thresh, t.thresh_mask]))
            x = torch.from_numpy(np.stack(images).transpose(0, 3, 1, 2).copy())
            y = torch.from_numpy(np.stack(maps))
            yield {"image": x, "gt": y[:, 0:1], "mask": y[:, 1:2], "thresh": y[:, 2:3], "thresh_mask": y[:, 3:4]}


# --------------------------------------------------------------------------- loss


def db_loss(
    out: dict[str, torch.Tensor], batch: dict[str, torch.Tensor], neg_ratio: float = 3.0
) -> dict[str, torch.Tensor]:
    """DBNet loss: OHEM BCE (prob) + 10 x masked L1 (threshold) + dice (binary)."""
    gt, mask = batch["gt"], batch["mask"]
    prob = out["prob"].clamp(1e-6, 1 - 1e-6)
    bce = F.binary_cross_entropy(prob, gt, reduction="none")
    positive = gt * mask
    negative = (1 - gt) * mask
    n_pos = int(positive.sum().item())
    # Blank crops still need some negatives, or false alarms on empty paper go unpunished.
    n_neg = min(int(negative.sum().item()), max(int(n_pos * neg_ratio), 1024))
    neg_loss = (bce * negative).flatten()
    neg_top = torch.topk(neg_loss, n_neg).values if n_neg else neg_loss[:0]
    loss_prob = ((bce * positive).sum() + neg_top.sum()) / (n_pos + n_neg + 1e-6)

    tmask = batch["thresh_mask"]
    loss_thresh = (torch.abs(out["thresh"] - batch["thresh"]) * tmask).sum() / (tmask.sum() + 1e-6)

    binary = out["binary"]
    inter = (binary * gt * mask).sum()
    union = (binary * mask).sum() + (gt * mask).sum() + 1e-6
    loss_binary = 1 - 2 * inter / union
    total = loss_prob + 10.0 * loss_thresh + loss_binary
    return {"loss": total, "prob": loss_prob, "thresh": loss_thresh, "binary": loss_binary}


# --------------------------------------------------------------------------- evaluation


def detect_with_model(
    model: DBNet, image: np.ndarray, post: PostprocessConfig | None = None, long_side: int | None = None
) -> list[tuple[list[tuple[float, float]], float]]:
    """PyTorch inference on one RGB page (same pre/post-processing as the ONNX predictor)."""
    cfg = model.config
    post = post or PostprocessConfig(cfg.bin_thresh, cfg.box_thresh, cfg.unclip_ratio)
    tensor, scale = prepare(image, long_side or cfg.long_side, cfg.mean, cfg.std)
    with torch.no_grad():
        prob = model(torch.from_numpy(tensor))[0, 0].numpy()
    return boxes_from_map(prob, post, scale, (image.shape[1], image.shape[0]))


def score_pages(predictions: list[tuple[list[list[tuple[float, float]]], PageRecord]]) -> dict[str, float]:
    """Precision / recall / H-mean at IoU 0.5 over (predicted polygons, page) pairs.

    Matching is ``textlens.eval.metrics.match_detections`` (ICDAR 2015 style, ``###`` ignored).
    """
    from textlens.eval.metrics import match_detections

    matched = n_pred = n_ref = 0
    for polys, page in predictions:
        texts = [DONT_CARE if ig else "x" for ig in page.ignore]
        counts = match_detections(polys, [p.tolist() for p in page.polygons], texts)
        matched += counts.matched
        n_pred += counts.predictions
        n_ref += counts.references
    precision = matched / n_pred if n_pred else 0.0
    recall = matched / n_ref if n_ref else 0.0
    hmean = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "hmean": hmean, "pages": float(len(predictions))}


def evaluate_pages(
    predict: Callable[[np.ndarray], list[list[tuple[float, float]]]], pages: list[PageRecord]
) -> dict[str, float]:
    """Score ``predict`` (page image -> polygons) on labelled pages (see ``score_pages``)."""
    return score_pages([(predict(read_rgb(page.image)), page) for page in pages])


def held_out_pages(train_config: dict[str, Any]) -> list[PageRecord]:
    """The pages a run held out for validation (same split and labels as during training)."""
    pages: list[PageRecord] = []
    multiline = bool(train_config.get("ignore_multiline", False))
    for spec in train_config.get("data", []):
        path, _ = parse_spec(spec)
        pages.extend(split_pages(load_pages(path, multiline), train_config["val_pages"], train_config["seed"])[1])
    return pages


def write_held_out(train_config: dict[str, Any], out_dir: str | Path) -> list[Path]:
    """Write each manifest's held-out pages as ``OUT/heldout-<folder>.jsonl`` (absolute image paths).

    The original manifest lines are kept, so ``textlens eval detector`` can score exactly the
    pages training never saw.
    """
    written = []
    for spec in train_config.get("data", []):
        path, _ = parse_spec(spec)
        manifest = Path(path) if not Path(path).is_dir() else Path(path) / "manifest.jsonl"
        held = {p.image for p in split_pages(load_pages(manifest), train_config["val_pages"], train_config["seed"])[1]}
        lines = []
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            image = Path(entry["image"])
            image = image if image.is_absolute() else manifest.parent / image
            if str(image) in held:
                entry["image"] = str(image.resolve())
                lines.append(json.dumps(entry, ensure_ascii=False))
        target = Path(out_dir) / f"heldout-{manifest.resolve().parent.name}.jsonl"
        write_atomic(target, "\n".join(lines) + "\n")
        written.append(target)
    return written


def tune_postprocess(
    model: DBNet,
    pages: list[PageRecord],
    unclip_ratios: tuple[float, ...] = (0.8, 1.0, 1.2, 1.35, 1.5, 1.7, 2.0, 2.4),
    box_threshes: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7),
    long_sides: tuple[int, ...] | None = None,
) -> dict[str, float]:
    """Grid-search ``long_side``, ``unclip_ratio`` and ``box_thresh`` for the best H-mean on ``pages``.

    The network runs once per page and long side; only post-processing is repeated for each
    setting. ``long_sides`` defaults to the model's own.
    """
    cfg = model.config
    model.eval()
    best: dict[str, float] = {"hmean": -1.0}
    for long_side in long_sides or (cfg.long_side,):
        maps = []
        for page in pages:
            image = read_rgb(page.image)
            tensor, scale = prepare(image, long_side, cfg.mean, cfg.std)
            with torch.no_grad():
                prob = model(torch.from_numpy(tensor))[0, 0].numpy()
            maps.append((prob, scale, (image.shape[1], image.shape[0]), page))
        for unclip in unclip_ratios:
            for box in box_threshes:
                post = PostprocessConfig(cfg.bin_thresh, box, unclip)
                scores = score_pages(
                    [
                        ([p for p, _ in boxes_from_map(prob, post, scale, size)], page)
                        for prob, scale, size, page in maps
                    ]
                )
                if scores["hmean"] > best["hmean"]:
                    best = {**scores, "unclip_ratio": unclip, "box_thresh": box, "long_side": long_side}
    return best


# --------------------------------------------------------------------------- checkpoints


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    return read_checkpoint(path, CHECKPOINT_KIND, "detector")


def model_from_checkpoint(state: dict[str, Any]) -> DBNet:
    model = DBNet(DetectorConfig.from_dict(state["model_config"]))
    model.load_state_dict(state["state_dict"])
    return model.eval()


# --------------------------------------------------------------------------- trainer


@dataclass
class TrainResult:
    best_checkpoint: Path
    best_hmean: float
    steps: int
    seconds: float
    history: list[dict[str, float]]


class DetectorTrainer:
    def __init__(self, config: DetectorTrainConfig, log: Callable[[str], None] = print) -> None:
        config.model.validate()
        if config.crop % 32:
            raise TextlensError(f"--crop must be a multiple of 32, got {config.crop}")
        if not config.data and config.synth_ratio <= 0:
            raise TextlensError("no training data: give --data manifests and/or --synth-ratio > 0")
        self.config = config
        self.log = log
        self.out_dir = Path(config.out_dir)
        self.sources: list[tuple[list[PageRecord], float]] = []
        self.val: list[PageRecord] = []
        for spec in config.data:
            path, ratio = parse_spec(spec)
            if "sroie-test" in str(path):
                raise TextlensError(f"{path}: sroie-test is the benchmark; never train on it")
            train, val = split_pages(load_pages(path, config.ignore_multiline), config.val_pages, config.seed)
            self.sources.append((train, ratio))
            self.val.extend(val)
        if not self.sources:
            config.synth_ratio = 1.0
        if config.init:
            from textlens.models.registry import resolve_model
            from textlens.training.onnx_init import detector_from_onnx

            self.model = detector_from_onnx(resolve_model(config.init, "detector"))
            # the architecture is the starting model's; the inference scale is this run's
            config.model = dataclasses.replace(self.model.config, long_side=config.model.long_side)
            self.model.config = config.model
        else:
            self.model = DBNet(config.model)

    def _train_mode(self) -> DBNet:
        model = self.model.train()
        if self.config.init:
            freeze_batchnorm(model)  # folded batch norms hold the starting model's statistics
        return model

    def _lr_factor(self, step: int, elapsed: float) -> float:
        cfg = self.config
        return warmup_cosine(step, elapsed, cfg.max_steps, cfg.max_minutes, cfg.warmup_fraction)

    def _validate(self) -> dict[str, float]:
        if not self.val:
            return {}
        self.model.eval()
        try:
            return evaluate_pages(lambda im: [p for p, _ in detect_with_model(self.model, im)], self.val)
        finally:
            self._train_mode()

    def _state(self, optimizer, step, elapsed, best, history, metrics) -> dict[str, Any]:
        progress = dict(step=step, elapsed=elapsed, best=best, metrics=metrics, history=history)
        return training_state(CHECKPOINT_KIND, self.model, self.config.to_dict(), optimizer, **progress)

    def run(self) -> TrainResult:
        cfg = self.config
        torch.set_num_threads(max(1, cfg.threads))
        cv2.setNumThreads(1)  # OpenCV's own pool fights torch for the same cores
        torch.manual_seed(cfg.seed)
        model = self._train_mode()
        optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        step, elapsed, history = 0, 0.0, []
        best: dict[str, float] = {"hmean": -1.0, "step": 0}
        last, best_path = self.out_dir / "last.pt", self.out_dir / "best.pt"
        if cfg.resume and last.exists():
            state = load_checkpoint(last)
            model.load_state_dict(state["state_dict"])
            optimizer.load_state_dict(state["optimizer"])
            step, elapsed, best, history = state["step"], state["elapsed"], state["best"], state["history"]
            self.log(f"resumed from {last} at step {step} ({elapsed / 60:.1f} min, best H-mean {best['hmean']:.4f})")
            if step >= cfg.max_steps or (cfg.max_minutes is not None and elapsed >= cfg.max_minutes * 60):
                self.log("this run already used its budget; nothing to do (raise --minutes/--steps to go on)")
                return TrainResult(best_path, best["hmean"], step, elapsed, history)
        write_held_out(cfg.to_dict(), self.out_dir)
        n_train = sum(len(p) for p, _ in self.sources)
        self.log(f"{n_train} training pages, {len(self.val)} held-out pages, synthetic share {cfg.synth_ratio}")
        stream = CropStream(self.sources, cfg, cfg.seed + step)
        started = time.monotonic() - elapsed
        last_save = elapsed
        running: dict[str, float] = {}
        for batch in stream:
            elapsed = time.monotonic() - started
            for group in optimizer.param_groups:
                group["lr"] = cfg.lr * self._lr_factor(step, elapsed)
            losses = db_loss(model.forward_train(batch["image"]), batch)
            optimizer.zero_grad(set_to_none=True)
            losses["loss"].backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            step += 1
            for k, v in losses.items():
                running[k] = 0.95 * running.get(k, v.item()) + 0.05 * v.item()
            if step % 50 == 0:
                self.log(
                    f"step {step} {elapsed / 60:.1f} min loss {running['loss']:.3f} (prob {running['prob']:.3f} "
                    f"thresh {running['thresh']:.3f} binary {running['binary']:.3f}) "
                    f"lr {optimizer.param_groups[0]['lr']:.2e}"
                )
            out_of_time = cfg.max_minutes is not None and elapsed >= cfg.max_minutes * 60
            done = step >= cfg.max_steps or out_of_time
            if done or elapsed - last_save >= cfg.checkpoint_minutes * 60:
                metrics = self._validate()
                history.append({"step": step, "seconds": elapsed, "loss": running["loss"], **metrics})
                state = self._state(optimizer, step, elapsed, best, history, metrics)
                hmean = metrics.get("hmean", -running["loss"])
                if hmean > best["hmean"]:
                    best = {**metrics, "hmean": hmean, "step": step}
                    state["best"] = best
                    save_checkpoint(best_path, state)
                save_checkpoint(last, state)
                # Validation time does not count against the training budget.
                started = time.monotonic() - elapsed
                last_save = elapsed
                self.log(
                    f"checkpoint step {step}: val P {metrics.get('precision', 0):.4f} R {metrics.get('recall', 0):.4f} "
                    f"H {metrics.get('hmean', 0):.4f} (best {best['hmean']:.4f} @ {best['step']})"
                )
            if done:
                break
        return TrainResult(best_path, best["hmean"], step, elapsed, history)


def train_detector(config: DetectorTrainConfig, log: Callable[[str], None] = print) -> TrainResult:
    """Train a detector; returns where the best checkpoint is and its held-out H-mean."""
    return DetectorTrainer(config, log).run()
