#!/usr/bin/env bash
# The exact recipe of the shipped `captcha-crnn` recognizer (textlens/models/captcha-crnn.onnx):
# the starting point for CAPTCHA readers. It reads digits and Latin letters ignoring case, in
# every `textlens synth captcha` style, and begins from the shipped latin-crnn weights.
#   stage 1 (runs/captcha-crnn, 100 min): a fixed rendered set plus fresh images every batch;
#   stage 2 (runs/captcha-crnn-fx, 85 min): continues from stage 1's best with fresh images drawn
#     with the decorative glyph effects (outlined, stencilled, pixelated, hatched, shadowed ...)
#     and validates on a set that has them.
# Resumable: rerun the same command after an interruption and each stage continues from last.pt.
#   bash scripts/pretrain_captcha.sh
# then: textlens export recognizer runs/captcha-crnn-fx/best.pt -o textlens/models/captcha-crnn.onnx --name captcha-crnn
# No real CAPTCHA is used: only synthetic images.
set -euo pipefail
OUT=${OUT:-runs/captcha-crnn}
OUT2=${OUT2:-runs/captcha-crnn-fx}
SYNTH=${SYNTH:-runs/captcha-synth}
MINUTES=${MINUTES:-100}
MINUTES2=${MINUTES2:-85}
ALPHABET=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ
export OMP_WAIT_POLICY=PASSIVE
TL=.venv/bin/textlens
COMMON=(--case-fold on --synth-kind captcha --val-every 500 --patience 100 --threads 1 --workers 1 --seed 0)
[ -f "$SYNTH/train/manifest.jsonl" ] || $TL synth captcha -o "$SYNTH/train" --count 20000 --min-len 3 --max-len 9 \
  --alphabet "$ALPHABET" --seed 0
[ -f "$SYNTH/val/manifest.jsonl" ] || $TL synth captcha -o "$SYNTH/val" --count 1000 --min-len 3 --max-len 9 \
  --alphabet "$ALPHABET" --seed 1 --height 70
if [ ! -f "$OUT/done" ]; then
  $TL train recognizer "$SYNTH/train/manifest.jsonl" --val "$SYNTH/val/manifest.jsonl" \
    --synth-ratio 0.7 --minutes "$MINUTES" --out "$OUT" "${COMMON[@]}" "$@"
  touch "$OUT/done"
fi
[ -f "$SYNTH/val-fx/manifest.jsonl" ] || $TL synth captcha -o "$SYNTH/val-fx" --count 1000 --min-len 3 --max-len 9 \
  --alphabet "$ALPHABET" --seed 2 --height 70
exec $TL train recognizer "$SYNTH/train/manifest.jsonl" --val "$SYNTH/val-fx/manifest.jsonl" \
  --finetune "$OUT/best.pt" --synth-ratio 0.85 --minutes "$MINUTES2" --out "$OUT2" "${COMMON[@]}" "$@"
