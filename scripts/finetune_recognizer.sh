#!/usr/bin/env bash
# Stage 2 of the shipped `latin-crnn` recognizer: fine-tune stage 1 (scripts/train_recognizer.sh)
# towards printed receipts and forms, choosing the checkpoint on the held-out 10% of sroie-train only.
# Resumable: rerun the same command after an interruption and it continues from last.pt.
#   DATA=../shared/data bash scripts/finetune_recognizer.sh
# Stage 3 continued stage 2 with a lower peak LR and inverted real crops (--invert 0.1, now
# the default) so light-on-dark banners read too:
#   BASE=runs/latin-crnn-ft/best.pt OUT=runs/latin-crnn-s3 MINUTES=125 LR=3e-4 bash scripts/finetune_recognizer.sh --ema 0
# (--ema 0: it ran before the weight average existed; stopped after the step-16000 validation at 114 min; best =
# step 15000, sroie-train held-out CER 2.08% against 2.23% for stage 2).
# Stage 5 (the shipped model) continued stage 3 for 85 min with letter case learnt only where labels keep it
# (sroie-train and svt-train labels are all capitals, now read case-blind: --caseless-upper, the default):
#   BASE=runs/latin-crnn-s3/best.pt OUT=runs/latin-crnn-s5 MINUTES=85 LR=3e-4 bash scripts/finetune_recognizer.sh
# (best = step 11000, sroie-train held-out val CER 1.94% against 2.08% for stage 3; a stage 4 at LR 2e-4 without the
# case change never beat stage 3 and was dropped.)
# then: textlens export recognizer runs/latin-crnn-s5/best.pt -o textlens/models/latin-crnn.onnx --name latin-crnn
# Stage 6 (the shipped model) continued stage 5 for 45 min with more synthetic lines (--synth-ratio 0.45), a tenth of
# them whole lines in one of ten Western European and Nordic languages (textlens.synth.corpus.foreign: their accented
# letters and capitalised words):
#   BASE=latin-crnn OUT=runs/latin-crnn-s6 MINUTES=45 LR=3e-4 bash scripts/finetune_recognizer.sh --synth-ratio 0.45
# and its last checkpoint (step 5092) was exported: the sroie-train held-out val CER (the selection metric, case-blind)
# stayed a little above stage 5 (0.0203 vs 0.0195), so best.pt stayed stage 5; last.pt was compared with stage 5
# once, no checkpoint picked among several: sroie-test-lines CER ci 1.66% (1.76%), UW3 test exact CER 0.53%
# (3.25%), rendered pages' lines 1.82% (2.09%); then scripts/quantize_models.sh.
# Stage 7 (not shipped yet) continued stage 6 for 40 min with the `typeset` synthetic source added to the corpus
# (curly apostrophes and quotes, dash ranges, line-end hyphens, LaTeX markup):
#   BASE=latin-crnn OUT=runs/latin-crnn-s7 MINUTES=40 LR=3e-4 bash scripts/finetune_recognizer.sh --synth-ratio 0.45
# (best = last = step 4450, val CER 0.0199 vs 0.0203; float against float stage 6: docpages-dev page CER 5.2% vs
# 5.4%, F1 94.1 vs 93.4, sroie-test-lines 1.7% both, but UW3 test exact CER 1.9% vs 0.5%; not quantized yet.)
# Stage 8 (the shipped model) continued stage 6 for 50 min with the `typeset` source in the corpus
# (curly quotes, dashes) and foreign-language lines drawn 3.5x as often (accented letters):
#   BASE=latin-crnn OUT=runs/latin-crnn-s8 MINUTES=50 LR=3e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.45 --synth-weights foreign=0.35
# Its last checkpoint (step 5032; the sroie-train selection metric 0.0209 vs 0.0203 kept best.pt at
# the start) was exported and quantized as in scripts/quantize_models.sh (recognizer only) and compared
# once with stage 6, INT8 against INT8: UW3 test exact CER 2.55 -> 0.62%, docpages-dev page CER
# 5.12 -> 4.98% / F1 94.36 -> 94.93, rendered pages (benchmarks.rendered_pages) 3.06 -> 2.43% / F1
# 91.5 -> 94.3, sroie-test-lines CER 1.77 -> 1.78%, but sroie-test page F1 91.69 -> 91.16 (CER
# 4.68 -> 4.73%). It still cannot write å or ø in clean 28 px crops (read as a/ä, o).
# Stage 9 (the shipped model) continued stage 8 for 45 min with the `dialogue` source added (short spoken
# lines: I'm, don't, closing . ? ! ...; stage 8 dropped the closing stop of 1 clean sentence in 3):
#   BASE=latin-crnn OUT=runs/latin-crnn-s9 MINUTES=45 LR=3e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.45 --synth-weights foreign=0.35,dialogue=0.12
# best = last = step 4368 (selection metric 0.0203 vs 0.0209); exported and quantized as above and compared
# once with stage 8, INT8 against INT8 with the LM: 128 clean rendered sentences (4 fonts x 4 sizes) read
# wrong 48 -> 24 (closing punctuation lost 41 -> 20, apostrophes 19 -> 4); sroie-test-lines CER 4.9 -> 4.7%;
# sroie-test page F1 91.1 -> 91.3; docpages-dev F1 94.9 -> 95.3 (CER 5.0 -> 4.9%); subtitles (6 videos)
# CER 5.2 -> 4.3%; UW3 test (20 lines) exact CER 0.6 -> 3.9%: one line read in capitals.
# Stage 10 (the shipped model) continued stage 9 for 45 min with the `typeset` source drawn twice as often; it now
# names the TeX family (LaTeX, BibTeX, XeTeX...) in 15% of its lines, 80% of them drawn as their logos:
#   BASE=latin-crnn OUT=runs/latin-crnn-s10 MINUTES=45 LR=3e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.45 --synth-weights foreign=0.35,dialogue=0.12,typeset=0.2
# best = last = step 5504 (selection metric 0.0200 vs 0.0204); exported and quantized as above and compared once
# with stage 9, INT8 against INT8 with the LM (textlens.read, one thread): docpages-dev page CER 4.96 -> 4.86%,
# F1 95.26 -> 95.39 ("latex" missed 32 -> 24 times, "revtex" 15 -> 4); sroie-test CER 4.44 -> 4.41%, F1 91.59 ->
# 91.92; sroie-test-lines CER 1.77 -> 1.75%; rendered pages 2.21 -> 2.07%, F1 95.27 -> 96.0; UW3 test exact CER
# 3.87 -> 2.11% (ci 0.18 -> 0.26%); Campbell (Greek) --lang auto 5.37 -> 5.48%, Yacqubi (Arabic) 4.35 -> 4.34%.
# Stage 11 (the shipped model) continued stage 10 for 45 min with the same weights; the `typeset` source now also
# opens lines with list bullets (• – *) and sets products and sizes (3 × 4, 1280×720):
#   BASE=latin-crnn OUT=runs/latin-crnn-s11 MINUTES=45 LR=3e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.45 --synth-weights foreign=0.35,dialogue=0.12,typeset=0.2
# best = last = step 4573 (selection metric 0.0194 vs 0.0200); exported and quantized as above and compared once
# with stage 10, INT8 against INT8 with the LM (textlens.read, one thread): docpages-dev page CER 4.86 -> 4.83%,
# F1 95.39 -> 95.60; sroie-test CER 4.41 -> 4.35%, F1 91.92 -> 92.06; sroie-test-lines CER 1.75 -> 1.72%; rendered
# pages 2.07 -> 2.04%, F1 96.0 -> 96.0; UW3 test exact CER 2.11 -> 1.93% (ci 0.26 -> 0.18%); Campbell (Greek)
# --lang auto 5.48 -> 5.40%, Yacqubi (Arabic) 4.34 -> 4.33%.
# Stage 12 (the shipped model) continued stage 11 for 45 min (3776 steps: two other trainings shared the CPU) with
# the same weights; typeset and other non-receipt lines are now drawn with old-style figures (onum) and small
# capitals (smcp) where the font has them (docpages read 1986 as "1g86"):
#   BASE=latin-crnn OUT=runs/latin-crnn-s12 MINUTES=45 LR=3e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.45 --synth-weights foreign=0.35,dialogue=0.12,typeset=0.2
# last.pt exported (selection metric 0.0200 vs 0.0194 at the start kept best.pt at stage 11), quantized as above
# and compared once with stage 11, INT8 with the LM (textlens.read, one thread): docpages-dev page CER 4.83 ->
# 4.79%, F1 95.60 -> 95.84; sroie-test CER 4.35 -> 4.30%, F1 92.06 -> 92.02; sroie-test-lines CER 1.72 -> 1.70%;
# rendered pages 2.04 -> 1.99%, F1 96.0 -> 96.6; UW3 test exact CER 1.93 -> 0.35% (ci 0.18 -> 0.26%); Campbell
# (Greek) --lang auto 5.40 -> 5.32%, Yacqubi (Arabic) 4.33 -> 4.35%.
# Stage 13 (not shipped) continued stage 12 for 70 + 35 min (two other trainings shared the CPU) with the charset
# widened to Polish, Czech, Slovak, Hungarian and Icelandic letters (--script latin: they start from their base
# letters) and foreign lines (now in 15 languages) drawn 0.6 of the synthetic half:
#   BASE=latin-crnn OUT=runs/latin-crnn-s13 MINUTES=70 LR=3e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.5 --synth-weights foreign=0.6,dialogue=0.12,typeset=0.2 --script latin
#   (then the same with MINUTES=105: resumed from last.pt, step 6641 -> 9790)
# best.pt = step 5000 (selection metric 0.0192 vs 0.0200). last.pt (step 9790), INT8, against stage 12, each with the
# LM it would ship with (folded LM rebuilt on the wider corpus / the shipped LM): 150 foreign lines in held-out fonts
# CER 4.46 -> 3.10%, accented letters read 97 -> 142 of 225 (the new letters still mostly missed: ě 0/7, ł 1/4);
# docpages-dev CER 4.71 -> 4.65%, F1 96.16 -> 96.50; rendered pages 1.78 -> 1.70%, F1 97.52 -> 98.06; but sroie-test
# CER 4.28 -> 4.50% (F1 92.07 both), sroie-test-lines 1.68 -> 1.70%, and UW3 test exact CER 0.35 -> 2.9% (one
# tight line read half in capitals): not shipped. To continue: the same command with a larger MINUTES.
# Stage 14 (the shipped model) continued stage 13's last.pt for 70 min with stage 12's source weights (foreign lines
# back to 0.35 of the synthetic half) and the new bilevel print-and-scan look in 10% of synthetic lines:
#   BASE=runs/latin-crnn-s13/last.pt OUT=runs/latin-crnn-s14b MINUTES=70 LR=3e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.45 --synth-weights foreign=0.35,dialogue=0.12,typeset=0.2 --script latin
# best.pt = step 5000 (selection metric 0.0191 vs 0.0195 at the start), exported, quantized as above and compared
# once with stage 12, INT8 with the shipped LM (textlens.read, one thread, the new layout rule for both): docpages-dev
# CER 4.71 -> 4.65%, F1 96.16 -> 96.45; docpages-dev as 300-dpi bilevel scans (benchmarks.run --scan 2) 7.35 ->
# 7.20%, F1 84.25 -> 84.96; rendered pages 1.78 -> 1.73%, F1 97.52 -> 97.88; the 114 docpages-dev lines with
# accented letters (GT crops) CER 1.76 -> 1.44%, read exactly 54 -> 64; 150 foreign lines in held-out fonts 6.08 ->
# 5.18% (accented letters 76 -> 103 of 248; the new Polish/Czech letters still mostly missed); UW3 test exact CER
# 0.35% both (ci 0.26%); sroie-test-lines 1.68 -> 1.69%; sroie-test CER 4.28 -> 4.39%, F1 92.07 -> 92.14.
# The same 75 min from stage 12 (runs/latin-crnn-s14, selection metric 0.0186) read scans and rendered pages alike
# but accented lines worse (1.95%, 47 exact), UW3 0.53% and receipts worse (4.31%, F1 91.88): not shipped.
# Stage 15 (the shipped model) continued stage 14 for 65 min (8427 steps, the Cyrillic training beside it) with the
# new `accented` source (lines whose words mostly carry their language's accented letters, from the 30,000 most
# frequent words, so ç, œ, ë, ð, ł, š come often) in 15% of the synthetic lines:
#   BASE=runs/latin-crnn-s14b/best.pt OUT=runs/latin-crnn-s15 MINUTES=65 LR=3e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.45 --synth-weights foreign=0.35,dialogue=0.12,typeset=0.2,accented=0.15 --script latin
# best = last = step 8427 (selection metric 0.0183 vs 0.0191), exported, quantized as above and compared once with
# stage 14, INT8 with the shipped LM, one thread: 300 accent-dense synthetic lines in held-out fonts CER 9.40 ->
# 7.89%, accented letters read 461 -> 558 of 1092; 150 foreign lines 5.18 -> 4.75%; the 114 accented docpages-dev
# lines 1.44 -> 1.34% (exact 64 -> 65); docpages-dev page CER 4.64 -> 4.61%, F1 96.46 -> 96.60; rendered pages 1.73 ->
# 1.56%, F1 97.88 -> 98.74; docpages-dev as scans 7.21 -> 7.14%; sroie-test CER 4.39 -> 4.28% (F1 92.14 -> 92.03);
# sroie-test-lines 1.69 -> 1.67%; Greek --lang auto 5.17 -> 5.05%, Arabic 4.35% both; held-out icdar2015 photos BoW F1
# 36.2 -> 36.6; subtitles 4.66 -> 4.60%. Worse: UW3 test exact CER 0.35 -> 0.53% (ci 0.26 -> 0.35%): an i's dot on
# the bilevel scans read as an acute ("whích", "íntersection"). Re-reading every line whose accented letter is
# unsure with the LM fixed one of them but took more right accents away (accent-dense lines 7.89 -> 8.30%): not kept.
# Stage 16 (not shipped) continued stage 15 for 45 min with the same weights: last.pt (step 5858; the selection
# metric never beat the start) against stage 15, as above: accent-dense lines 7.89 -> 7.59%, the 114 accented
# docpages-dev lines 1.34 -> 1.17% (exact 65 -> 73), UW3 exact 0.53 -> 0.35%, rendered pages 1.56 -> 1.51%, but
# sroie-test CER 4.28 -> 4.39% and F1 92.03 -> 91.83 (stage 14: 92.14): receipts must not slip.
# Stage 17 (the shipped model) continued stage 16's last.pt for 60 min at a lower peak LR, the same weights:
#   BASE=runs/latin-crnn-s16/last.pt OUT=runs/latin-crnn-s17 MINUTES=60 LR=1.5e-4 bash scripts/finetune_recognizer.sh \
#     --synth-ratio 0.45 --synth-weights foreign=0.35,dialogue=0.12,typeset=0.2,accented=0.15 --script latin
# best = step 2000 (selection metric 0.0185; last.pt, step 6777, 0.0194, read sroie-test-lines at 1.71%), against
# stage 15, INT8 with the shipped LM, one thread: UW3 test exact CER 0.53 -> 0.26% (ci 0.35 -> 0.18), accent-dense
# lines 7.89 -> 7.54%, foreign lines 4.75 -> 4.49%, the 114 accented docpages-dev lines 1.34 -> 1.17% (exact 65 ->
# 69), docpages-dev page CER 4.61 -> 4.56%, F1 96.60 -> 96.88, rendered pages 1.56 -> 1.53%, F1 98.74 -> 98.95,
# scans 7.14 -> 7.15%, sroie-test-lines 1.67 -> 1.68%; worse: sroie-test 4.28 -> 4.40%, F1 92.03 -> 91.86 (within
# the bars of F1 91 and CER 4.8), Greek --lang auto 5.05 -> 5.14%.
# Stage 18 (not shipped) continued stage 17 for 60 min with the bilevel print-and-scan look in 30% of the synthetic
# lines instead of 10% (--synth-scan 0.3), the same weights and LR:
#   BASE=latin-crnn OUT=runs/latin-crnn-s18 MINUTES=60 LR=1.5e-4 bash scripts/finetune_recognizer.sh --synth-ratio 0.45 \
#     --synth-weights foreign=0.35,dialogue=0.12,typeset=0.2,accented=0.15 --script latin --synth-scan 0.3
# best = step 3000 (selection metric 0.0183 vs 0.0185), last = step 6932 (0.0184); against stage 17, INT8 with the LM and
# latin-words, one thread (best / last): docpages-dev as scans CER 6.64 -> 6.38 / 6.62%, F1 86.4 -> 87.0 / 87.3; UW3 test
# exact CER 0.18 -> 0.09 / 0.09%; sroie-test-lines 1.64 -> 1.65 / 1.60%; but docpages-dev 4.34 -> 4.38 / 4.37% and
# sroie-test page CER 4.08 -> 4.26 / 4.23% (F1 92.2 -> 92.3 both): receipts must not slip.
set -euo pipefail
DATA=${DATA:-../shared/data}
BASE=${BASE:-runs/latin-crnn/best.pt}
OUT=${OUT:-runs/latin-crnn-ft}
MINUTES=${MINUTES:-130}
LR=${LR:-5e-4}
export OMP_WAIT_POLICY=PASSIVE
# Same sources and the same seed-0 hold-outs as stage 1 (so the iiit5k held-out 10% stays unseen),
# heavier on receipts, a third of each batch synthetic, a lower peak LR.
exec .venv/bin/textlens train recognizer \
  "$DATA/sroie-train/manifest.jsonl@0.65" \
  "$DATA/funsd-train/manifest.jsonl@0.14" \
  "$DATA/iiit5k-train/manifest.jsonl@0.05" \
  "$DATA/icdar2015-rec-train/manifest.jsonl@0.05" \
  "$DATA/svt-train/manifest.jsonl@0.03" \
  "$DATA/uw3-lines/manifest_train.jsonl@0.08" \
  --select-on sroie-train --finetune "$BASE" \
  --synth-ratio 0.35 --drop-unsupported --case-insensitive \
  --minutes "$MINUTES" --steps 200000 --val-every 1000 --patience 100 \
  --batch-size 32 --lr "$LR" --threads 1 --workers 1 --seed 0 \
  --out "$OUT" "$@"
