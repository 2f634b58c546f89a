#!/usr/bin/env bash
# The exact recipe that produced the shipped detector (textlens/models/textlens-det-db.onnx).
# One CPU thread, ~70 minutes of training, on a 2-core machine whose other core trains the recognizer.
# Resumable: run it again and it continues from runs/detector/last.pt.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE
DATA=${DATA:-../shared/data}
RESUME=()
[ -f runs/detector/last.pt ] && RESUME=(--resume)
.venv/bin/textlens train detector \
  --data "$DATA/sroie-train/manifest.jsonl@0.5" \
  --data "$DATA/funsd-train/manifest.jsonl@0.25" \
  --synth-ratio 0.25 \
  --batch-size 8 --crop 320 --lr 2e-3 --long-side 1024 \
  --minutes 70 --checkpoint-minutes 5 --val-pages 8 \
  --threads 1 --seed 0 \
  --out runs/detector "${RESUME[@]}"
# Then: export the best checkpoint and measure it on the benchmark (never trained on).
# .venv/bin/textlens export detector runs/detector/best.pt --out textlens/models/textlens-det-db.onnx
# .venv/bin/textlens eval detector --model textlens/models/textlens-det-db.onnx --data $DATA/sroie-test/manifest.jsonl
