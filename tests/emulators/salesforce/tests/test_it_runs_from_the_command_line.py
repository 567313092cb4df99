import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.emulators.salesforce import (
    DEMO_CONSUMER_KEY,
    DEMO_CONSUMER_SECRET,
    DEMO_PASSWORD,
    DEMO_USERNAME,
)

REPO_ROOT = Path(__file__).resolve().parents[4]
EXAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "example-config.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(*args: str) -> tuple[str, str]:
    """Start the CLI, wait for its banner, check it serves, stop it; return (banner, base URL)."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tests.emulators.salesforce", "--port", str(port), *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        banner = "".join(lines)
        base_url = f"http://127.0.0.1:{port}"
        assert requests.get(base_url + "/_emulator/state", timeout=5).status_code == 200, banner
        return banner, base_url
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_it_prints_the_demo_credentials():
    banner, base_url = run_cli()

    for needle in (base_url, DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET, DEMO_USERNAME, DEMO_PASSWORD):
        assert needle in banner


def test_it_replaces_the_demo_callback_urls():
    banner, _base_url = run_cli(
        "--callback-url", "https://ok.example/cb", "--callback-url", "https://ok.example/cb2"
    )

    assert "https://ok.example/cb, https://ok.example/cb2" in banner
    assert "8881" not in banner


def test_it_loads_the_example_config():
    config = json.loads(EXAMPLE_CONFIG.read_text())

    banner, _base_url = run_cli("--config", str(EXAMPLE_CONFIG))

    assert config["apps"][0]["consumer_key"] in banner
    assert config["users"][0]["username"] in banner
