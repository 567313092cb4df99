"""The project's URLs plus a stand-in API endpoint under /api/v1/ for the API metrics tests."""

from django.http import JsonResponse
from django.urls import include, path


def probe(request, code):
    if request.GET.get("fail"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return JsonResponse({"code": str(code)})


probe_patterns = ([path("probes/<uuid:code>/", probe, name="probe-detail")], "api-test")

urlpatterns = [
    path("api/v1/", include(probe_patterns)),
    path("", include("config.urls")),
]
