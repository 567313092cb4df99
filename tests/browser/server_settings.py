"""Settings of the Orgkeeper the browser tests start: development's, with a Celery queue of
its own (BROWSER_CELERY_QUEUE), so two test runs sharing one Redis can't take each other's
tasks, and nothing else's tasks reach this worker."""

from config.settings.dev import *  # noqa: F403
from config.settings.dev import env

CELERY_TASK_DEFAULT_QUEUE = env("BROWSER_CELERY_QUEUE")
