"""Crash safety of the refresh: 40 connections refreshed for several rounds by a real Celery
worker against the emulator (strict rotation), while pool processes and the whole worker are
SIGKILLed at random moments and some answers are lost after Salesforce rotated the token.
Afterwards no connection is silently broken: each either works (its stored refresh token is
the live one and a refresh succeeds) or needs re-authorization because the "refresh token
lost" in flight, and exactly those are the grants Salesforce revoked for a replayed token.
Prints the kills and the window between each token response and its commit."""

import os
import random
import re
import signal
import statistics
import time
from pathlib import Path

import pytest
import redis

from connections import keepalive, tasks
from connections.models import Connection
from connections.providers.salesforce.errors import REFRESH_TOKEN_LOST
from tests.celery_worker import CeleryWorker, wait_for, worker_database_url
from tests.integration.helpers import connect

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

CONNECTIONS = 40
ROUNDS = 4
LOST_ANSWERS_PER_ROUND = 2  # emu.fail_next(commit=True, drop=True)
CHILD_KILLS_PER_ROUND = 4
REPLAYED = "rotated-out refresh token was replayed"
WINDOW = re.compile(r"token response committed ([0-9.]+) ms after it arrived")


class KillableWorker(CeleryWorker):
    """The shared worker (prefork, 4 processes) which the test can SIGKILL (one pool process,
    or everything) and start again."""

    def __init__(self, base: Path):
        super().__init__(
            "tests.reliability.worker_settings", base, worker_database_url(), "orgkeeper-rel"
        )
        self.broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])

    def children(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # ppid
                pids.append(int(stat.parent.name))
        return pids

    def kill_a_child(self, rng: random.Random) -> bool:
        children = self.children()
        if not children:
            return False
        try:
            os.kill(rng.choice(children), signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def kill_everything(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def queued(self) -> int:
        return self.broker.llen(self.queue)


def enqueue_connected(worker: KillableWorker) -> int:
    ids = list(
        Connection.objects.filter(status=Connection.Status.CONNECTED).values_list("id", flat=True)
    )
    for connection_id in ids:
        tasks.refresh_connection.apply_async((connection_id,), {"force": True}, queue=worker.queue)
    return len(ids)


def settle(worker: KillableWorker, seconds: float = 1.5) -> None:
    """Wait for the queue to drain, then for retries (about 1 s) and running tasks."""
    wait_for(lambda: worker.queued() == 0, timeout=30, what="the queue to drain")
    time.sleep(seconds)


def test_no_connection_is_left_silently_broken(salesforce_emulator, team, tmp_path):
    started = time.monotonic()
    emu = salesforce_emulator
    emu.token_processing_seconds = 0.1  # a wide in-flight window for the kills to land in
    rng = random.Random(os.environ.get("RELIABILITY_SEED", "orgkeeper"))
    grants = emu.mint_grants(CONNECTIONS, separate="user")
    grant_of = {
        connect(emu, team, f"Org {index:02d}", grant).pk: grant["grant_id"]
        for index, grant in enumerate(grants)
    }
    grants_by_id = {grant.grant_id: grant for grant in emu.grants}

    kills = {"pool process": 0, "whole worker": 0}
    with KillableWorker(tmp_path) as worker:
        for round_ in range(ROUNDS):
            # Salesforce rotates, then the answer never arrives (the classic lost response).
            emu.fail_next(LOST_ANSWERS_PER_ROUND, status=None, drop=True, commit=True)
            enqueue_connected(worker)
            whole_worker_at = rng.randrange(CHILD_KILLS_PER_ROUND)
            for kill in range(CHILD_KILLS_PER_ROUND):
                time.sleep(rng.uniform(0.05, 0.4))
                if kill == whole_worker_at and round_ % 2 == 1:
                    worker.kill_everything()
                    kills["whole worker"] += 1
                    worker.start()
                elif worker.kill_a_child(rng):
                    kills["pool process"] += 1
            settle(worker)

        # One calm round: the keep-alive itself must reveal every lost token.
        emu.clear_faults()
        enqueue_connected(worker)
        settle(worker, seconds=3)
    log = worker.log_text()

    working, lost = [], []
    for connection in Connection.objects.select_related("tokens"):
        grant = grants_by_id[grant_of[connection.pk]]
        if connection.status == Connection.Status.NEEDS_REAUTHORIZATION:
            assert connection.status_reason == REFRESH_TOKEN_LOST.reason, connection.status_reason
            assert (grant.revoked, grant.revoked_reason) == (True, REPLAYED)
            lost.append(connection)
            continue
        assert connection.status == Connection.Status.CONNECTED, connection.status_reason
        # Working: the stored token is the grant's live one, and it refreshes.
        assert not grant.revoked, grant.revoked_reason
        assert emu.is_refresh_token_live(connection.tokens.refresh_token)
        result = keepalive.refresh_connection(connection.pk, force=True)
        assert result.outcome == keepalive.Outcome.REFRESHED, result
        working.append(connection)

    revoked = {g.grant_id for g in emu.grants if g.revoked}
    assert revoked == {grant_of[c.pk] for c in lost}
    assert len(lost) >= LOST_ANSWERS_PER_ROUND  # at least the first round's lost answers

    windows = sorted(float(ms) for ms in WINDOW.findall(log))
    assert windows, "no commit window was logged"
    print(
        f"\n[reliability] {CONNECTIONS} connections, {ROUNDS} rounds + 1 calm round, "
        f"{len(emu.token_requests(grant_type='refresh_token'))} refresh requests; killed "
        f"{kills['pool process']} pool processes and the whole worker {kills['whole worker']} "
        f"times; {len(working)} still working, {len(lost)} refresh tokens lost in flight "
        f"(needs re-authorization); response-to-commit window over {len(windows)} refreshes: "
        f"median {statistics.median(windows):.2f} ms, p95 "
        f"{windows[int(len(windows) * 0.95) - 1]:.2f} ms, max {windows[-1]:.2f} ms; "
        f"{time.monotonic() - started:.0f} s"
    )
