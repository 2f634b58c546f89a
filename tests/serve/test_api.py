"""Every endpoint, format and error code of a real `textlens serve` process on loopback."""

from __future__ import annotations

import base64
import io
import json
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from textlens.io.exporters import FORMATS, export_document
from textlens.pipeline import Pipeline, PipelineConfig
from textlens.recognition.predictor import Recognizer
from textlens.synth.lines import LineSynthesizer

sys.path.insert(0, str(Path(__file__).parent))
from server_process import API_KEY, pdf_bytes, png_bytes, start_server, stop_server  # noqa: E402

BROKEN_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>"


@pytest.fixture(scope="module")
def local_pipeline() -> Pipeline:
    return Pipeline.from_config(PipelineConfig(threads=1))


def read(client: httpx.Client, data: bytes, name: str = "page.png", **fields) -> httpx.Response:
    return client.post("/v1/read", files={"file": (name, data, "application/octet-stream")}, data=fields)


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return body["error"]["code"]


def test_health_ready_docs_and_page(server):
    with server.client(key=None) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {"status": "ready"}
        spec = client.get("/openapi.json").json()
        assert {"/v1/read", "/v1/recognize", "/v1/export", "/v1/models"} <= set(spec["paths"])
        assert client.get("/docs").status_code == 200
        page = client.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()


def test_models_lists_the_registry_and_serves_only_registered_onnx_files(server):
    with server.client() as client:
        listing = client.get("/v1/models").json()
        names = {m["name"]: m for m in listing["models"]}
        assert names["latin-crnn-int8"]["default"] and names["doc-dbnet-int8"]["kind"] == "detector"
        assert set(listing["formats"]) == set(FORMATS)
        model = client.get("/v1/models/doc-dbnet-int8")
        assert model.status_code == 200 and len(model.content) > 100_000
        for bad in ("..%2F..%2Fpyproject.toml", "latin-lm", "nope"):
            assert client.get(f"/v1/models/{bad}").status_code == 404
            assert client.get(f"/v1/models/{bad}/config").status_code == 404
        config = client.get("/v1/models/latin-crnn-int8/config").json()  # what the page's private mode reads
        assert config["textlens_kind"] == "recognizer" and config["config"]["height"] == 32


def test_read_text_matches_the_library(server, page_image, page_png, local_pipeline):
    with server.client() as client:
        response = read(client, page_png, format="txt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    expected = export_document(local_pipeline.read(page_image), "txt").decode()
    assert response.text == expected and len(expected) > 20


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "txt"])
def test_read_every_format(server, page_png, fmt):
    with server.client() as client:
        response = read(client, page_png, format=fmt)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == FORMATS[fmt].media_type.split(";")[0]
    body = response.content
    checks = {
        "json": lambda: json.loads(body)["pages"][0]["blocks"],
        "tsv": lambda: body.startswith(b"level\tpage_num"),
        "hocr": lambda: b"ocrx_word" in body,
        "alto": lambda: b"<alto" in body and b"String" in body,
        "page": lambda: b"PcGts" in body and b"TextLine" in body,
        "pdf": lambda: body.startswith(b"%PDF") and len(body) > 5000,
    }
    assert checks[fmt]()


def test_read_takes_json_base64_and_raw_bytes(server, page_png):
    with server.client() as client:
        multipart = read(client, page_png, format="txt").text
        as_json = client.post("/v1/read", json={"file": base64.b64encode(page_png).decode(), "format": "txt"})
        raw = client.post("/v1/read?format=txt", content=page_png, headers={"content-type": "image/png"})
    assert as_json.status_code == raw.status_code == 200
    assert as_json.text == raw.text == multipart


def test_read_pdf_pages_in_order_and_streamed(server, page_image):
    pdf = pdf_bytes([page_image, np.ascontiguousarray(page_image[:, ::-1])])  # a mirrored second page
    with server.client() as client:
        document = read(client, pdf, "two.pdf").json()
        streamed = read(client, pdf, "two.pdf", stream="true", images="true")
    assert [p["index"] for p in document["pages"]] == [0, 1]
    events = [json.loads(line) for line in streamed.text.splitlines()]
    assert streamed.headers["content-type"] == "application/x-ndjson"
    assert [e["event"] for e in events] == ["start", "page", "page", "end"]
    assert all(e["pages"] == 2 and e["image"].startswith("data:image/jpeg;base64,") for e in events[1:3])
    assert events[1]["page"] == document["pages"][0]


def test_read_json_with_page_images(server, page_png, page_image):
    with server.client() as client:
        document = read(client, page_png, images="1").json()
    (url,) = document["page_images"]
    jpeg = base64.b64decode(url.split(",", 1)[1])
    assert jpeg[:3] == b"\xff\xd8\xff"
    assert document["pages"][0]["width"] == page_image.shape[1]


def test_recognize_matches_the_library(server):
    synth = LineSynthesizer()
    rng = np.random.default_rng(3)
    crops = [synth.sample(rng)[0] for _ in range(3)]
    files = [("file", (f"line{i}.png", png_bytes(c), "image/png")) for i, c in enumerate(crops)]
    with server.client() as client:
        lines = client.post("/v1/recognize", files=files).json()["lines"]
    expected = Recognizer.load(None, threads=1, lm="auto").predict(crops)
    assert [line["image"] for line in lines] == ["line0.png", "line1.png", "line2.png"]
    assert [line["text"] for line in lines] == [r.text for r in expected]


def test_export_turns_a_document_into_other_formats(server, page_png):
    with server.client() as client:
        document = read(client, page_png).json()
        text = read(client, page_png, format="txt").text
        exported = client.post("/v1/export?format=txt", json=document)
        alto = client.post("/v1/export?format=alto", json=document)
        for bad in (b"[]", b"{", json.dumps({"pages": [{"width": "x"}]}).encode()):
            refused = client.post("/v1/export", content=bad, headers={"content-type": "application/json"})
            assert refused.status_code == 422 and error_code(refused) == "bad_document"
    assert exported.text == text and b"<alto" in alto.content


def test_api_key_is_required_on_v1_routes(server, page_png):
    with server.client(key=None) as client:
        missing = read(client, page_png)
        wrong = client.get("/v1/models", headers={"X-API-Key": "nope"})
        bearer = client.get("/v1/models", headers={"Authorization": f"Bearer {API_KEY}"})
        open_metrics = client.get("/metrics")
    assert missing.status_code == wrong.status_code == 401 and error_code(missing) == "unauthorized"
    assert bearer.status_code == 200 and open_metrics.status_code == 200


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code"),
    [
        ({"files": {"file": ("x.png", b"not an image at all", "image/png")}}, 415, "unsupported_media_type"),
        ({"files": {"file": ("x.png", b"", "image/png")}}, 400, "bad_input"),
        ({"files": {"file": ("x.pdf", BROKEN_PDF, "application/pdf")}}, 400, "bad_input"),
        ({"content": b"hello", "headers": {"content-type": "text/plain"}}, 415, "unsupported_media_type"),
        ({"data": {"format": "txt"}}, 415, "unsupported_media_type"),
        ({"json": {"format": "txt"}}, 400, "no_file"),
        ({"json": {"file": "%%%"}}, 400, "bad_request"),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "bad_request"),
        ({"files": {"file": ("a.png", b"x")}, "data": {"dpi": "lots"}}, 422, "bad_option"),
        ({"files": {"file": ("a.png", b"x")}, "data": {"format": "docx"}}, 422, "bad_option"),
        ({"files": {"file": ("a.png", b"x")}, "data": {"colour": "red"}}, 422, "bad_option"),
        ({"files": {"file": ("a.png", b"x")}, "data": {"lang": "greek!"}}, 422, "bad_option"),
        ({"files": {"file": ("a.png", b"x")}, "data": {"recognizer": "/etc/passwd"}}, 422, "unknown_model"),
        ({"files": {"file": ("a.png", b"x")}, "data": {"detector": "latin-crnn"}}, 422, "unknown_model"),
        ({"content": b"\0" * (3 * 1048576 + 1), "headers": {"content-type": "image/png"}}, 413, "too_large"),
    ],
)
def test_bad_requests_get_a_json_error_and_the_server_goes_on(server, page_png, request_kwargs, status, code):
    with server.client() as client:
        response = client.post("/v1/read", **request_kwargs)
        assert response.status_code == status, response.text
        assert error_code(response) == code
        assert read(client, page_png, format="txt").status_code == 200  # the worker lives


def test_truncated_image_and_too_many_pages(server, page_png, page_image):
    with server.client() as client:
        truncated = read(client, page_png[: len(page_png) // 2])
        many = read(client, pdf_bytes([page_image[:200]] * 5, dpi=72), "five.pdf")
        unknown_route = client.get("/v1/nothing")
        wrong_method = client.get("/v1/read")
    assert truncated.status_code == 400 and error_code(truncated) == "bad_input"
    assert many.status_code == 413 and error_code(many) == "too_many_pages" and "5 pages" in many.text
    assert unknown_route.status_code == 404 and error_code(unknown_route) == "not_found"
    assert wrong_method.status_code == 405 and error_code(wrong_method) == "method_not_allowed"


def test_metrics_count_requests_pages_and_errors(server, page_png):
    with server.client() as client:
        read(client, page_png)
        read(client, b"junk")
        text = client.get("/metrics").text
    assert 'textlens_requests_total{route="/v1/read",status="200"}' in text
    assert 'textlens_errors_total{code="unsupported_media_type"}' in text
    assert "textlens_request_seconds_bucket" in text and "textlens_queue_depth" in text
    pages = float(text.split("\ntextlens_pages_total ")[1].split()[0])
    assert pages >= 1


def test_no_temporary_files_are_left_behind(server, page_png):
    big = page_png + b"\0" * 1_500_000  # spooled to disk by the multipart parser (> 1 MB)
    before = sorted(server.tmpdir.iterdir())  # ONNX Runtime keeps one session-id file there
    with server.client() as client:
        assert read(client, big, format="txt").status_code == 200
        assert read(client, b"\0" * 1_500_000, format="txt").status_code == 415
    assert sorted(server.tmpdir.iterdir()) == before


def test_full_queue_is_503_and_slow_reads_are_504(tmp_path, page_image):
    server = start_server(tmp_path, "--timeout", "2", "--queue-size", "0", "--max-pages", "60", key=None)
    try:
        long_pdf = pdf_bytes([page_image] * 40)
        outcome: dict[str, httpx.Response] = {}
        slow = threading.Thread(target=lambda: outcome.setdefault("slow", read(server.client(), long_pdf)))
        slow.start()
        with server.client() as client:
            deadline = time.monotonic() + 20
            while "textlens_queue_depth 1.0" not in client.get("/metrics").text:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            busy = read(client, long_pdf)
        slow.join(30)
        assert busy.status_code == 503 and error_code(busy) == "busy" and busy.headers["Retry-After"]
        assert outcome["slow"].status_code == 504 and error_code(outcome["slow"]) == "timeout"
        with server.client() as client:  # the queue place was given back
            deadline = time.monotonic() + 20
            while client.get("/v1/models").status_code != 200:
                assert time.monotonic() < deadline
            assert "textlens_queue_depth 0.0" in client.get("/metrics").text
    finally:
        log = stop_server(server)
    assert "Traceback" not in log, log[-3000:]


def test_huge_pages_and_bombs_are_refused_from_their_headers(server):
    from PIL import Image

    wide = png_bytes(np.full((20, 40_000, 3), 255, np.uint8))  # a page 40,000 px wide: MAX_SIDE
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, "PNG")  # 400 megapixels in a few kilobytes
    with server.client() as client:
        for data in (wide, bomb.getvalue()):
            started = time.monotonic()
            response = read(client, data)
            assert response.status_code == 400 and error_code(response) == "bad_input", response.text
            assert time.monotonic() - started < 5
    assert len(bomb.getvalue()) < 200_000
