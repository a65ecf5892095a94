"""Celery tasks for reporting: thin wrappers around the services."""

import logging
from pathlib import Path

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import RoleAssignment, User
from reporting.services import allocations

logger = logging.getLogger(__name__)


@shared_task(
    name="reporting.import_allocations",
    # A bounded worker: the file was checked in the web process (rows, columns, zip and XML bombs), and the
    # import must also end in time. At the soft limit the transaction is rolled back and the user told; the hard
    # limit ends the worker process if even that does not happen.
    soft_time_limit=settings.ALLOCATION_IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.ALLOCATION_IMPORT_SOFT_TIME_LIMIT + 60,
)
def import_allocations_task(import_id: str) -> dict:
    """Run a confirmed allocation import from the web UI. Progress and the result are kept in the cache under the
    import id (reporting.services.allocations.get_state); the stored file is removed afterwards. Safe to run
    twice: a second run finds the state finished (and the import itself is idempotent)."""
    state = allocations.get_state(import_id)
    if state is None or state.get("status") not in ("i_ko", "kjorer"):
        return {"status": state.get("status") if state else "ukjent"}
    allocations.update_state(import_id, status="kjorer", done=0, total=0)
    try:
        user = User.objects.get(pk=state["user_id"])
        if state.get("role_id"):  # act in the role the user confirmed the import in
            user.active_role = RoleAssignment.objects.active().filter(pk=state["role_id"], user=user).first()
        raw = Path(state["path"]).read_bytes()

        def progress(done: int, total: int) -> None:
            allocations.update_state(import_id, done=done, total=total)

        # No reading deadline here: the Celery time limits bound the whole import.
        table_limits = allocations.limits(max_seconds=None)
        report = allocations.import_allocations(
            user, raw, state["filename"], progress=progress, table_limits=table_limits
        )
    except SoftTimeLimitExceeded:
        logger.warning("Import av tildelinger %s stoppet ved tidsgrensen", import_id)
        report = allocations.AllocationReport(
            filename=state.get("filename", ""),
            errors=[
                (
                    0,
                    _("Importen tok for lang tid og ble stoppet etter %(m)s minutter. Ingenting er importert.")
                    % {"m": settings.ALLOCATION_IMPORT_SOFT_TIME_LIMIT // 60},
                )
            ],
        )
    except Exception:
        logger.exception("Import av tildelinger %s feilet", import_id)
        report = allocations.AllocationReport(
            filename=state.get("filename", ""),
            errors=[(0, _("Importen stoppet på grunn av en teknisk feil. Ingenting er importert; prøv igjen."))],
        )
    allocations.discard_file(state)
    final = (
        allocations.update_state(
            import_id, status="ferdig" if report.ok else "feilet", path="", report=report.as_dict()
        )
        or {}
    )
    return {"status": final.get("status"), "created": report.created, "changed": report.changed}
