import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.emulators.entra import (
    DEMO_ADMIN_PASSWORD,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_REDIRECT_URIS,
    DEMO_TENANT_DOMAIN,
    DEMO_TENANT_ID,
    DEMO_USERNAME,
)

REPO_ROOT = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(*args: str) -> tuple[str, str]:
    """Start the CLI, read its banner, check it serves, stop it; returns (banner, base URL)."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tests.emulators.entra", "--port", str(port), *args],
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
        banner, base_url = "".join(lines), f"http://127.0.0.1:{port}"
        assert requests.get(f"{base_url}/_emulator/state", timeout=5).status_code == 200, banner
        return banner, base_url
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_it_prints_what_orgkeeper_needs():
    banner, base_url = run_cli()

    for needle in (
        f"DYNAMICS_AUTHORITY:  {base_url}\n",
        f"Global Discovery:    {base_url}/globaldisco\n",
        DEMO_TENANT_ID,
        DEMO_TENANT_DOMAIN,
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_REDIRECT_URIS[0],
        f"{DEMO_USERNAME} / password {DEMO_PASSWORD}",
        DEMO_ADMIN_PASSWORD,
        f"{base_url}/env/orgkeeper-demo ",
        f"{base_url}/env/orgkeeper-sandbox ",
    ):
        assert needle in banner, needle


def test_it_replaces_the_redirect_uris():
    banner, _base_url = run_cli(
        "--callback-url", "http://ok.example:9000/api/connections/oauth/callback"
    )

    assert (
        "Redirect URIs:          http://ok.example:9000/api/connections/oauth/callback\n" in banner
    )
    assert "8881" not in banner
