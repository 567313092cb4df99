"""pytest fixtures: one emulator per test process on a free port, reset around every test.

from tests.emulators.entra.fixtures import entra_emulator  # noqa: F401
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator

import pytest

from .emulator import Emulator

_running: list[Emulator] = []


def shared_emulator() -> Emulator:
    """The process-wide demo emulator, started on first use on 127.0.0.1."""
    if not _running:
        emulator = Emulator().start()
        atexit.register(emulator.stop)
        _running.append(emulator)
    return _running[0]


@pytest.fixture
def entra_emulator() -> Iterator[Emulator]:
    """The demo emulator, fresh: demo registry, clock offset 0, no tokens, consents or faults."""
    emulator = shared_emulator()
    emulator.reset()
    yield emulator
    emulator.reset()
