"""The Celery application: configured from Django settings (namespace ``CELERY_``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arbitration.settings")

app = Celery("tianping")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
