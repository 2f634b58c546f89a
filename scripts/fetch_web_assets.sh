#!/usr/bin/env bash
# The web page's third-party files, served by textlens itself (no CDN): ONNX Runtime Web (private,
# in-browser reading) and Swagger UI (/docs). Taken from the npm registry at setup time, pinned, and
# unpacked into textlens/serve/static/vendor/ (not committed: the WebAssembly runtime is 14 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
ORT_WEB=1.30.0
SWAGGER_UI=5.35.0
VENDOR=textlens/serve/static/vendor
STAMP="$VENDOR/.versions"
WANT="onnxruntime-web@$ORT_WEB swagger-ui-dist@$SWAGGER_UI"
[ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && exit 0
command -v npm >/dev/null || { echo "fetch_web_assets: npm is needed to fetch $WANT" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "onnxruntime-web@$ORT_WEB" "swagger-ui-dist@$SWAGGER_UI" >/dev/null)
tar xzf "$work/onnxruntime-web-$ORT_WEB.tgz" -C "$work" package/dist/ort.wasm.min.js \
  package/dist/ort-wasm-simd-threaded.wasm package/dist/ort-wasm-simd-threaded.mjs package/package.json
mkdir -p "$work/swagger"
tar xzf "$work/swagger-ui-dist-$SWAGGER_UI.tgz" -C "$work/swagger" package/swagger-ui-bundle.js \
  package/swagger-ui.css package/LICENSE
rm -rf "$VENDOR" && mkdir -p "$VENDOR"
cp "$work"/package/dist/* "$VENDOR"/
# The npm package ships no LICENSE file; its package.json names the licence (MIT, Microsoft).
grep -m1 '"license"' "$work/package/package.json" > "$VENDOR/LICENSE.onnxruntime-web"
cp "$work"/swagger/package/swagger-ui-bundle.js "$work"/swagger/package/swagger-ui.css "$VENDOR"/
cp "$work/swagger/package/LICENSE" "$VENDOR/LICENSE.swagger-ui"
echo "$WANT" > "$STAMP"
echo "fetch_web_assets: $WANT -> $VENDOR"
