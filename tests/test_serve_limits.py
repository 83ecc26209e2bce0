"""`ratecard serve` as it runs for real (uvicorn on loopback, a fresh catalog): a client on the
same host cannot escape its submission limit by writing X-Forwarded-For, and request bodies over
the limit are refused with 413, whether declared or chunked, without reading what is declared."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest

from webapp.security import MAX_BODY

pytestmark = pytest.mark.integration
SUBMISSION = {
    "route": "openrouter",
    "model": "gpt-5",
    "source_url": "https://openrouter.ai/openai/gpt-5",
    "claims": [{"component": "input", "value": "1.25"}],
}
DEFAULT_SUBMIT_LIMIT = 10  # per client address and hour (webapp.create_app)


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = int(probe.getsockname()[1])
    db = f"sqlite:///{tmp_path_factory.mktemp('serve') / 'catalog.db'}"
    env = {k: v for k, v in os.environ.items() if k != "RATECARD_TRUSTED_PROXIES"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "ratecard"), "serve", "--port", str(free), "--db", db],
        env={**env, "RATECARD_SECRET_KEY": "serve-test-only"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"ratecard serve exited with {process.returncode}"
            try:
                with urlopen(f"http://127.0.0.1:{free}/api/sla", timeout=1):
                    break
            except (URLError, OSError):
                assert time.monotonic() < deadline, "ratecard serve did not start within 30 s"
                time.sleep(0.2)
        yield free
    finally:
        process.terminate()
        process.wait(timeout=10)


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/api/submissions", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_forwarded_for_from_loopback_does_not_reset_the_limit(port: int) -> None:
    body = json.dumps(SUBMISSION).encode()
    statuses = [
        post(port, body, {"Content-Type": "application/json", "X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(DEFAULT_SUBMIT_LIMIT + 1)
    ]
    assert [s for s, _ in statuses] == [201] * DEFAULT_SUBMIT_LIMIT + [429]


def test_a_chunked_body_over_the_limit_is_refused(port: int) -> None:
    chunks = (b" " * 1024 for _ in range(MAX_BODY // 1024 + 2))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            "/api/submissions",
            body=chunks,
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        assert response.status == 413 and b"byte limit" in response.read()
    finally:
        conn.close()


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
        )
        answer = b""
        while b"byte limit" not in answer:  # the answer may come in more than one segment
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413") and b"byte limit" in answer
