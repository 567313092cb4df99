from django.urls import path

from . import views
from .callback_urls import OAUTH_CALLBACK_PATH

app_name = "connections"

CONNECTION = "teams/<slug:slug>/connections/<uuid:code>/"

urlpatterns = [
    path("teams/<slug:slug>/connections/", views.connection_list, name="list"),
    path("teams/<slug:slug>/connections/new/", views.connection_new, name="new"),
    path(CONNECTION, views.detail, name="detail"),
    path(f"{CONNECTION}setup/", views.setup, name="setup"),
    path(f"{CONNECTION}credentials/", views.credentials, name="credentials"),
    path(f"{CONNECTION}edit/", views.edit, name="edit"),
    path(f"{CONNECTION}test/", views.test_connection, name="test"),
    path(f"{CONNECTION}refresh/", views.refresh_now, name="refresh"),
    path(f"{CONNECTION}disconnect/", views.disconnect, name="disconnect"),
    path(f"{CONNECTION}delete/", views.delete, name="delete"),
    path(
        f"{CONNECTION}reauthorize-instead/", views.reauthorize_instead, name="reauthorize_instead"
    ),
    path(f"{CONNECTION}keep-both/", views.keep_both, name="keep_both"),
    path(OAUTH_CALLBACK_PATH.lstrip("/"), views.oauth_callback, name="oauth_callback"),
]
