"""Celery application: reads ``CELERY_*`` Django settings and discovers app tasks."""

import os

from celery import Celery

from config import settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

app = Celery("orgkeeper")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
