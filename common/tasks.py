"""Celery tasks of the shared layer: the outbox dispatcher, run by Celery beat every minute (CELERY_BEAT_SCHEDULE)."""

from dataclasses import asdict

from celery import shared_task

from . import outbox


@shared_task(name="common.dispatch_outbox", ignore_result=True)
def dispatch_outbox() -> dict:
    """Publish outbox rows that were never handed to the broker (Redis was down) or whose message was lost."""
    return asdict(outbox.dispatch())
