from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("teams/<slug:slug>/connections/", views.connection_list, name="list"),
]
