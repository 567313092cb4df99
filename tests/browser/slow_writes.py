"""Make the server's writes to one table wait, so that a second click reaches the server
while the first click's request is still being handled, as on a slow server."""

import contextlib
import sqlite3
from collections.abc import Iterator

from tests.browser.harness import Orgkeeper


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
