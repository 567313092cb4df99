"""Browser tests: Playwright drives Debian's Chromium against a real Orgkeeper (runserver +
Celery worker on a fresh database, see helpers.py) and the Salesforce emulator.

Without /usr/bin/chromium they skip; with REQUIRE_SERVICES=1 (CI) they fail instead. Each test
gets its own server, worker and database; one Chromium serves the whole session. A failed test
shows the server's and the worker's logs.
"""

from collections.abc import Iterator

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, Orgkeeper, chromium_missing
from tests.emulators.salesforce import Emulator
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401
from tests.services import services_required

VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000  # Playwright's auto-wait for each action and expect()


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("browser")]
    if not marked:
        return
    missing = chromium_missing()
    if missing and not services_required():
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=f"browser tests: {missing}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    server = getattr(item, "funcargs", {}).get("orgkeeper")
    if report.failed and isinstance(server, Orgkeeper):
        report.sections.append((f"Orgkeeper logs ({report.when})", server.logs()))
    return report


@pytest.fixture
def orgkeeper(tmp_path) -> Iterator[Orgkeeper]:
    """A running Orgkeeper (web + worker) on an empty database of its own."""
    server = Orgkeeper(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator(salesforce_emulator, orgkeeper) -> Emulator:  # noqa: F811
    """The demo org, its External Client App registered with this server's Callback URL."""
    salesforce_emulator.demo_app.callback_urls = [orgkeeper.callback_url]
    return salesforce_emulator


@pytest.fixture(scope="session")
def browser():
    missing = chromium_missing()
    if missing:  # not skipped: REQUIRE_SERVICES=1
        pytest.fail(f"REQUIRE_SERVICES=1 but {missing}", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, orgkeeper):
    """A fresh browser profile (no cookies) whose relative URLs go to ``orgkeeper``."""
    context = browser.new_context(viewport=VIEWPORT, base_url=orgkeeper.base_url)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
