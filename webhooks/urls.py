from django.urls import path

from . import views

app_name = "webhooks"

ENDPOINT = "teams/<slug:slug>/webhooks/<uuid:code>/"

urlpatterns = [
    path("teams/<slug:slug>/webhooks/", views.endpoint_list, name="list"),
    path(ENDPOINT, views.detail, name="detail"),
    path(f"{ENDPOINT}test/", views.send_test, name="send_test"),
    path(f"{ENDPOINT}rotate/", views.rotate_secret, name="rotate"),
    path(f"{ENDPOINT}delete/", views.delete, name="delete"),
    path(f"{ENDPOINT}deliveries/<uuid:delivery>/redeliver/", views.redeliver, name="redeliver"),
]
