from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views

from . import views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("monitoring.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    # ExternalClientApp became ClientCredentials (same rows, same keys): old bookmarks.
    path(
        "admin/connections/externalclientapp/<path:rest>",
        RedirectView.as_view(url="/admin/connections/clientcredentials/%(rest)s", permanent=True),
    ),
    path(
        "admin/connections/externalclientapp/",
        RedirectView.as_view(url="/admin/connections/clientcredentials/", permanent=True),
    ),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("connections.urls")),
    path("", include("api.urls")),
    path("", include("events.urls")),
    path("", include("webhooks.urls")),
]

handler404 = "api.problems.page_not_found"
handler500 = "api.problems.server_error"
