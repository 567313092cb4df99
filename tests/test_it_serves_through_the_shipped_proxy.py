"""The shipped web server, for real: gunicorn with docker-compose.yml's options, and Caddy with
the shipped Caddyfile in front of it (served over plain HTTP on a local port, the upstream
moved to gunicorn's local port). Through Caddy, a client that claims other addresses in
X-Forwarded-For is still counted at its own (TRUSTED_PROXY_COUNT=1, production's value), and
gunicorn's access log holds no callback ``code`` or ``state``.

The Caddy test needs /usr/bin/caddy (Debian's ``caddy`` package): without it, it skips; with
REQUIRE_SERVICES=1 (CI) it fails instead."""

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import PASSWORD
from tests.services import services_required
from tests.test_it_ships_a_proxy_in_front_of_gunicorn import CADDYFILE, SERVICES

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_PORT = 9331
CADDY_PORT = 9330
CODE = "aPrxCanaryAuthorizationCode.54321"
STATE = "CanaryStateValue-09876"
DROPPED_ENV = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL")


def server_env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(
        DJANGO_ENV="development",
        VAR_DIR=str(var_dir),
        TRUSTED_PROXY_COUNT="1",
        AXES_FAILURE_LIMIT="3",
        AXES_IP_FAILURE_LIMIT="3",
        XDG_DATA_HOME=str(var_dir / "xdg-data"),
        XDG_CONFIG_HOME=str(var_dir / "xdg-config"),
    )
    return env


def shipped_gunicorn_options() -> list[str]:
    """docker-compose.yml's gunicorn options (a config file's included: the command line
    overrides it), bound to a local port with one worker."""
    shipped = shlex.split(SERVICES["web"]["command"][-1].split("exec gunicorn ", 1)[1])
    options = []
    while shipped:
        option = shipped.pop(0)
        if option in ("--bind", "--workers"):
            shipped.pop(0)
        else:
            options.append(option)
    return [*options, "--bind", f"127.0.0.1:{GUNICORN_PORT}", "--workers", "1"]


def wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(150):
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited: {process.stdout.read()}")
        try:
            requests.get(url, timeout=5, allow_redirects=False)
            return
        except (requests.ConnectionError, requests.Timeout):  # still starting
            time.sleep(0.1)
    pytest.fail(f"{url} didn't answer")


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    var = tmp_path_factory.mktemp("var")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(var),
        check=True,
        timeout=180,
    )
    return var


@pytest.fixture(scope="module")
def gunicorn(var_dir):
    log = var_dir / "gunicorn.log"
    args = [sys.executable, "-m", "gunicorn", *shipped_gunicorn_options()]
    process = start(args, server_env(var_dir), log)
    try:
        wait_for(f"http://127.0.0.1:{GUNICORN_PORT}/healthz", process)
        yield log
    finally:
        stop(process)


@pytest.fixture
def caddy(var_dir, gunicorn):
    binary = shutil.which("caddy")
    if binary is None:
        if services_required():
            pytest.fail("REQUIRE_SERVICES=1 but caddy is not installed (apt-get install caddy)")
        pytest.skip("caddy is not installed (apt-get install caddy)")
    local = CADDYFILE.replace("{$PUBLIC_BASE_URL}", f"http://127.0.0.1:{CADDY_PORT}").replace(
        "reverse_proxy web:8881", f"reverse_proxy 127.0.0.1:{GUNICORN_PORT}"
    )
    config = var_dir / "Caddyfile"
    config.write_text("{\n\tadmin off\n}\n" + local)
    args = [binary, "run", "--config", str(config), "--adapter", "caddyfile"]
    process = start(args, server_env(var_dir), var_dir / "caddy.log")
    try:
        wait_for(f"http://127.0.0.1:{CADDY_PORT}/healthz", process)
        yield f"http://127.0.0.1:{CADDY_PORT}"
    finally:
        stop(process)


def test_gunicorn_logs_the_callback_without_its_query(gunicorn):
    base = f"http://127.0.0.1:{GUNICORN_PORT}"
    callback = f"/api/connections/oauth/callback?code={CODE}&state={STATE}"
    assert requests.get(base + callback, allow_redirects=False, timeout=5).status_code == 302
    login = f"/accounts/login/?next=/api/connections/oauth/callback%3Fcode%3D{CODE}"
    requests.get(base + login, headers={"Referer": base + callback}, timeout=5)
    time.sleep(0.5)  # the access log line follows the response
    log = gunicorn.read_text()
    assert "GET /api/connections/oauth/callback?[redacted] HTTP/1.1" in log
    assert CODE not in log and STATE not in log


def sign_in(base: str, email: str, password: str, claimed: str) -> requests.Response:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=5).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    return session.post(
        f"{base}/accounts/login/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"X-Forwarded-For": claimed, "Referer": f"{base}/accounts/login/"},
        timeout=5,
        allow_redirects=False,
    )


def test_a_client_behind_the_proxy_cant_claim_another_address(caddy, var_dir):
    for n in range(3):  # AXES_IP_FAILURE_LIMIT, each "from" another address it made up
        response = sign_in(caddy, f"nobody{n}@example.com", PASSWORD, f"192.0.2.{n}")
        assert response.status_code in (200, 429)
    locked = sign_in(caddy, "someone@example.com", PASSWORD, "198.51.100.77")
    assert locked.status_code == 429
    assert "from your network's address is paused" in locked.text
