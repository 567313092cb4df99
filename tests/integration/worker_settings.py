"""Settings of the Celery worker the integration tests start: the test settings, plus file
email (readable by the test process) and a queue of its own (so a stray worker can't steal
its tasks)."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("ORGKEEPER_TEST_EMAIL_DIR")
CELERY_TASK_DEFAULT_QUEUE = env("ORGKEEPER_TEST_QUEUE")
