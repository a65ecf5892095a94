"""bin/smoke against a live server: a real gunicorn on a free port in 8200–8209 and a real Celery worker on Redis
db 9, as an operator runs it after a deployment (docs/deploy.md). Success exits 0; a wrong URL, a wrong token, a
stopped worker or a server that does not answer exits non-zero with a Norwegian message.

The server runs in embedded mode (static files from the source folders through WhiteNoise's finders), so the test
needs no collectstatic into the repository; the production layout is checked by hand (docs/deploy.md). It needs
PostgreSQL (the server process reads the test database) and Redis; on CI both are required."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import ON_CI

BASE_DIR = Path(settings.BASE_DIR)
SMOKE = BASE_DIR / "bin" / "smoke"
REDIS_URL = "redis://127.0.0.1:6379/9"
TOKEN = uuid.uuid4().hex
START_TIMEOUT = 60

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        connection.vendor != "postgresql" and not ON_CI,
        reason="the server process needs the test database on PostgreSQL (DATABASE_URL=postgres://…)",
    ),
]


def _executable(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside if beside.exists() else BASE_DIR / ".venv" / "bin" / name)


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    for port in range(8200, 8210):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8200–8209")


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER'] or 'postgres'}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "EMAIL_HOST")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LAERINGSNETT_ENV": "embedded",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "HEALTHZ_TOKEN": TOKEN,
            "HEALTHZ_CELERY_TIMEOUT": "3",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def smoke(*args, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "HEALTHZ_TOKEN"} | env
    return subprocess.run(
        [str(SMOKE), *args], env=environment, capture_output=True, text=True, timeout=120, cwd=BASE_DIR
    )


@pytest.fixture
def redis_db9():
    if not _redis_reachable():
        if ON_CI:
            pytest.fail("Redis is not reachable at 127.0.0.1:6379; CI must provide it.")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield
    client.flushdb()


@pytest.fixture
def worker(redis_db9, transactional_db, tmp_path):
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            _executable("celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"smoke-{uuid.uuid4().hex[:8]}@%h",
            "--loglevel=INFO",
        ],
        cwd=BASE_DIR,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while b"ready." not in (tmp_path / "worker.log").read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"the worker did not start:\n{(tmp_path / 'worker.log').read_text(errors='replace')}")
        time.sleep(0.2)
    yield process
    _stop(process)
    log.close()


@pytest.fixture
def server(worker, tmp_path):
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            _executable("gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=BASE_DIR,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    break
        except (URLError, OSError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"gunicorn did not start:\n{(tmp_path / 'gunicorn.log').read_text(errors='replace')}")
        time.sleep(0.3)
    yield url
    _stop(process)
    log.close()


def test_smoke_passes_against_a_live_server_with_a_worker_and_fails_clearly_otherwise(server, worker):
    passed = smoke(server, HEALTHZ_TOKEN=TOKEN)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "/healthz?deep=1: en oppgave gikk gjennom køen til en worker og tilbake" in passed.stdout
    assert "/konto/login/: innloggingsskjemaet vises" in passed.stdout
    assert "stilark svarer med text/css" in passed.stdout
    assert "Røyktesten av" in passed.stdout and "er bestått" in passed.stdout

    broken_url = smoke(f"{server}/finnes-ikke", HEALTHZ_TOKEN=TOKEN)
    assert broken_url.returncode != 0
    assert "FEIL: /healthz svarte 404" in broken_url.stderr

    wrong_token = smoke(server, HEALTHZ_TOKEN="feil")
    assert wrong_token.returncode != 0
    assert "nektet" in wrong_token.stderr

    no_token = smoke(server)
    assert no_token.returncode != 0
    assert "HEALTHZ_TOKEN er ikke satt" in no_token.stderr
    skipped = smoke("--uten-ko", server)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "HOPPET OVER" in skipped.stdout

    _stop(worker)  # the queue is up, but nobody answers
    no_worker = smoke(server, HEALTHZ_TOKEN=TOKEN)
    assert no_worker.returncode != 0
    assert "FEIL: /healthz?deep=1 svarte 503" in no_worker.stderr
    assert "Ingen worker svarte" in no_worker.stderr


def test_smoke_fails_when_nothing_answers():
    port = _free_port()
    result = smoke("--uten-ko", f"http://127.0.0.1:{port}")
    assert result.returncode == 1
    assert f"FEIL: fikk ikke svar fra http://127.0.0.1:{port}/healthz" in result.stderr


def test_smoke_refuses_a_missing_or_odd_url():
    assert smoke().returncode == 2
    odd = smoke("laeringsnett.example.no")
    assert odd.returncode == 2 and "http:// eller https://" in odd.stderr


def test_smoke_is_strict_bash_and_needs_only_curl():
    text = SMOKE.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert os.access(SMOKE, os.X_OK)
    assert subprocess.run(["bash", "-n", str(SMOKE)]).returncode == 0
    assert shutil.which("curl"), "bin/smoke needs curl"
