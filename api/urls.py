from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import events_feed, key_views, problems, proxy, views
from .schema import DocsView

app_name = "api"

V1 = "api/v1/"
CONNECTION = f"{V1}connections/<str:id>/"

urlpatterns = [
    path(f"{V1}schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script for the CSP.
    path(
        f"{V1}docs/",
        DocsView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path(f"{V1}connections/", views.ConnectionList.as_view(), name="connections"),
    path(CONNECTION, views.ConnectionDetail.as_view(), name="connection"),
    path(f"{CONNECTION}access-token", views.AccessToken.as_view(), name="access_token"),
    path(
        f"{CONNECTION}access-token/invalid",
        views.InvalidAccessToken.as_view(),
        name="access_token_invalid",
    ),
    path(f"{CONNECTION}test", views.TestConnection.as_view(), name="test"),
    path(f"{CONNECTION}proxy/services/<path:path>", proxy.Proxy.as_view(), name="proxy"),
    # Dynamics 365 / Dataverse: the Web API (connections.providers.dynamics).
    path(
        f"{CONNECTION}proxy/api/data/<path:path>",
        proxy.Proxy.as_view(),
        {"prefix": "api/data/"},
        name="proxy_dataverse",
    ),
    path(f"{V1}events/", events_feed.EventFeed.as_view(), name="events"),
    # Team settings → API keys (the signed-in pages).
    path("teams/<slug:slug>/api-keys/", key_views.key_list, name="keys"),
    path("teams/<slug:slug>/api-keys/<uuid:code>/revoke/", key_views.revoke, name="revoke"),
    # Last: any other path under /api/v1/ is a problem+json 404, also with DEBUG on (whose
    # 404 page bypasses handler404).
    re_path(rf"^{V1}", problems.not_found, name="not_found"),
]
