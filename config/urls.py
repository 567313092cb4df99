from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

from . import views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("monitoring.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("connections.urls")),
    path("", include("api.urls")),
    path("", include("events.urls")),
    path("", include("webhooks.urls")),
]

handler404 = "api.problems.page_not_found"
handler500 = "api.problems.server_error"
