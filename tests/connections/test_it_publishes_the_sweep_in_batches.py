"""The kickoff's messages reach the broker: one per connection ID, through one producer
(pipelined on Redis in CI, one at a time on the in-memory broker of local runs and on the
filesystem broker, which doesn't keep their order)."""

import uuid

from config.celery import app
from connections import tasks


def _drain(queue: str) -> list[tuple[str, tuple]]:
    received = []
    with app.connection_for_read() as connection, connection.SimpleQueue(queue) as simple:
        while True:
            try:
                message = simple.get(block=True, timeout=0.5)
            except simple.Empty:
                simple.queue.delete()
                return received
            received.append((message.headers["task"], tuple(message.payload[0])))
            message.ack()


def test_it_publishes_one_message_per_id_across_several_batches():
    queue = f"test-enqueue-{uuid.uuid4().hex}"
    ids = list(range(1, 2 * tasks.PUBLISH_BATCH + 7))

    tasks.enqueue(tasks.refresh_connection, ids, queue=queue)

    assert sorted(_drain(queue)) == [(tasks.refresh_connection.name, (i,)) for i in ids]


def test_it_publishes_nothing_without_ids():
    queue = f"test-enqueue-{uuid.uuid4().hex}"

    tasks.enqueue(tasks.notify_connection, [], queue=queue)

    assert _drain(queue) == []
