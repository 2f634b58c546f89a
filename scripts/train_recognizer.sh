#!/usr/bin/env bash
# The exact recipe of the shipped `latin-crnn` recognizer (textlens/models/latin-crnn.onnx).
# Resumable: rerun the same command after an interruption and it continues from last.pt.
#   DATA=../shared/data bash scripts/train_recognizer.sh
# then: textlens export recognizer runs/latin-crnn/best.pt -o textlens/models/latin-crnn.onnx --name latin-crnn
set -euo pipefail
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/latin-crnn}
MINUTES=${MINUTES:-105}
export OMP_WAIT_POLICY=PASSIVE
# Half of every batch is synthetic (textlens.synth.lines); the other half real crops,
# weighted towards receipts. Never sroie-test (benchmark), uw3 manifest_test or the
# iiit5k held-out 10% (split_train_val seed 0, scored as validation/reporting).
exec .venv/bin/textlens train recognizer \
  "$DATA/sroie-train/manifest.jsonl@0.55" \
  "$DATA/funsd-train/manifest.jsonl@0.2" \
  "$DATA/iiit5k-train/manifest.jsonl@0.07" \
  "$DATA/icdar2015-rec-train/manifest.jsonl@0.08" \
  "$DATA/svt-train/manifest.jsonl@0.03" \
  "$DATA/uw3-lines/manifest_train.jsonl@0.07" \
  --synth-ratio 0.5 --drop-unsupported --case-insensitive \
  --minutes "$MINUTES" --steps 200000 --val-every 1000 --patience 100 \
  --batch-size 32 --lr 1.5e-3 --threads 1 --workers 1 --seed 0 \
  --out "$OUT" "$@"
