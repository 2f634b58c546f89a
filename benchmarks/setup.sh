#!/usr/bin/env bash
# Install the benchmark anchors: Tesseract 5 (Debian packages) and RapidOCR 1.4.4 (in .bench-venv).
# Idempotent: does nothing that is already done. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx eng; then
    echo "bench setup: $(tesseract --version 2>&1 | head -n1) with eng: ok" >&2
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench setup: installing tesseract-ocr + tesseract-ocr-eng" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null
else
    echo "bench setup: tesseract missing and not root: its row will say 'not installed'" \
         "(sudo apt-get install tesseract-ocr tesseract-ocr-eng)" >&2
fi

VENV=${BENCH_VENV:-.bench-venv}
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import rapidocr_onnxruntime" 2>/dev/null; then
    echo "bench setup: $VENV with rapidocr-onnxruntime: ok" >&2
else
    echo "bench setup: creating $VENV with rapidocr-onnxruntime (separate venv: it needs opencv-python)" >&2
    "${PYTHON3:-python3}" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r benchmarks/requirements-bench.txt
fi
