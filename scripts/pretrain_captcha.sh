#!/usr/bin/env bash
# The exact recipe of the shipped `captcha-crnn` recognizer (textlens/models/captcha-crnn.onnx):
# the starting point for CAPTCHA readers. It reads digits and Latin letters ignoring case, in
# every `textlens synth captcha` style, and begins from the shipped latin-crnn weights.
# Resumable: rerun the same command after an interruption and it continues from last.pt.
#   bash scripts/pretrain_captcha.sh
# then: textlens export recognizer runs/captcha-crnn/best.pt -o textlens/models/captcha-crnn.onnx --name captcha-crnn
# No real CAPTCHA is used: only synthetic images (a fixed rendered set plus fresh ones every batch).
set -euo pipefail
OUT=${OUT:-runs/captcha-crnn}
SYNTH=${SYNTH:-runs/captcha-synth}
MINUTES=${MINUTES:-100}
ALPHABET=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ
export OMP_WAIT_POLICY=PASSIVE
TL=.venv/bin/textlens
[ -f "$SYNTH/train/manifest.jsonl" ] || $TL synth captcha -o "$SYNTH/train" --count 20000 --min-len 3 --max-len 9 \
  --alphabet "$ALPHABET" --seed 0
[ -f "$SYNTH/val/manifest.jsonl" ] || $TL synth captcha -o "$SYNTH/val" --count 1000 --min-len 3 --max-len 9 \
  --alphabet "$ALPHABET" --seed 1 --height 70
exec $TL train recognizer "$SYNTH/train/manifest.jsonl" --val "$SYNTH/val/manifest.jsonl" \
  --case-fold on --synth-kind captcha --synth-ratio 0.7 \
  --minutes "$MINUTES" --val-every 500 --patience 100 --threads 1 --workers 1 --seed 0 \
  --out "$OUT" "$@"
