"""The API benchmark's URL conf: production's, plus the bare view the access-token endpoint is
compared with. Never part of config.urls."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler404, handler500
from config.urls import urlpatterns as production_urlpatterns
from connections.models import Connection


@csrf_exempt
def bare(request, code):
    """Authenticates nothing; one SELECT by the unique (indexed) UUID ``code``."""
    found = Connection.objects.filter(code=code).values_list("id", flat=True).first()
    return JsonResponse({"id": found})


urlpatterns = [*production_urlpatterns, path("bench/bare/<uuid:code>", bare)]
__all__ = ["handler404", "handler500", "urlpatterns"]
