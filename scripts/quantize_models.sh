#!/usr/bin/env bash
# The shipped INT8 models `latin-crnn-int8` and `doc-dbnet-int8` (the defaults for reading):
# the float models quantized with `textlens export int8`, calibrated on what they see while
# reading 20 sroie-train and 10 funsd-train pages (+ the 50 UW3 training lines for the
# recognizer); never on a set we report scores for. About two minutes; then the registry's
# sha256 entries are refreshed.
#   DATA=../shared/data bash scripts/quantize_models.sh
set -euo pipefail
DATA=${DATA:-../shared/data}
MODELS=textlens/models
PAGES=()
for f in $(ls "$DATA"/sroie-train/img/* | awk 'NR % 20 == 1' | head -n 20) \
         $(ls "$DATA"/funsd-train/img/* | awk 'NR % 10 == 1' | head -n 10); do
  PAGES+=(--pages "$f")
done
.venv/bin/textlens export int8 "$MODELS/latin-crnn.onnx" -o "$MODELS/latin-crnn-int8.onnx" \
  --name latin-crnn-int8 "${PAGES[@]}" --lines "$DATA/uw3-lines/img/train_*"
.venv/bin/textlens export int8 "$MODELS/doc-dbnet.onnx" -o "$MODELS/doc-dbnet-int8.onnx" \
  --name doc-dbnet-int8 "${PAGES[@]}"
.venv/bin/python - <<'PY'
import json
from pathlib import Path

from textlens.models.registry import REGISTRY_FILE, file_sha256

entries = json.loads(REGISTRY_FILE.read_text())
for entry in entries:
    entry["sha256"] = file_sha256(Path(REGISTRY_FILE.parent, entry["file"]))
REGISTRY_FILE.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
PY
