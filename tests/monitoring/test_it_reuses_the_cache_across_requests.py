"""The request middleware must not give each request a context of its own: Django keeps its
cache backends per context (asgiref.local), so each request would build a new backend, and
with Redis open a new connection (round 6 of benchmarks/RESULTS.md)."""

import contextvars

from django.core.cache import caches
from django.http import HttpResponse

from monitoring import logs
from monitoring.middleware import RequestContextMiddleware


def test_requests_share_the_cache_backend(rf):
    seen = []

    def view(request):
        seen.append(caches["default"])
        return HttpResponse()

    middleware = RequestContextMiddleware(view)
    # A fresh context, as in a new gunicorn worker: no backend built before the requests.
    contextvars.Context().run(lambda: [middleware(rf.get("/healthz")) for _ in range(2)])

    assert seen[0] is seen[1]


def test_the_request_id_is_unbound_after_the_request(rf):
    bound = []
    middleware = RequestContextMiddleware(
        lambda request: bound.append(logs.current()) or HttpResponse()
    )

    def run():
        logs.bind(task_id="outer")
        middleware(rf.get("/healthz", HTTP_X_REQUEST_ID="req-9"))
        return logs.current()

    after = contextvars.Context().run(run)

    assert bound == [{"request_id": "req-9"}]
    assert after == {"task_id": "outer"}
