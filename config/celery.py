"""Celery application. Tasks are thin wrappers around services (see */tasks.py).

Every task is an OutboxTask: services enqueue work with `task.enqueue(...)`, which records it in the outbox table in
the caller's transaction and hands it to Celery after commit (common/outbox.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("laeringsnett", task_cls="common.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="laeringsnett.ping")
def ping(value: str = "pong") -> str:
    """Health check used to prove a round-trip through broker and worker."""
    return value
