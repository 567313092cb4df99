"""pytest fixtures: one emulator server per test process, fully reset before and after every test.

Use in a conftest:
    from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401
Neither fixture depends on the other by name, so importing just one is enough.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator

import pytest

from .emulator import Emulator

_running: list[Emulator] = []


def shared_emulator() -> Emulator:
    """The process-wide demo emulator, started on first use on a free port of 127.0.0.1."""
    if not _running:
        emulator = Emulator().start()
        atexit.register(emulator.stop)
        _running.append(emulator)
    return _running[0]


@pytest.fixture
def salesforce_emulator() -> Iterator[Emulator]:
    """The demo emulator, fresh: demo registry and policies, clock offset 0, no grants or faults."""
    emulator = shared_emulator()
    emulator.reset()
    yield emulator
    emulator.reset()


@pytest.fixture(scope="session")
def salesforce_emulator_server() -> Emulator:
    """The same server without a reset, for session-scoped setups (reset it yourself)."""
    return shared_emulator()
