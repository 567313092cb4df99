from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("teams/<slug:slug>/activity/", views.activity, name="activity"),
]
