"""A real round trip: a task sent to Redis is picked up by a separately started worker and answered.

The test process itself runs tasks eagerly (see config/settings.py), so this test builds its own
Celery client for the same broker and result backend as the worker instead of using Django's settings.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from tests.conftest import ON_CI

pytestmark = pytest.mark.celery_worker

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
WORKER_REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/2"
ROUND_TRIP_TIMEOUT = 90


def _redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _require_redis(reachable: bool, on_ci: bool) -> None:
    """Skip on a developer machine without Redis; on CI a missing Redis is a failure, never a skip."""
    if reachable:
        return
    if on_ci:
        pytest.fail(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}; CI must provide it.")
    pytest.skip(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT} (not on CI)")


@pytest.fixture
def redis_available():
    _require_redis(_redis_reachable(), ON_CI)


def _celery_executable() -> str:
    beside_python = Path(sys.executable).parent / "celery"
    return str(beside_python if beside_python.exists() else BASE_DIR / ".venv" / "bin" / "celery")


def _worker_env() -> dict:
    env = dict(os.environ)
    # Broker, result backend and cache all come from REDIS_URL; nothing may override it.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DATABASE_URL"):
        env.pop(name, None)
    env.update(
        {
            "REDIS_URL": WORKER_REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _client_app() -> Celery:
    app = Celery("laeringsnett-test-client", broker=WORKER_REDIS_URL, backend=WORKER_REDIS_URL, set_as_current=False)
    app.conf.update(task_always_eager=False, broker_connection_retry_on_startup=True, result_expires=300)
    return app


def test_ping_round_trip_through_a_real_worker(redis_available, tmp_path):
    queue = f"test-ping-{uuid.uuid4().hex}"
    payload = f"pong-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    app = _client_app()
    result = None
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                _celery_executable(),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=_worker_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            result = app.send_task("laeringsnett.ping", args=[payload], queue=queue)
            deadline = time.monotonic() + ROUND_TRIP_TIMEOUT
            while not result.ready():
                if worker.poll() is not None:
                    pytest.fail(f"worker exited with {worker.returncode}:\n{log_path.read_text(errors='replace')}")
                if time.monotonic() > deadline:
                    pytest.fail(f"no answer within {ROUND_TRIP_TIMEOUT}s:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.2)
            assert result.get(timeout=5) == payload
            assert result.successful()
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)
            if result is not None:
                result.forget()
            with app.connection_for_write() as conn:
                conn.default_channel.client.delete(queue)
            app.close()

    worker_log = log_path.read_text(errors="replace")
    # The answer came from the worker process, which ran the task by its registered name.
    assert f"laeringsnett.ping[{result.id}]" in worker_log
    assert "succeeded" in worker_log


def test_worker_app_uses_redis_from_environment():
    """The Django-configured app reads the broker from REDIS_URL, so workers follow the environment."""
    env = _worker_env()
    code = (
        "from config.celery import app; "
        "print(app.conf.broker_url); print(app.conf.result_backend); print(app.conf.task_always_eager)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    broker, backend, eager = out.stdout.split()
    assert broker == WORKER_REDIS_URL
    assert backend == WORKER_REDIS_URL
    assert eager == "False"


def test_missing_redis_fails_on_ci_and_skips_elsewhere():
    with pytest.raises(pytest.fail.Exception, match="CI must provide it"):
        _require_redis(reachable=False, on_ci=True)
    with pytest.raises(pytest.skip.Exception):
        _require_redis(reachable=False, on_ci=False)
    _require_redis(reachable=True, on_ci=True)
    _require_redis(reachable=True, on_ci=False)
