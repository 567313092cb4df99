"""The physical baseline: one bare loop per process doing only the minimum per connection:
in one transaction, POST the refresh to the emulator and UPDATE one row. No Django, no Celery.

Run by the orchestrator: ``python -m benchmarks.baseline DATABASE_URL TOKEN_URL INDEX COUNT
START_AT``; prints one JSON line {done, errors, started, finished}."""

import json
import sys
import time

import psycopg
import requests


def post_refresh(
    session: requests.Session, token_url: str, key: str, secret: str, refresh_token: str
) -> requests.Response:
    """The bare refresh POST (RFC 6749 §6, with client_id and client_secret in the body)."""
    return session.post(
        token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": key,
            "client_secret": secret,
        },
        timeout=20,
    )


def main(database_url: str, token_url: str, index: int, count: int, start_at: float) -> None:
    with psycopg.connect(database_url, autocommit=True) as db:
        rows = db.execute(
            "SELECT id, consumer_key, consumer_secret, refresh_token FROM bench_baseline"
            " WHERE id %% %s = %s ORDER BY id",
            (count, index),
        ).fetchall()
        session = requests.Session()
        time.sleep(max(0.0, start_at - time.time()))
        started, done, errors = time.time(), 0, 0
        for row_id, key, secret, refresh_token in rows:
            with db.transaction():
                response = post_refresh(session, token_url, key, secret, refresh_token)
                if response.status_code != 200:
                    errors += 1
                    continue
                body = response.json()
                db.execute(
                    "UPDATE bench_baseline SET refresh_token = %s, access_token = %s,"
                    " refreshed_at = now() WHERE id = %s",
                    (body["refresh_token"], body["access_token"], row_id),
                )
                done += 1
        finished = time.time()
    print(json.dumps({"done": done, "errors": errors, "started": started, "finished": finished}))


if __name__ == "__main__":
    url, token, index, count, start = sys.argv[1:6]
    main(url, token, int(index), int(count), float(start))
