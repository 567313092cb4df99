"""A stand-in API endpoint under /api/v1/ (shaped like the API's connection routes), before
the project's URLs, for the API metrics and log-context tests."""

import logging

from django.http import JsonResponse
from django.urls import include, path


def probe(request, id):
    logging.getLogger("tests.probe").info("probe answered")
    if request.GET.get("fail"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return JsonResponse({"id": id})


probe_patterns = ([path("connections/<str:id>/", probe, name="probe-detail")], "api")

urlpatterns = [
    path("api/v1/", include(probe_patterns)),
    path("", include("config.urls")),
]
