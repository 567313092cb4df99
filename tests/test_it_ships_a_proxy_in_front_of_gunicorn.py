"""The shipped docker-compose.yml can't be bypassed to dodge the sign-in limits: only the TLS
proxy (Caddy) is published, gunicorn isn't, and Caddy replaces any X-Forwarded-For a client
sends with the address it saw. With the production settings (TRUSTED_PROXY_COUNT=1) a client
is counted at its real address whatever it claims.
Caddy's behaviour: https://caddyserver.com/docs/caddyfile/directives/reverse_proxy#defaults"""

import re
import runpy
import shlex
from pathlib import Path

import yaml
from django.test import RequestFactory

from accounts.signin import client_ip
from tests.test_it_configures_production import CONFIGURED, manage

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
CADDYFILE = (ROOT / "Caddyfile").read_text()
CLIENT = "203.0.113.9"
PROXY = "172.18.0.7"  # Caddy's address on the compose network


def gunicorn_bind_port() -> int:
    """The port of gunicorn's bind in config/gunicorn.py, which compose's web service runs."""
    return int(runpy.run_path(str(ROOT / "config" / "gunicorn.py"))["bind"].rsplit(":", 1)[1])


def test_only_the_proxy_is_published():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    assert SERVICES["proxy"]["image"].startswith("caddy:")
    ports = {str(port).split(":")[-1] for port in SERVICES["proxy"]["ports"]}
    assert ports == {"80", "443", "443/udp"}


def test_the_proxy_forwards_to_gunicorn_and_trusts_no_client_header():
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in SERVICES["proxy"]["volumes"]
    directives = [
        line.strip() for line in CADDYFILE.splitlines() if line.strip() and line[0] != "#"
    ]
    assert f"reverse_proxy web:{gunicorn_bind_port()}" in directives
    assert not any("trusted_proxies" in line or "header_up" in line for line in directives)
    assert directives[0] == "{$PUBLIC_BASE_URL} {"


def test_production_counts_the_address_the_proxy_saw(settings):
    for name in ("web", "worker", "beat"):
        assert "TRUSTED_PROXY_COUNT" not in SERVICES[name].get("environment", {})
    env_example = (ROOT / ".env.example").read_text()
    assert not re.search(r"^TRUSTED_PROXY_COUNT=", env_example, re.MULTILINE)
    read = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    result = manage("shell", "-c", read, **CONFIGURED)
    assert result.returncode == 0, result.stderr
    settings.TRUSTED_PROXY_COUNT = int(result.stdout.split()[-1])
    # As Caddy forwards any request: X-Forwarded-For replaced by the address it saw.
    through_caddy = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT
    )
    assert client_ip(through_caddy) == CLIENT
    # Even a proxy that appended instead would leave the client's claims on the left.
    appended = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {CLIENT}"
    )
    assert client_ip(appended) == CLIENT


def test_the_gunicorn_command_is_the_one_the_image_runs():
    """The image's own CMD (docker run) runs gunicorn like compose's web service: from
    config/gunicorn.py, whose logger leaves the callback's query out of the access log."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    web = shlex.split(SERVICES["web"]["command"][-1].split("exec ", 1)[1])
    assert web == ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]' in dockerfile
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert config["logger_class"] == "config.gunicorn_logging.RedactingLogger"
    assert config["bind"] == "0.0.0.0:8881"
