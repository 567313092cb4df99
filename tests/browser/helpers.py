"""The real Orgkeeper stack for browser tests: a dedicated database, ``manage.py runserver``
and a Celery worker in subprocesses, configured as a developer's ``make run`` is.

SQLite and the filesystem broker in a temporary folder by default; PostgreSQL and Redis when
DATABASE_URL / CELERY_BROKER_URL point at them (CI), with a database of our own
(``orgkeeper_browser_<pid>``, dropped afterwards) and a Celery queue of our own
(server_settings.py).

Then the steps: what a person does in the browser, found by visible labels and roles, plus a
screenshot of each step: under var/screenshots/ (git-ignored) unless BROWSER_SCREENSHOTS=<dir>
is set; `make screenshots` writes the README's copies in docs/screenshots/."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.emulators.salesforce import Emulator

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 30.0  # seconds for the web server and the worker to come up
STOP_GRACE = 2.0  # seconds between SIGTERM and SIGKILL; tests are over, nothing to save
LOG_TAIL = 20_000  # characters of each process log attached to a failed test


def chromium_missing() -> str:
    """Empty when the browser suite can run; otherwise why not."""
    if not Path(CHROMIUM).exists():
        return (
            f"Chromium is not installed at {CHROMIUM} "
            "(install Debian's: apt-get update && apt-get install -y chromium)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


class Database:
    """A fresh database for one server: a SQLite file, or a PostgreSQL database created next
    to the one DATABASE_URL names (and dropped by ``drop``)."""

    def __init__(self, workdir: Path, base_url: str = "") -> None:
        self.postgres = _is_postgres(base_url)
        if not self.postgres:
            self.url = f"sqlite:///{workdir / 'orgkeeper.sqlite3'}"
            return
        self.name = f"orgkeeper_browser_{os.getpid()}"
        parts = urlsplit(base_url)
        self._admin_url = base_url
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.name}"')

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as connection:
            connection.execute(sql)

    def drop(self) -> None:
        if self.postgres:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def broker_url(configured: str) -> str:
    """Redis when CELERY_BROKER_URL names it, else the filesystem broker (under VAR_DIR)."""
    return configured if configured.startswith("redis://") else "filesystem://"


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return text if len(text) <= LOG_TAIL else "…" + text[-LOG_TAIL:]

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill_after(self, deadline: float) -> None:
        """Wait for the process until ``deadline`` (monotonic), then SIGKILL its group."""
        try:
            self.popen.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.popen.wait(10)

    def _signal(self, signum: int) -> None:
        """Signal the process group we started (start_new_session), not just its leader."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signum)


@dataclass
class Orgkeeper:
    """One running Orgkeeper: web server + Celery worker on a dedicated database."""

    workdir: Path
    port: int = field(default_factory=free_port)
    outbound_ip: str = "127.0.0.1"
    processes: list[Process] = field(default_factory=list)

    def __post_init__(self) -> None:
        from connections.callback_urls import OAUTH_CALLBACK_PATH

        self.base_url = f"http://127.0.0.1:{self.port}"
        self.queue = f"orgkeeper-browser-{os.getpid()}-{self.port}"
        self.callback_url = self.base_url + OAUTH_CALLBACK_PATH
        self.database = Database(self.workdir, os.environ.get("DATABASE_URL", ""))
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            # Development settings (pytest-django exported the test ones), plus our own queue.
            DJANGO_ENV="development",
            DJANGO_SETTINGS_MODULE="tests.browser.server_settings",
            BROWSER_CELERY_QUEUE=self.queue,
            VAR_DIR=str(self.workdir),
            DATABASE_URL=self.database.url,
            CELERY_BROKER_URL=broker_url(os.environ.get("CELERY_BROKER_URL", "")),
            PUBLIC_BASE_URL=self.base_url,
            SERVER_OUTBOUND_IP=self.outbound_ip,
            EXTRA_ALLOWED_HOSTS="",
            ALLOW_INSECURE_LOGIN_HOSTS="true",
            EMAIL_URL="consolemail://",
            SALESFORCE_HTTP_TIMEOUT="10",
            # The keep-alive as in production; the tests age a connection to make it due.
            KEEPALIVE_INTERVAL="86400",
            KEEPALIVE_RETRY_BACKOFF="1",
            KEEPALIVE_MAX_RETRIES="2",
            PYTHONUNBUFFERED="1",
        )
        return env

    # Lifecycle ----------------------------------------------------------------------------------

    def start(self) -> Orgkeeper:
        self.manage("migrate", "--noinput")
        self._spawn("web", "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload")
        self._spawn(
            "worker",
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"browser-{os.getpid()}-{self.port}@%h",
        )
        self._wait_for_web()
        self._wait_for_log(self.processes[1], "ready.")
        return self

    def stop(self) -> None:
        """Stop the web server and the worker (SIGTERM, SIGKILL after STOP_GRACE) and drop
        the database."""
        try:
            for process in self.processes:
                process.terminate()
            deadline = time.monotonic() + STOP_GRACE
            for process in self.processes:
                process.kill_after(deadline)
        finally:
            self._delete_queue()
            self.database.drop()

    def _delete_queue(self) -> None:
        """Redis keeps a queue's binding after the run; the filesystem broker is in workdir."""
        url = self.env["CELERY_BROKER_URL"]
        if url.startswith("redis://"):
            import redis

            client = redis.Redis.from_url(url)
            client.delete(
                self.queue,
                f"_kombu.binding.{self.queue}",
                f"_kombu.binding_permanent.{self.queue}",
            )
            client.close()

    def logs(self) -> str:
        return "\n".join(
            f"----- {process.name} (exit {process.popen.poll()}) -----\n{process.log()}"
            for process in self.processes
        )

    def _spawn(self, name: str, *args: str) -> Process:
        log_path = self.workdir / f"{name}.log"
        log = log_path.open("wb")
        popen = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, *args],
            cwd=BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches children
        )
        log.close()
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def _check_running(self) -> None:
        for process in self.processes:
            if process.popen.poll() is not None:
                raise RuntimeError(f"the {process.name} process exited early:\n{self.logs()}")

    def _wait_for_web(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            self._check_running()
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the web server did not answer /healthz:\n{self.logs()}")
            time.sleep(0.2)

    def _wait_for_log(self, process: Process, text: str) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while text not in process.log():
            self._check_running()
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {process.name} did not log {text!r}:\n{self.logs()}")
            time.sleep(0.2)

    # Commands against the server's database -----------------------------------------------------

    def manage(self, *args: str) -> str:
        """Run a management command with the server's settings; return its stdout."""
        result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args[:1])} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def shell(self, code: str) -> str:
        """Run Python in ``manage.py shell`` against the server's database."""
        return self.manage("shell", "--no-imports", "-c", code)


# Make the server's writes to one table wait, so that a second click reaches the server while
# the first click's request is still being handled, as on a slow server.
@contextlib.contextmanager
def writes_held(orgkeeper: Orgkeeper, table: str) -> Iterator[None]:
    """Until the block ends, the server's writes to ``table`` wait: PostgreSQL locks the
    table against writers, SQLite takes the database's write lock (every writer waits)."""
    database = orgkeeper.database
    if database.postgres:
        import psycopg

        with psycopg.connect(database.url) as connection:
            connection.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            yield
        return
    connection = sqlite3.connect(orgkeeper.workdir / "orgkeeper.sqlite3", isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("COMMIT")
    finally:
        connection.close()


# --- Steps ------------------------------------------------------------------------------

SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS") or BASE_DIR / "var" / "screenshots")


def field(page: Page, label: str):
    """The form field labelled exactly ``label`` (Django adds a colon to labels)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def heading(page: Page, name: str | re.Pattern):
    return page.get_by_role("heading", name=name)


def message(page: Page, start: str):
    """The flash message (role status) that starts with ``start``."""
    return page.get_by_role("status").filter(has_text=re.compile(rf"^\s*{re.escape(start)}"))


def screenshot(page: Page, name: str) -> None:
    """Save the whole page as <SCREENSHOTS>/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled")


def reload_until(page: Page, ready: Callable[[], bool], timeout: float = 30.0) -> None:
    """Reload ``page`` until ``ready()`` is true (work done by the Celery worker)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"the page did not change within {timeout:g} s")
        time.sleep(0.5)
        page.reload()


def add_member(orgkeeper: Orgkeeper, email: str, team_name: str, role: str) -> str:
    """Create a user (password PASSWORD) in ``team_name`` with ``role``; return the team slug.
    Done in the server's database, as an invitation accepted earlier would have."""
    code = f"""
import json
from accounts.models import Membership, Team, User
team = Team.objects.filter(name={team_name!r}).first() or Team.objects.create(name={team_name!r})
user = User.objects.create_user({email!r}, {PASSWORD!r})
Membership.objects.create(user=user, team=team, role={role!r})
print(json.dumps({{"slug": team.slug}}))
"""
    return json.loads(orgkeeper.shell(code).strip().splitlines()[-1])["slug"]


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/")
    expect(heading(page, "Sign in")).to_be_visible()
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page, re.compile("^Connections of"))).to_be_visible()


def fill_step1(page: Page, name: str, my_domain_url: str) -> None:
    """Step 1 of 2: name the connection and choose My Domain with the emulator's URL."""
    field(page, "Name").fill(name)
    page.get_by_role("radio", name=re.compile("^My Domain")).check()
    field(page, "My Domain URL").fill(my_domain_url)


def fill_step2(page: Page, consumer_key: str, consumer_secret: str) -> None:
    """Step 2 of 2: paste the Consumer Key and Secret."""
    expect(heading(page, "Enter External Client App Credentials")).to_be_visible()
    field(page, "Consumer Key (Client ID)").fill(consumer_key)
    field(page, "Consumer Secret (Client Secret)").fill(consumer_secret)


def start_connection(
    page: Page, slug: str, emulator: Emulator, name: str, consumer_secret: str | None = None
) -> None:
    """From the connections page to the emulator's sign-in form, using the demo app."""
    page.goto(f"/teams/{slug}/connections/")
    page.get_by_role("link", name="New connection").click()
    expect(heading(page, "Set up Salesforce External Client App")).to_be_visible()
    fill_step1(page, name, emulator.base_url)
    page.get_by_role("button", name="Next").click()
    app = emulator.demo_app
    fill_step2(page, app.consumer_key, consumer_secret or app.consumer_secret)
    page.get_by_role("button", name="Connect").click()
    expect(heading(page, re.compile("^Log in to"))).to_be_visible()


def sign_in_at_salesforce(
    page: Page, emulator: Emulator, login_shot: str = "", allow_shot: str = ""
) -> None:
    """The emulator's sign-in form as the demo user, then Allow."""
    user = emulator.demo_user
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    if login_shot:
        screenshot(page, login_shot)
    page.get_by_role("button", name="Log In").click()
    expect(heading(page, "Allow Access?")).to_be_visible()
    if allow_shot:
        screenshot(page, allow_shot)
    page.get_by_role("button", name="Allow").click()


def fact(page: Page, label: str):
    """The value (<dd>) next to ``label`` (<dt>) in a facts list."""
    return page.locator(f"dl.facts dt:text-is('{label}') + dd")


def expect_cells_fit(page: Page, labels, width: int) -> None:
    """The first cell of each column (``td[data-label]``) is fully on screen and within
    ``width``, and the page doesn't scroll sideways."""
    for label in labels:
        cell = page.locator(f"td[data-label='{label}']").first
        cell.scroll_into_view_if_needed()
        expect(cell).to_be_in_viewport(ratio=1)
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= width, label
    assert page.evaluate("document.documentElement.scrollWidth") <= width
