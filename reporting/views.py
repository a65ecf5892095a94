import logging
import secrets
import time

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare

from accounts.permissions import get_active_role

from . import selectors

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """The start page of the active role."""
    role = get_active_role(request.user)
    context = selectors.start_page(request.user, role)
    return render(request, context.pop("template"), context)


def healthz(request):
    """For the load balancer: {"status": "ok"} when the database answers (no login, nothing else revealed).

    `?deep=1` with the header `X-Healthz-Token: <HEALTHZ_TOKEN>` (bin/smoke after a deployment) also sends a ping
    task through the broker and waits for a worker's answer, at most HEALTHZ_CELERY_TIMEOUT seconds: 200 when it
    came back, 503 when not. Without the right token (or with no HEALTHZ_TOKEN configured) the deep check is refused
    before any work, so anonymous visitors cannot make the server wait on the queue."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if not request.GET.get("deep"):
        return JsonResponse({"status": "ok"})
    expected = settings.HEALTHZ_TOKEN
    given = request.headers.get("X-Healthz-Token", "")
    if not expected or not constant_time_compare(given, expected):
        return JsonResponse({"status": "nektet", "detalj": "Den utvidede sjekken krever riktig token."}, status=403)
    celery = _celery_round_trip(settings.HEALTHZ_CELERY_TIMEOUT)
    ok = celery["status"] in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if ok else "feil", "database": "ok", "celery": celery}, status=200 if ok else 503
    )


def _celery_round_trip(timeout: float) -> dict:
    """Send laeringsnett.ping through the broker and wait for a worker to answer with the same value."""
    from config.celery import app, ping

    if app.conf.task_always_eager:
        return {"status": "eager", "detalj": "Ingen kø: oppgavene kjøres i webprosessen (REDIS_URL er ikke satt)."}
    nonce = secrets.token_hex(8)
    started = time.monotonic()
    result = None
    try:
        # Reach the broker first, within its short timeouts (CELERY_BROKER_TRANSPORT_OPTIONS): with Redis down the
        # result backend would otherwise retry its connection for many seconds before giving up.
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
        result = ping.apply_async(args=[nonce], expires=timeout)
        answer = result.get(timeout=timeout)
    except CeleryTimeoutError:
        return {"status": "feil", "detalj": f"Ingen worker svarte innen {timeout:g} sekunder."}
    except Exception as exc:  # the broker or the result backend (Redis) is down
        logger.warning("Helsesjekk: køen svarer ikke: %s", exc)
        return {"status": "feil", "detalj": f"Køen (Redis) svarer ikke: {type(exc).__name__}."}
    finally:
        if result is not None:
            try:
                result.forget()
            except Exception:  # cleaning up is best effort: the result expires in Redis anyway
                logger.debug("Helsesjekk: svaret kunne ikke slettes", exc_info=True)
    if answer != nonce:
        return {"status": "feil", "detalj": "Workeren svarte med feil verdi."}
    return {"status": "ok", "sekunder": round(time.monotonic() - started, 3)}
