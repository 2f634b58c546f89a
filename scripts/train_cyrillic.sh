#!/usr/bin/env bash
# A Latin + Cyrillic recognizer (`--script cyrillic`): latin-crnn fine-tuned on synthetic Cyrillic lines
# (wordfreq Russian, Ukrainian, Bulgarian, Macedonian) drawn in 7 of every 8 font families (--synth-fonts
# train), with the Latin real sets in the mix so Latin reading does not decay. The checkpoint is chosen on
# 400 synthetic lines in the training fonts; `textlens synth lines --script cyrillic --fonts test` renders
# test lines in the families it never saw (`--pure`: Cyrillic text only).
# Shipped as `cyrillic-crnn` (2026-12-07): best.pt after 6 hours on one CPU thread over several resumed runs
# (step 13000, validation CER 2.47%), exported and quantized to INT8 on 60 of the validation lines:
#   textlens export recognizer runs/cyrillic-crnn/best.pt -o runs/cyrillic-crnn/cyrillic-crnn-float.onnx --name cyrillic-crnn
#   textlens export int8 runs/cyrillic-crnn/cyrillic-crnn-float.onnx -o textlens/models/cyrillic-crnn.onnx \
#     --name cyrillic-crnn --lines "runs/cyrillic-crnn/val/img/0000[0-5]*"
# (the float .pt beside it is textlens/models/cyrillic-crnn.pt; its LM: scripts/build_cyrillic_lm.sh). 1000 synthetic
# all-Cyrillic lines in held-out families (synth lines --pure --fonts test --seed 7), with cyrillic-lm: 2.65% CER
# (step 8000, shipped first the same day: 3.09%, and 4.96% without the LM); the 300 rendered Russian lines of
# benchmarks/script_lines.py russian 2.78% (step 8000: 3.52%; Tesseract rus 2.03%).
# Replaced the same day by best.pt at step 16500 (validation CER 2.31%, 408 minutes in all): held-out-font lines
# 2.35%, Russian lines 2.70% (--lang auto 2.83%).
# Replaced again by best.pt at step 20000 (validation 2.21%, 454 minutes in all; resumed with MINUTES=700, stopped
# after that checkpoint): held-out-font lines 2.22%, Russian lines 2.38% (--lang auto 2.46%).
# Replaced again by best.pt at step 24500 (validation 2.06%): resumed at step 21000 with MINUTES=575, so the
# cosine schedule jumped ahead and annealed over the last 110 minutes (575 in all, stopped by itself):
#   MINUTES=575 nohup nice -n 10 bash scripts/train_cyrillic.sh > runs/cyrillic-crnn-resume13.log 2>&1 &
# held-out-font lines 2.10%, Russian lines 2.12% (--lang auto 2.20%; Tesseract rus 2.03%).
# A continuation from the shipped model (2026-12-07 evening: OUT=runs/cyrillic-crnn-s2 MINUTES=65 LR=1.5e-4
# bash scripts/train_cyrillic.sh --finetune cyrillic-crnn) started lower than step 24500 had ended (validation 2.54%:
# the Latin charset had grown by the Polish, Czech and Icelandic letters since, new rows taken from look-alikes) and
# reached 2.45% at step 1500 of 26 min; stopped, not shipped (cyrillic-words took the held-out-font lines to 1.80%).
# Resumable: rerun the same command after an interruption and it continues from last.pt.
#   DATA=../shared/data bash scripts/train_cyrillic.sh
set -euo pipefail
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/cyrillic-crnn}
MINUTES=${MINUTES:-60}
LR=${LR:-5e-4}
export OMP_WAIT_POLICY=PASSIVE
[ -s "$OUT/val/manifest.jsonl" ] || .venv/bin/textlens synth lines --script cyrillic --fonts train -n 400 --seed 101 -o "$OUT/val"
exec .venv/bin/textlens train recognizer \
  "$DATA/uw3-lines/manifest_train.jsonl@0.3" \
  "$DATA/sroie-train/manifest.jsonl@0.45" \
  "$DATA/funsd-train/manifest.jsonl@0.25" \
  --val "$OUT/val/manifest.jsonl" --finetune latin-crnn --script cyrillic --synth-fonts train \
  --synth-ratio 0.7 --drop-unsupported \
  --minutes "$MINUTES" --steps 200000 --val-every 500 --patience 100 \
  --batch-size 32 --lr "$LR" --threads 1 --workers 1 --seed 0 \
  --out "$OUT" "$@"
