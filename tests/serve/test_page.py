"""The web page in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium):
read the bundled sample on the server and privately in the browser, see boxes, download JSON."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).parent))
from server_process import Server, start_server, stop_server  # noqa: E402

SAMPLE = Path(__file__).parents[2] / "samples" / "receipt.png"
VENDOR = Path(__file__).parents[2] / "textlens" / "serve" / "static" / "vendor"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian's chromium and chromium-driver are not installed (scripts/install-browser.sh; CI installs them)",
)


@pytest.fixture(scope="module")
def open_server(tmp_path_factory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("page"), key=None)
    yield running
    log = stop_server(running)
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield driver
    driver.quit()


def wait_for(condition, timeout: float = 120, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def read_requests(server: Server) -> float:
    """How many /v1/read requests the server has answered (from its Prometheus metrics)."""
    text = httpx.get(server.url + "/metrics").text
    counter = 'textlens_requests_total{route="/v1/read"'
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(counter))


def read_sample(browser, server: Server, where: str, sample: Path = SAMPLE) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(server.url + "/")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#recognizer option"), 30, "the model list")
    Select(browser.find_element(By.ID, "where")).select_by_value(where)
    browser.find_element(By.ID, "files").send_keys(str(sample))
    browser.find_element(By.ID, "read-button").click()
    state = 'return document.body.dataset.state === "done"'
    wait_for(lambda: browser.execute_script(state), 180, f"reading in {where} mode")
    status = browser.find_element(By.ID, "status").text
    assert status.startswith("Done: 1 of 1"), status
    return browser.find_element(By.ID, "text").get_attribute("value")


def server_text(server: Server) -> str:
    with SAMPLE.open("rb") as sample:
        return httpx.post(server.url + "/v1/read?format=txt", files={"file": sample}, timeout=60).text


def test_read_on_the_server_shows_boxes_and_downloads_json(browser, open_server, downloads):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    text = read_sample(browser, open_server, "server")
    assert text == server_text(open_server).rstrip() and "TOTAL" in text
    words = browser.find_elements(By.CSS_SELECTOR, ".page polygon")
    assert len(words) >= 20
    ActionChains(browser).move_to_element(words[0]).perform()
    label = words[0].get_attribute("aria-label")
    assert "%" in label and words[0].get_attribute("data-text") in label
    words[3].click()
    selected = browser.find_element(By.ID, "selected").text
    assert words[3].get_attribute("data-text") in selected
    assert browser.find_elements(By.CSS_SELECTOR, ".page polygon.chosen")
    browser.find_element(By.CSS_SELECTOR, '#downloads button[data-format="json"]').click()
    saved = wait_for(lambda: [p for p in downloads.glob("receipt*.json")], 30, "the JSON download")
    document = json.loads(saved[0].read_text())
    assert document["pages"][0]["width"] == 640 and document["source"] == SAMPLE.name


def test_private_mode_reads_in_the_browser_without_the_read_endpoint(browser, open_server):
    assert (VENDOR / "ort.wasm.min.js").is_file(), "ONNX Runtime Web is missing: run scripts/fetch_web_assets.sh"
    expected = [line for line in server_text(open_server).splitlines() if line.strip()]
    before = read_requests(open_server)
    lines = read_sample(browser, open_server, "private").splitlines()
    assert read_requests(open_server) == before  # the image never went to /v1/read
    # Same models, same stages; the browser resamples pixels a little differently from OpenCV, so a
    # region on the edge of a threshold may split or merge: the text must match within 3% CER.
    cer = Levenshtein.distance("\n".join(lines), "\n".join(expected)) / len("\n".join(expected))
    assert cer <= 0.03, "\n".join(["private:", *lines, "server:", *expected])


def test_private_mode_frames_a_strip_of_large_type_as_the_server_does(browser, open_server, tmp_path):
    """A banner screenshot (100 px type, 8 px margins): found whole only once it is framed."""
    from PIL import Image, ImageDraw, ImageFont

    text = "SALE 50% OFF"
    font = ImageFont.truetype(_dejavu(), 100)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("RGB", (right - left + 16, bottom - top + 16), (250, 245, 230))
    ImageDraw.Draw(image).text((8 - left, 8 - top), text, font=font, fill=(20, 20, 60))
    strip = tmp_path / "banner.png"
    image.save(strip)
    assert read_sample(browser, open_server, "private", strip).strip() == text


def test_page_fits_a_phone_screen_and_has_labels(browser, open_server):
    from selenium.webdriver.common.by import By

    browser.set_window_size(375, 812)
    try:
        browser.get(open_server.url + "/")
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        for control in browser.find_elements(By.CSS_SELECTOR, "select, input:not([type=file]), textarea"):
            control_id = control.get_attribute("id")
            assert browser.find_elements(By.CSS_SELECTOR, f'label[for="{control_id}"]'), control_id
    finally:
        browser.set_window_size(1280, 1000)


def _dejavu() -> str:
    """DejaVu Sans: the same font wherever the repository is cloned (the order of
    ``discover_fonts`` depends on where the virtualenv's own fonts lie)."""
    from textlens.synth.fonts import discover_fonts

    return next(f for f in discover_fonts() if f.endswith("/DejaVuSans.ttf"))
