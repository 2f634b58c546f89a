"""Start and stop a real `textlens serve` process on a loopback port; encode test images."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

API_KEY = "test-key-123"


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    tmpdir: Path

    def client(self, key: str | None = API_KEY, timeout: float = 60) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(tmp: Path, *args: str, key: str | None = API_KEY) -> Server:
    """Start `textlens serve` with its own TMPDIR (to prove nothing is left there) and wait until ready."""
    port = free_port()
    tmpdir = tmp / "server-tmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "OMP_WAIT_POLICY": "PASSIVE"}
    env.pop("TEXTLENS_API_KEY", None)
    command = [sys.executable, "-m", "textlens", "serve", "--port", str(port), "--threads", "1"]
    command += ["--log-level", "warning", *args, *(["--api-key", key] if key else [])]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(f"http://127.0.0.1:{port}", process, tmpdir)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(server.url + "/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not become ready in 60 s")


def stop_server(server: Server) -> str:
    server.process.terminate()
    try:
        _, err = server.process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        _, err = server.process.communicate()
    return err.decode(errors="replace")


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes(images: list[np.ndarray], dpi: float = 150) -> bytes:
    buffer = io.BytesIO()
    pictures = [Image.fromarray(image) for image in images]
    pictures[0].save(buffer, "PDF", save_all=True, append_images=pictures[1:], resolution=dpi)
    return buffer.getvalue()
