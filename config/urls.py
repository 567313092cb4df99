from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views

from . import views

admin_urls, admin_app, admin_namespace = admin.site.urls
# ExternalClientApp became ClientCredentials (same rows, same keys): old bookmarks still work.
_old_admin_urls = [
    path(
        "connections/externalclientapp/<path:rest>",
        RedirectView.as_view(url="/admin/connections/clientcredentials/%(rest)s", permanent=True),
    ),
    path(
        "connections/externalclientapp/",
        RedirectView.as_view(url="/admin/connections/clientcredentials/", permanent=True),
    ),
]

urlpatterns = [
    # First: the API's requests are the hot path, and Django tries the patterns in order.
    path("", include("api.urls")),
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("monitoring.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", (_old_admin_urls + admin_urls, admin_app, admin_namespace)),
    path("", include("accounts.urls")),
    path("", include("connections.urls")),
    path("", include("events.urls")),
    path("", include("webhooks.urls")),
]

handler404 = "api.problems.page_not_found"
handler500 = "api.problems.server_error"
