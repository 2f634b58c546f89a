#!/usr/bin/env bash
# The shipped `latin-lm` character language model: the labels of the same training sets the
# `latin-crnn` recognizer learnt from, minus the same held-out 10% of each (seed 0), so the
# sroie-train/iiit5k held-out scores stay honest. Takes a few seconds.
#   DATA=../shared/data bash scripts/build_lm.sh
set -euo pipefail
DATA=${DATA:-../shared/data}
OUT=${OUT:-textlens/models/latin-lm.npz}
exec .venv/bin/textlens train lm \
  "$DATA/sroie-train/manifest.jsonl" \
  "$DATA/funsd-train/manifest.jsonl" \
  "$DATA/iiit5k-train/manifest.jsonl" \
  "$DATA/icdar2015-rec-train/manifest.jsonl" \
  "$DATA/svt-train/manifest.jsonl" \
  "$DATA/uw3-lines/manifest_train.jsonl" \
  --order 7 --hold-out 0.1 --seed 0 -o "$OUT"
