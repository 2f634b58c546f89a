// The textlens web page: pick or drop files, read them on the server (NDJSON, page by page) or in
// this browser (private.js, ONNX Runtime Web), show boxes over each page, copy and download.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const FORMATS = ["json", "txt", "tsv", "hocr", "alto", "page", "pdf"];
  const SUFFIX = { json: ".json", txt: ".txt", tsv: ".tsv", hocr: ".hocr", alto: ".alto.xml", page: ".page.xml", pdf: ".pdf" };
  const SHOWN_BY_BROWSER = /^image\/(png|jpeg|gif|webp|bmp)$/;
  let picked = [];
  let results = []; // {file, document, where}

  const headers = () => ($("api-key").value ? { "X-API-Key": $("api-key").value } : {});
  const say = (text) => { $("status").textContent = text; };

  async function errorText(response) {
    try {
      const body = await response.json();
      return body.error ? body.error.message : `${response.status} ${response.statusText}`;
    } catch (_) {
      return `${response.status} ${response.statusText}`;
    }
  }

  async function loadModels() {
    const response = await fetch("/v1/models", { headers: headers() });
    if (!response.ok) { say(await errorText(response)); return; }
    const listing = await response.json();
    for (const kind of ["detector", "recognizer"]) {
      const select = $(kind);
      select.innerHTML = "";
      for (const model of listing.models.filter((m) => m.kind === kind)) {
        const option = new Option(model.name + (model.default ? " (default)" : ""), model.name, model.default, model.default);
        option.title = model.description;
        select.add(option);
      }
    }
  }

  function pick(files) {
    picked = files;
    $("picked").textContent = files.length ? files.map((f) => f.name).join(", ") : "No file picked.";
  }

  // --- reading --------------------------------------------------------------------------

  async function readOnServer(file, onPage) {
    const body = new FormData();
    body.append("file", file, file.name);
    body.append("stream", "true");
    body.append("images", SHOWN_BY_BROWSER.test(file.type) ? "false" : "true");
    body.append("detector", $("detector").value);
    body.append("recognizer", $("recognizer").value);
    body.append("dpi", $("dpi").value || "200");
    const response = await fetch("/v1/read", { method: "POST", body, headers: headers() });
    if (!response.ok) throw new Error(await errorText(response));
    const document_ = { schema_version: 1, source: file.name, provenance: { models: [] }, pages: [] };
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffered += decoder.decode(value || new Uint8Array(), { stream: !done });
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const event = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (event.event === "start") document_.provenance.models = event.models;
        if (event.event === "error") throw new Error(event.error.message);
        if (event.event === "page") {
          document_.pages.push(event.page);
          onPage(event.page, event.image || URL.createObjectURL(file), event.pages);
        }
      }
      if (done) break;
    }
    return document_;
  }

  async function readHere(file, onPage) {
    if (!SHOWN_BY_BROWSER.test(file.type)) {
      throw new Error(`${file.name}: private mode reads PNG, JPEG, GIF, WebP and BMP images; read PDFs and TIFFs on the server`);
    }
    const document_ = await window.TextlensPrivate.read(file, {
      detector: $("detector").value,
      recognizer: $("recognizer").value,
      onStatus: say,
      headers: headers(),
    });
    document_.pages.forEach((page) => onPage(page, URL.createObjectURL(file), document_.pages.length));
    return document_;
  }

  async function readAll(event) {
    event.preventDefault();
    if (!picked.length) { say("Pick or drop a file first."); return; }
    const where = $("where").value;
    $("read-button").disabled = true;
    document.body.dataset.state = "reading";
    $("pages").innerHTML = "";
    $("downloads").innerHTML = "";
    $("selected").textContent = "";
    results = [];
    const progress = $("progress");
    progress.hidden = false;
    try {
      for (const [number, file] of picked.entries()) {
        say(`Reading ${file.name} (${number + 1} of ${picked.length})...`);
        progress.value = 0;
        const onPage = (page, imageUrl, total) => {
          progress.max = total;
          progress.value = page.index + 1;
          say(`Reading ${file.name}: page ${page.index + 1} of ${total}`);
          showPage(file.name, page, imageUrl);
        };
        try {
          const document_ = where === "private" ? await readHere(file, onPage) : await readOnServer(file, onPage);
          results.push({ file, document: document_, where });
          addDownloads(results[results.length - 1]);
        } catch (error) {
          say(`${file.name}: ${error.message}`);
          if (picked.length === 1) return;
        }
      }
      await showText();
      $("results").hidden = false;
      say(`Done: ${results.length} of ${picked.length} file(s) read${where === "private" ? " in this browser" : ""}.`);
    } finally {
      $("read-button").disabled = false;
      progress.hidden = true;
      document.body.dataset.state = "done";
    }
  }

  // --- showing --------------------------------------------------------------------------

  const SVG = "http://www.w3.org/2000/svg";

  function showPage(name, page, imageUrl) {
    const figure = document.createElement("figure");
    figure.className = "page";
    figure.dataset.page = page.index;
    const img = document.createElement("img");
    img.src = imageUrl;
    img.alt = `${name}, page ${page.index + 1}`;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${page.width} ${page.height}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-label", `Words found on page ${page.index + 1}`);
    page.blocks.forEach((block) => block.lines.forEach((line) => {
      const lineText = line.words.map((w) => w.text).join(" ");
      const shapes = line.words.map((word) => wordShape(word, lineText));
      shapes.forEach((shape) => {
        const choose = () => {
          svg.querySelectorAll(".chosen").forEach((s) => s.classList.remove("chosen"));
          shapes.forEach((s) => s.classList.add("chosen"));
          $("selected").textContent = lineText;
        };
        shape.addEventListener("click", choose);
        shape.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); } });
        svg.appendChild(shape);
      });
    }));
    figure.append(img, svg);
    $("pages").appendChild(figure);
    $("results").hidden = false;
  }

  function wordShape(word, lineText) {
    const shape = document.createElementNS(SVG, "polygon");
    shape.setAttribute("points", word.polygon.map((p) => p.join(",")).join(" "));
    shape.setAttribute("tabindex", "0");
    shape.setAttribute("role", "button");
    const label = `${word.text} (${Math.round(word.confidence * 100)}%)`;
    shape.setAttribute("aria-label", `${label}; line: ${lineText}`);
    shape.dataset.text = word.text;
    const title = document.createElementNS(SVG, "title");
    title.textContent = label;
    shape.appendChild(title);
    return shape;
  }

  // Private mode's text: a block is a row (its lines side by side), as the server's plain text joins them.
  function rowsText(document_) {
    const words = (line) => line.words.map((w) => w.text).join(" ");
    return document_.pages.map((p) => p.blocks.map((b) => b.lines.map(words).join(" ")).join("\n")).join("\n\n");
  }

  async function showText() {
    const parts = [];
    for (const result of results) {
      let text = rowsText(result.document);
      if (result.where === "server") {
        // The server's plain text is the CLI's (rows of a table or receipt joined on one line).
        const response = await fetch("/v1/export?format=txt", {
          method: "POST", body: JSON.stringify(result.document), headers: { ...headers(), "Content-Type": "application/json" },
        });
        if (response.ok) text = await response.text();
      }
      parts.push(text.trimEnd());
    }
    $("text").value = parts.join("\n\n");
  }

  // --- copying and downloading ----------------------------------------------------------

  function addDownloads(result) {
    const group = document.createElement("span");
    group.className = "download-group";
    group.append(`${result.file.name}: `);
    for (const format of FORMATS) {
      if (format === "pdf" && result.where !== "server") continue; // a searchable PDF needs the page images
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = format;
      button.dataset.format = format;
      button.setAttribute("aria-label", `Download ${result.file.name} as ${format}`);
      button.addEventListener("click", () => download(result, format).catch((e) => say(e.message)));
      group.appendChild(button);
    }
    $("downloads").appendChild(group);
  }

  async function download(result, format) {
    let blob;
    if (format === "json") {
      blob = new Blob([JSON.stringify(result.document, null, 2)], { type: "application/json" });
    } else if (format === "pdf") {
      const body = new FormData();
      body.append("file", result.file, result.file.name);
      body.append("format", "pdf");
      const response = await fetch("/v1/read", { method: "POST", body, headers: headers() });
      if (!response.ok) throw new Error(await errorText(response));
      blob = await response.blob();
    } else {
      const response = await fetch(`/v1/export?format=${format}`, {
        method: "POST", body: JSON.stringify(result.document), headers: { ...headers(), "Content-Type": "application/json" },
      });
      if (!response.ok) throw new Error(await errorText(response));
      blob = await response.blob();
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = result.file.name.replace(/\.[^.]+$/, "") + SUFFIX[format];
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  async function copyText() {
    try {
      await navigator.clipboard.writeText($("text").value);
      say("Text copied.");
    } catch (_) {
      $("text").select();
      say("Press Ctrl+C to copy the selected text.");
    }
  }

  // --- wiring ---------------------------------------------------------------------------

  const drop = $("drop");
  $("files").addEventListener("change", () => pick([...$("files").files]));
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("files").click(); } });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); pick([...e.dataTransfer.files]); });
  $("read-form").addEventListener("submit", readAll);
  $("copy").addEventListener("click", copyText);
  $("api-key").addEventListener("change", loadModels);
  loadModels().catch((e) => say(`Cannot list models: ${e.message}`));
})();
