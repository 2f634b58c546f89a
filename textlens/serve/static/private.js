// Private mode: read an image entirely in this browser with ONNX Runtime Web and textlens's own
// ONNX models (fetched once from /v1/models/<name>; the image never leaves the page).
// The same stages as textlens.pipeline, kept to what a browser does well: the detector's
// probability map at the model's long side (plus a coarse pass for large type), DB boxes grown
// by area x ratio / perimeter, weak boxes kept only when read confidently, line crops with
// the same margin, greedy CTC decoding, words from the spaces. Upright pages only (no
// orientation search or language-model re-reads: those stay on the server).
"use strict";

window.TextlensPrivate = (() => {
  const VENDOR = "/static/vendor/";
  const COARSE_SIDE = 480;
  const STRIP_SIDE = 256; // an image narrower than this is a strip of text (a line or word screenshot)
  const STRIP_PAD = 0.15; // ... framed by this share of its long side in its own background colour
  const CROP_PAD = 0.075;
  const CROP_PAD_END = 0.225; // more room at a line's end: a final comma or full stop
  const JOIN_GAP = 0.3; // pieces of one line this close (in line heights) are read as one
  const WEAK_BOX_THRESH = 0.3;
  // The server keeps a weak region read with 0.9 after re-reading unsure lines (< 0.97) with the
  // language model; with no re-read here, a weak region must be read as surely as that bar.
  const WEAK_MIN_CONFIDENCE = 0.985;
  const MIN_SIZE = 1.5;
  const sessions = new Map(); // model name -> {session, config}
  let runtime = null;

  function loadRuntime() {
    if (runtime) return runtime;
    runtime = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = VENDOR + "ort.wasm.min.js";
      script.onload = () => {
        window.ort.env.wasm.wasmPaths = VENDOR;
        window.ort.env.wasm.numThreads = 1; // no cross-origin isolation needed
        resolve(window.ort);
      };
      script.onerror = () => {
        runtime = null;
        reject(new Error("ONNX Runtime Web is not installed with this server (run `make setup`)"));
      };
      document.head.appendChild(script);
    });
    return runtime;
  }

  async function model(name, headers) {
    if (sessions.has(name)) return sessions.get(name);
    const ort = await loadRuntime();
    const [bytes, meta] = await Promise.all([
      fetchOk(`/v1/models/${encodeURIComponent(name)}`, headers).then((r) => r.arrayBuffer()),
      fetchOk(`/v1/models/${encodeURIComponent(name)}/config`, headers).then((r) => r.json()),
    ]);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    const loaded = { session, config: meta.config, name, chars: Array.from(meta.config.charset || "") };
    sessions.set(name, loaded);
    return loaded;
  }

  async function fetchOk(url, headers) {
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
    return response;
  }

  // --- images ---------------------------------------------------------------------------

  function canvas(width, height) {
    const c = document.createElement("canvas");
    c.width = width;
    c.height = height;
    return c;
  }

  // Pixels of a source rectangle scaled to width x height: an area-like filter when shrinking,
  // bilinear when enlarging (OpenCV's INTER_AREA and INTER_LINEAR on the server).
  function drawn(source, sx, sy, sw, sh, width, height) {
    const c = canvas(width, height);
    const g = c.getContext("2d", { willReadFrequently: true });
    g.imageSmoothingEnabled = true;
    g.imageSmoothingQuality = width < sw || height < sh ? "high" : "low";
    g.fillStyle = "#fff";
    g.fillRect(0, 0, width, height);
    g.drawImage(source, sx, sy, sw, sh, 0, 0, width, height);
    return g.getImageData(0, 0, width, height).data;
  }

  // --- detection ------------------------------------------------------------------------

  function inputSize(height, width, longSide) {
    const scale = longSide / Math.max(height, width);
    return [Math.max(32, Math.round((height * scale) / 32) * 32), Math.max(32, Math.round((width * scale) / 32) * 32)];
  }

  async function regions(detector, bitmap, longSide) {
    const ort = window.ort;
    const { mean, std } = detector.config;
    const [h, w] = inputSize(bitmap.height, bitmap.width, longSide);
    const rgba = drawn(bitmap, 0, 0, bitmap.width, bitmap.height, w, h);
    const tensor = new Float32Array(3 * h * w);
    for (let i = 0; i < h * w; i++) {
      for (let c = 0; c < 3; c++) tensor[c * h * w + i] = (rgba[4 * i + c] - mean[c]) / std[c];
    }
    const feeds = { [detector.session.inputNames[0]]: new ort.Tensor("float32", tensor, [1, 3, h, w]) };
    const output = await detector.session.run(feeds);
    const prob = output[detector.session.outputNames[0]].data;
    return boxesFromMap(prob, w, h, detector.config, bitmap.width / w, bitmap.height / h, bitmap.width, bitmap.height);
  }

  // Connected regions of the binarised map (8-neighbours), each scored by its mean probability,
  // grown back by D = area * unclip_ratio / perimeter, scaled to image pixels.
  function boxesFromMap(prob, w, h, config, sx, sy, imageW, imageH) {
    const seen = new Uint8Array(w * h);
    const boxes = [];
    const stack = [];
    for (let start = 0; start < w * h; start++) {
      if (seen[start] || prob[start] <= config.bin_thresh) continue;
      let x0 = w, y0 = h, x1 = 0, y1 = 0, sum = 0, count = 0;
      seen[start] = 1;
      stack.push(start);
      while (stack.length) {
        const at = stack.pop();
        const x = at % w, y = (at - x) / w;
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        sum += prob[at]; count++;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx, ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
            const next = ny * w + nx;
            if (!seen[next] && prob[next] > config.bin_thresh) { seen[next] = 1; stack.push(next); }
          }
        }
      }
      const rw = x1 - x0, rh = y1 - y0, score = sum / count;
      if (Math.min(rw, rh) < MIN_SIZE - 1 || score < WEAK_BOX_THRESH) continue;
      const grow = (rw * rh * config.unclip_ratio) / (2 * (rw + rh));
      if (Math.min(rw, rh) + 2 * grow < MIN_SIZE + 1) continue;
      const box = [
        Math.max(0, (x0 - grow) * sx), Math.max(0, (y0 - grow) * sy),
        Math.min(imageW, (x1 + grow) * sx), Math.min(imageH, (y1 + grow) * sy),
      ];
      boxes.push({ box, score, weak: score < config.box_thresh });
    }
    return boxes;
  }

  function area(b) { return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]); }
  function overlap(a, b) {
    return area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
  }

  // The coarse pass's boxes lying mostly where nothing confident was found (large type); fine
  // boxes inside an added one are fragments of it (a word of a large line the fine pass saw alone).
  function addMissed(found, coarse) {
    const strong = found.filter((r) => !r.weak);
    const added = coarse.filter((c) => strong.reduce((s, f) => s + overlap(c.box, f.box), 0) < 0.2 * area(c.box));
    const kept = found.filter((r) => !added.some((a) => overlap(r.box, a.box) > 0.5 * area(r.box)));
    return kept.concat(added);
  }

  // Pieces of one line (same row, about the same height, overlapping or nearly touching) joined,
  // as the server's detector does: large type is otherwise read as overlapping fragments.
  function joinRowFragments(regions) {
    const sorted = regions.map((r) => ({ ...r, box: r.box.slice() })).sort((a, b) => a.box[0] - b.box[0]);
    const out = [];
    for (const r of sorted) {
      const h = r.box[3] - r.box[1];
      const mate = out.find((o) => {
        const oh = o.box[3] - o.box[1];
        const vOverlap = Math.min(o.box[3], r.box[3]) - Math.max(o.box[1], r.box[1]);
        const gap = r.box[0] - o.box[2];
        return Math.max(h, oh) <= 1.5 * Math.min(h, oh) && vOverlap >= 0.6 * Math.min(h, oh) && gap <= JOIN_GAP * Math.max(h, oh);
      });
      if (!mate) { out.push(r); continue; }
      mate.box = [Math.min(mate.box[0], r.box[0]), Math.min(mate.box[1], r.box[1]), Math.max(mate.box[2], r.box[2]), Math.max(mate.box[3], r.box[3])];
      mate.score = Math.max(mate.score, r.score);
      mate.weak = mate.weak && r.weak;
    }
    return out.sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0]);
  }

  // --- recognition ----------------------------------------------------------------------

  async function readLine(recognizer, bitmap, box) {
    const ort = window.ort;
    const { height, mean, std, stride } = recognizer.config;
    const pad = CROP_PAD * (box[3] - box[1]);
    const endPad = (CROP_PAD + CROP_PAD_END) * (box[3] - box[1]);
    const x0 = Math.max(0, box[0] - pad), y0 = Math.max(0, box[1] - pad);
    const x1 = Math.min(bitmap.width, box[2] + endPad), y1 = Math.min(bitmap.height, box[3] + pad);
    const cropW = Math.max(1, Math.round(x1 - x0)), cropH = Math.max(1, Math.round(y1 - y0));
    const width = Math.min(Math.max(Math.round((cropW * height) / cropH), 16), 2400);
    const rgba = drawn(bitmap, x0, y0, x1 - x0, y1 - y0, width, height);
    const input = new Float32Array(width * height);
    for (let i = 0; i < width * height; i++) {
      const grey = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
      input[i] = (grey / 255 - mean) / std;
    }
    const feeds = { [recognizer.session.inputNames[0]]: new ort.Tensor("float32", input, [1, 1, height, width]) };
    const output = (await recognizer.session.run(feeds))[recognizer.session.outputNames[0]];
    const [, frames, classes] = output.dims;
    const hits = greedy(output.data, frames, classes, recognizer.chars);
    const scale = (x1 - x0) / width;
    return toWords(hits, (frame) => x0 + frame * stride * scale, [box[1], box[3]]);
  }

  // Best path: argmax per frame, repeats merged, blanks (class 0) dropped.
  function greedy(logProbs, frames, classes, charset) {
    const hits = [];
    let previous = 0;
    for (let t = 0; t < frames; t++) {
      let best = 0, bestValue = -Infinity;
      for (let c = 0; c < classes; c++) {
        const v = logProbs[t * classes + c];
        if (v > bestValue) { bestValue = v; best = c; }
      }
      const p = Math.exp(bestValue);
      if (best !== 0 && best === previous && hits.length) {
        const last = hits[hits.length - 1];
        last.lastFrame = t;
        last.confidence = Math.max(last.confidence, p);
      } else if (best !== 0) {
        hits.push({ text: charset[best - 1], confidence: p, firstFrame: t, lastFrame: t });
      }
      previous = best;
    }
    return hits;
  }

  function toWords(hits, frameX, [top, bottom]) {
    const words = [];
    let current = [];
    const flush = () => {
      if (!current.length) return;
      const left = frameX(current[0].firstFrame), right = frameX(current[current.length - 1].lastFrame + 1);
      words.push({
        text: current.map((h) => h.text).join(""),
        confidence: geometricMean(current.map((h) => h.confidence)),
        polygon: [[left, top], [right, top], [right, bottom], [left, bottom]],
      });
      current = [];
    };
    for (const hit of hits) {
      if (hit.text === " ") flush(); else current.push(hit);
    }
    flush();
    return words;
  }

  function geometricMean(values) {
    return Math.exp(values.reduce((s, v) => s + Math.log(Math.max(v, 1e-6)), 0) / values.length);
  }

  // --- the page -------------------------------------------------------------------------

  function linePolygon(words) {
    const xs = words.flatMap((w) => w.polygon.map((p) => p[0])), ys = words.flatMap((w) => w.polygon.map((p) => p[1]));
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  }

  // Lines top to bottom; lines sharing half their height and standing side by side (a receipt item
  // and its amount) form a row, left to right: the rule of the server's plain-text rows.
  function intoRows(lines) {
    const bands = [];
    for (const line of [...lines].sort((a, b) => a.top - b.top)) {
      const band = bands.find((b) => shared(b[0], line) >= 0.5);
      if (band) band.push(line); else bands.push([line]);
    }
    const rows = [];
    for (const band of bands) {
      band.sort((a, b) => a.left - b.left);
      let row = [band[0]];
      for (const line of band.slice(1)) {
        const last = row[row.length - 1];
        const smaller = Math.min(last.bottom - last.top, line.bottom - line.top);
        if (line.left >= last.right - 0.25 * smaller) row.push(line); else { rows.push(row); row = [line]; }
      }
      rows.push(row);
    }
    return rows;
  }

  function shared(a, b) {
    const overlap = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return overlap / Math.max(1e-6, Math.min(a.bottom - a.top, b.bottom - b.top));
  }

  // Detection as on the server: the fine pass, the coarse pass's additions, row fragments joined;
  // a strip of text is first framed in its border colour (boxes come back in the bitmap's pixels).
  async function detect(det, bitmap) {
    const { width, height } = bitmap;
    if (Math.min(width, height) < STRIP_SIDE) {
      const pad = Math.round(STRIP_PAD * Math.max(width, height));
      const framed = canvas(width + 2 * pad, height + 2 * pad);
      const g = framed.getContext("2d");
      g.fillStyle = borderColour(bitmap);
      g.fillRect(0, 0, framed.width, framed.height);
      g.drawImage(bitmap, pad, pad);
      const clip = (v, limit) => Math.min(Math.max(v - pad, 0), limit);
      return (await detectPage(det, framed)).map((r) => ({
        ...r,
        box: [clip(r.box[0], width), clip(r.box[1], height), clip(r.box[2], width), clip(r.box[3], height)],
      }));
    }
    return detectPage(det, bitmap);
  }

  async function detectPage(det, source) {
    let found = await regions(det, source, det.config.long_side);
    if (COARSE_SIDE < det.config.long_side) found = addMissed(found, await regions(det, source, COARSE_SIDE));
    return joinRowFragments(found);
  }

  // The median colour of the outermost pixels: the strip's background, as a rule.
  function borderColour(bitmap) {
    const { width: w, height: h } = bitmap;
    const rgba = drawn(bitmap, 0, 0, w, h, w, h);
    const channels = [[], [], []];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (x > 0 && y > 0 && x < w - 1 && y < h - 1) continue;
        for (let c = 0; c < 3; c++) channels[c].push(rgba[4 * (y * w + x) + c]);
      }
    }
    const median = (v) => v.sort((a, b) => a - b)[v.length >> 1];
    return `rgb(${channels.map(median).join(",")})`;
  }

  async function read(file, { detector = "", recognizer = "", onStatus = () => {}, headers = {} } = {}) {
    onStatus("Loading models into this browser...");
    const listing = await fetchOk("/v1/models", headers).then((r) => r.json());
    const pickName = (kind, name) => name || listing.models.find((m) => m.kind === kind && m.default).name;
    const [det, rec] = await Promise.all([
      model(pickName("detector", detector), headers),
      model(pickName("recognizer", recognizer), headers),
    ]);
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    onStatus(`Reading ${file.name} in this browser...`);
    const found = await detect(det, bitmap);
    const lines = [];
    for (const region of found) {
      const words = await readLine(rec, bitmap, region.box);
      if (!words.length) continue;
      const confidence = geometricMean(words.map((w) => w.confidence)); // per word: close to the server's per line
      if (region.weak && confidence < WEAK_MIN_CONFIDENCE) continue;
      const [left, top, right, bottom] = region.box;
      lines.push({ polygon: linePolygon(words), words, top, bottom, left, right });
    }
    const rows = intoRows(lines);
    const page = {
      index: 0, width: bitmap.width, height: bitmap.height, orientation: 0, skew: 0, language: null, dpi: null,
      // One block per row: a label and its value (a receipt item and its amount) read as one line.
      blocks: rows.map((row) => ({
        polygon: linePolygon(row.flatMap((l) => l.words)),
        lines: row.map(({ polygon, words }) => ({ polygon, words })),
      })),
    };
    const models = [det, rec].map((m) => ({ name: m.name, kind: m === det ? "detector" : "recognizer", sha256: "" }));
    return { schema_version: 1, source: file.name, provenance: { textlens_version: "", models, timings: {} }, pages: [page] };
  }

  return { read };
})();
