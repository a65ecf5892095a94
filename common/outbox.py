"""Transactional outbox for Celery tasks: work that must not be lost (e-mails, letters, imports) is recorded in the
database together with the change that needs it, and handed to Celery only after that transaction commits.

    send_receipt.enqueue(application.pk)        # in a service, inside its transaction
    generate_round_letters.enqueue_now(rnd.pk)  # in a view that makes no other change

Every task of the app has these two methods: config.celery makes OutboxTask the app's task class.

Guarantees (tests in tests/faults/):
- Rolled back: no row, nothing is sent. The row is part of the transaction; publishing is an on_commit callback.
- Redis down: the request still succeeds. Publishing fails fast (CELERY_BROKER_TRANSPORT_OPTIONS and
  CELERY_TASK_PUBLISH_RETRY_POLICY in config/settings.py), the error is logged and kept on the row, which stays
  pending. `dispatch()` (Celery beat every minute, task common.dispatch_outbox, or `manage.py dispatch_outbox`)
  publishes rows never handed over once a short grace period has passed (OUTBOX_GRACE_SECONDS), and publishes
  again rows the broker took but no worker finished (a message lost with Redis) after OUTBOX_REDELIVER_SECONDS.
- Done: the worker sets `utfort` when the task body has run (Celery's task_success signal; the Celery task id is
  "outbox-<pk>"). Retries and failures of the task are written to `siste_feil`.
- At least once, never twice in effect: the tasks are idempotent (audit marks, timestamps), so a second delivery
  sends nothing. After OUTBOX_MAX_SENDS hand-overs without the task finishing, the row is given up (`gitt_opp`,
  logged as an error); `manage.py dispatch_outbox --retry-failed` tries those again.
- Never given up for a fault in the code or its loading: every process that publishes first loads all task
  modules (Celery autodiscovery, `load_tasks()`; `manage.py dispatch_outbox` imports nothing else). A task that is
  still not registered, a task module that does not import, or a call the task refuses (TypeError) leaves the row
  pending with the error in `siste_feil`, logged as an error (outcome BROKEN); the command exits non-zero and
  names the rows. Only a row whose secret can no longer be opened (a retired SECRET_KEY) is given up at once.
- Secrets: parameters a task names in `secret_params` (the invitation token) are stored encrypted (Fernet, key
  derived from SECRET_KEY and SECRET_KEY_FALLBACKS), decrypted only to publish, and removed from the row when the
  task is done. The database never holds the token in clear, and not even encrypted once the e-mail is sent.
- Eager mode (no REDIS_URL: `make run`, the tests): publishing runs the task in-process after commit, as `.delay()`
  did; a first failure is retried at once. A task that still fails is logged and its row stays pending for the
  dispatcher (`manage.py dispatch_outbox`), instead of turning a committed change into a server error.

Publishing goes through the task's `.delay()`, so whatever stands in for `.delay()` (the grant tests' recorder)
sees outbox tasks too; OutboxTask.apply_async adds the outbox task id.
"""

import base64
import contextvars
import functools
import inspect
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery import Task, current_app
from celery.exceptions import NotRegistered
from celery.result import EagerResult
from celery.signals import task_failure, task_retry, task_success
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "outbox-"
SEALED = "__sealed__"
REMOVED = "[fjernet]"

# Outcomes of publish().
SENT, SKIPPED, BROKER_DOWN, FAILED, GIVEN_UP = "sendt", "hoppet over", "køen svarer ikke", "feilet", "gitt opp"
BROKEN = "feil i koden"  # the task could not be loaded or called: the row waits until the code is fixed

# Faults in the code or in its loading, never in the message: a row is kept for them, not given up.
CODE_ERRORS = (NotRegistered, ImportError, TypeError, AttributeError, NameError)

# The outbox message being published by this thread, read once by OutboxTask.apply_async.
_publishing: contextvars.ContextVar[int | None] = contextvars.ContextVar("outbox_publishing", default=None)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def grace() -> timedelta:
    """How long a new or just tried row is left to its own publisher before the dispatcher takes it."""
    return timedelta(seconds=_setting("OUTBOX_GRACE_SECONDS", 30))


def redeliver_after() -> timedelta:
    """How long a row the broker took may wait for a worker before it is published again (a lost message)."""
    return timedelta(seconds=_setting("OUTBOX_REDELIVER_SECONDS", 15 * 60))


# --- the task class ----------------------------------------------------------------------------------------------


class OutboxTask(Task):
    """The app's task class (config.celery): every task can be enqueued through the outbox."""

    #: Names of parameters whose values are secret: stored encrypted, removed from the row when the task is done.
    secret_params: tuple[str, ...] = ()

    def enqueue(self, *args, **kwargs):
        """Record the task in the outbox inside the current transaction; it is handed to Celery after commit (at
        once outside a transaction). A rollback discards it. Use this instead of `.delay()` in services."""
        return enqueue(self, args, kwargs)

    def enqueue_now(self, *args, **kwargs):
        """Record the task and hand it to Celery at once, for views that make no change of their own (the row is
        their only write). Never inside a transaction that may still roll back."""
        return enqueue(self, args, kwargs, after_commit=False)

    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        message_id = _publishing.get()
        if message_id is not None and task_id is None:
            _publishing.set(None)  # this call only; a task run eagerly inside it publishes its own work
            task_id = task_id_for(message_id)
            # The row records the outcome; asking for a result would also touch the result backend.
            options.setdefault("ignore_result", True)
            if self.app.conf.task_always_eager:
                # Eagerly, a first failure is retried at once (autoretry_for) instead of raising Retry to the
                # caller; if the retry fails too, publish() gets the exception and leaves the row to the dispatcher.
                options.setdefault("throw", False)
        return super().apply_async(args, kwargs, task_id=task_id, **options)


def task_id_for(message_id: int) -> str:
    return f"{TASK_ID_PREFIX}{message_id}"


def message_id_of(task_id) -> int | None:
    if isinstance(task_id, str) and task_id.startswith(TASK_ID_PREFIX) and task_id[len(TASK_ID_PREFIX) :].isdigit():
        return int(task_id[len(TASK_ID_PREFIX) :])
    return None


# --- secrets ------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]):
    def key_for(secret: str) -> bytes:
        digest = salted_hmac("common.outbox", "seal", secret=secret, algorithm="sha256").digest()
        return base64.urlsafe_b64encode(digest)

    return MultiFernet([Fernet(key_for(secret)) for secret in keys])


def _cipher():
    return _fernet((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])))


def seal(value) -> dict:
    return {SEALED: _cipher().encrypt(json.dumps(value).encode()).decode()}


def is_sealed(value) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED}


def unseal(value):
    if is_sealed(value):
        return json.loads(_cipher().decrypt(value[SEALED].encode()))
    return value


def _seal_secrets(task, args: list, kwargs: dict) -> tuple[list, dict]:
    secret = set(getattr(task, "secret_params", ()))
    if not secret:
        return args, kwargs
    names = list(inspect.signature(task.run).parameters)
    args = [seal(value) if i < len(names) and names[i] in secret else value for i, value in enumerate(args)]
    kwargs = {key: seal(value) if key in secret else value for key, value in kwargs.items()}
    return args, kwargs


# --- enqueue and publish ------------------------------------------------------------------------------------------


def enqueue(task, args=(), kwargs=None, *, after_commit: bool = True):
    """Write the outbox row for `task(*args, **kwargs)` and publish it after commit (or at once)."""
    from .models import OutboxMessage

    args, kwargs = _seal_secrets(task, list(args), dict(kwargs or {}))
    json.dumps([args, kwargs])  # arguments must be JSON: fail here, inside the transaction, not after commit
    message = OutboxMessage.objects.create(oppgave=task.name, argumenter=args, nokkelargumenter=kwargs)
    first = Q(forsok=0)
    if after_commit:
        transaction.on_commit(functools.partial(publish, message.pk, eligible=first))
    else:
        publish(message.pk, eligible=first)
    return message


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


_tasks_loaded = False
_load_error: Exception | None = None


def load_tasks(*, force: bool = False) -> Exception | None:
    """Import every task module of the app (Celery's autodiscovery of <app>/tasks.py, as a worker does at start).
    A process that publishes rows it did not write itself (the dispatcher, `manage.py dispatch_outbox`) must call
    this first: otherwise a task whose module nothing else imported is not registered there. Returns the error
    when a module does not import (logged; the rows of its tasks wait), None when all loaded."""
    global _tasks_loaded, _load_error
    if _tasks_loaded and not force:
        return _load_error
    try:
        # Not loader.import_default_modules(): its import_modules signal runs Celery's Django fixup, which calls
        # django.setup() again (re-configuring logging: a worker that dispatched once logged nothing after) and
        # runs the system checks. The modules themselves are imported directly instead.
        for module in current_app.loader.default_modules:
            current_app.loader.import_task_module(module)
        current_app.autodiscover_tasks(force=True)
        _load_error = None
    except Exception as exc:  # an ImportError, or any error raised while importing a task module
        logger.error("Oppgavemodulene kunne ikke lastes; meldingene venter til feilen er rettet.", exc_info=True)
        _load_error = exc
    _tasks_loaded = True
    return _load_error


def find_task(name: str):
    """The registered task `name`, loading the task modules first if it is not there yet. Raises NotRegistered,
    or the error that stopped a task module from importing."""
    try:
        return current_app.tasks[name]
    except NotRegistered:
        error = load_tasks()
    try:
        return current_app.tasks[name]
    except NotRegistered:
        if error is not None:
            raise error from None
        raise


def _broken(message, exc: BaseException) -> str:
    """The task could not be loaded or called: a fault in the code, not in the message. Keep the row pending (it is
    sent once the code is fixed), record the error on it and log it loudly."""
    from .models import OutboxMessage

    logger.error(
        "Utboksmelding %s (%s) kan ikke sendes på grunn av en feil i koden eller oppsettet; den venter til feilen er "
        "rettet og gis ikke opp: %s",
        message.pk,
        message.oppgave,
        _describe(exc),
    )
    OutboxMessage.objects.filter(pk=message.pk).update(siste_feil=_describe(exc))
    return BROKEN


def publish(message_id: int, *, eligible: Q | None = None) -> str:
    """Hand one pending outbox message to Celery. Claims the row first (a conditional UPDATE, so two dispatchers
    never publish the same row at once); never raises for a broker or task error: it is logged and kept on the row."""
    from .models import OutboxMessage

    claim = OutboxMessage.objects.filter(pk=message_id, utfort__isnull=True, gitt_opp__isnull=True)
    if eligible is not None:
        claim = claim.filter(eligible)
    if not claim.update(forsok=F("forsok") + 1, sist_forsokt=timezone.now()):
        return SKIPPED
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        task = find_task(message.oppgave)
    except CODE_ERRORS as exc:  # not loaded, or its module does not import: fix the code, the row waits
        return _broken(message, exc)
    try:
        args = [unseal(value) for value in message.argumenter]
        kwargs = {key: unseal(value) for key, value in message.nokkelargumenter.items()}
    except (InvalidToken, ValueError) as exc:  # sealed under a retired SECRET_KEY: the token can never be opened
        logger.error("Utboksmelding %s (%s) kan ikke sendes og er gitt opp: %s", message.pk, message.oppgave, exc)
        OutboxMessage.objects.filter(pk=message_id).update(siste_feil=_describe(exc), gitt_opp=timezone.now())
        return GIVEN_UP
    token = _publishing.set(message.pk)
    try:
        result = task.delay(*args, **kwargs)
        if isinstance(result, EagerResult) and result.failed():
            raise result.result
    except CODE_ERRORS as exc:  # the call itself is wrong (arguments the task does not take): the row waits
        return _broken(message, exc)
    except OperationalError as exc:  # the broker (Redis) is down or unreachable
        logger.warning(
            "Køen svarer ikke; oppgaven %s (utboksmelding %s) sendes når den svarer igjen: %s",
            message.oppgave,
            message.pk,
            exc,
        )
        OutboxMessage.objects.filter(pk=message_id).update(siste_feil=_describe(exc))
        return BROKER_DOWN
    except Exception as exc:  # eager mode: the task itself failed in-process
        logger.warning(
            "Oppgaven %s (utboksmelding %s) feilet; den prøves igjen senere.",
            message.oppgave,
            message.pk,
            exc_info=True,
        )
        OutboxMessage.objects.filter(pk=message_id).update(siste_feil=_describe(exc))
        return FAILED
    finally:
        _publishing.reset(token)
    OutboxMessage.objects.filter(pk=message_id).update(sendt=timezone.now(), ganger_sendt=F("ganger_sendt") + 1)
    return SENT


# --- the dispatcher -----------------------------------------------------------------------------------------------


@dataclass
class DispatchReport:
    sent: int = 0
    not_sent: int = 0
    broker_down: bool = False
    given_up: int = 0
    deleted: int = 0
    pending: int = 0
    #: Rows kept pending because of a fault in the code (BROKEN): (pk, task name, error).
    broken: list[tuple[int, str, str]] = field(default_factory=list)
    #: Rows whose task failed in-process (eager mode): pk.
    failed: list[int] = field(default_factory=list)


def due(now: datetime, grace_period: timedelta | None = None) -> Q:
    """Rows the dispatcher may publish at `now`: not tried within the grace period, and either never handed to the
    broker or handed over so long ago that the message must have been lost."""
    grace_period = grace() if grace_period is None else grace_period
    quiet = Q(sist_forsokt__isnull=True, opprettet__lte=now - grace_period) | Q(sist_forsokt__lte=now - grace_period)
    return quiet & (Q(sendt__isnull=True) | Q(sendt__lte=now - redeliver_after()))


def dispatch(*, now: datetime | None = None, grace_seconds: float | None = None, limit: int = 500) -> DispatchReport:
    """Publish the pending outbox rows that are due, oldest first; stop at the first broker failure (the next run
    tries again). Give up rows handed over OUTBOX_MAX_SENDS times without finishing, and delete finished rows older
    than OUTBOX_KEEP_DAYS. Safe to run concurrently and repeatedly."""
    from .models import OutboxMessage

    now = now or timezone.now()
    report = DispatchReport()
    load_tasks()  # a task module nothing in this process imported yet must not look like an unknown task
    pending = OutboxMessage.objects.filter(utfort__isnull=True, gitt_opp__isnull=True)

    hopeless = pending.filter(ganger_sendt__gte=_setting("OUTBOX_MAX_SENDS", 10), sendt__lte=now - redeliver_after())
    for message in hopeless:
        logger.error(
            "Utboksmelding %s (%s) er sendt %s ganger uten å bli utført og er gitt opp. Siste feil: %s",
            message.pk,
            message.oppgave,
            message.ganger_sendt,
            message.siste_feil or "ingen",
        )
    report.given_up = hopeless.update(gitt_opp=now)

    eligible = due(now, None if grace_seconds is None else timedelta(seconds=grace_seconds))
    for pk in list(pending.filter(eligible).order_by("opprettet", "id").values_list("pk", flat=True)[:limit]):
        outcome = publish(pk, eligible=eligible)
        if outcome == SENT:
            report.sent += 1
        elif outcome == SKIPPED:
            continue
        elif outcome == GIVEN_UP:
            report.given_up += 1
        else:
            report.not_sent += 1
            if outcome == BROKEN:
                message = OutboxMessage.objects.only("oppgave", "siste_feil").get(pk=pk)
                report.broken.append((pk, message.oppgave, message.siste_feil))
            elif outcome == FAILED:
                report.failed.append(pk)
            if outcome == BROKER_DOWN:
                report.broker_down = True
                break

    keep = timedelta(days=_setting("OUTBOX_KEEP_DAYS", 30))
    report.deleted, _ = OutboxMessage.objects.filter(utfort__lte=now - keep).delete()
    report.pending = pending.count()
    return report


def retry_given_up() -> int:
    """Make given-up rows pending again (after the cause is fixed); the next dispatch publishes them."""
    from .models import OutboxMessage

    return OutboxMessage.objects.filter(gitt_opp__isnull=False, utfort__isnull=True).update(
        gitt_opp=None, ganger_sendt=0, sendt=None, sist_forsokt=None
    )


# --- the worker's side: done, retried, failed ---------------------------------------------------------------------


def mark_done(message_id: int, task=None) -> bool:
    """The task body has run. Removes the encrypted secrets from the row. False when it was already done."""
    from .models import OutboxMessage

    if not OutboxMessage.objects.filter(pk=message_id, utfort__isnull=True).update(
        utfort=timezone.now(), gitt_opp=None
    ):
        return False
    if getattr(task, "secret_params", ()):
        message = OutboxMessage.objects.get(pk=message_id)
        message.argumenter = [REMOVED if is_sealed(v) else v for v in message.argumenter]
        message.nokkelargumenter = {k: REMOVED if is_sealed(v) else v for k, v in message.nokkelargumenter.items()}
        message.save(update_fields=["argumenter", "nokkelargumenter"])
    return True


def _record_error(task_id, text: str) -> None:
    from .models import OutboxMessage

    message_id = message_id_of(task_id)
    if message_id is not None:
        OutboxMessage.objects.filter(pk=message_id, utfort__isnull=True).update(siste_feil=text[:2000])


def _request_id(task) -> str | None:
    return getattr(getattr(task, "request", None), "id", None)


@task_success.connect(weak=False, dispatch_uid="common.outbox.task_success")
def _on_task_success(sender=None, **kwargs):
    message_id = message_id_of(_request_id(sender))
    if message_id is not None:
        mark_done(message_id, sender)


@task_retry.connect(weak=False, dispatch_uid="common.outbox.task_retry")
def _on_task_retry(sender=None, request=None, reason=None, **kwargs):
    _record_error(getattr(request, "id", None) or _request_id(sender), f"Nytt forsøk: {reason}")


@task_failure.connect(weak=False, dispatch_uid="common.outbox.task_failure")
def _on_task_failure(sender=None, task_id=None, exception=None, **kwargs):
    _record_error(task_id, _describe(exception) if exception is not None else "Feilet")
