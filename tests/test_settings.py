"""Production settings pass Django's deployment checks, and refuse to start without a SECRET_KEY."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables from the developer's or CI's shell that would change what is being checked.
CLEARED = (
    "DATABASE_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "LAERINGSNETT_ENV",
    "LAERINGSNETT_REQUIRE_MFA",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "CSRF_TRUSTED_ORIGINS",
    "EMAIL_HOST",
    "DJANGO_SETTINGS_MODULE",
    "LAERINGSNETT_RUN_HOST",
    "SITE_URL",
)


def manage(*args: str, tmp_path: Path, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["LAERINGSNETT_DATA_DIR"] = str(tmp_path)  # never touch the real var/ folder
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        LAERINGSNETT_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.no",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_are_strict(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.ALLOWED_HOSTS == ['example.no'], s.LAERINGSNETT_REQUIRE_MFA)"
    )
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        LAERINGSNETT_DATA_DIR=str(tmp_path),
        LAERINGSNETT_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.no",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True", "True"]


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = manage("check", tmp_path=tmp_path, LAERINGSNETT_ENV="production", ALLOWED_HOSTS="example.no")
    assert result.returncode != 0
    assert "SECRET_KEY må settes i produksjon" in result.stderr
    # It must not quietly make one up instead.
    assert not (tmp_path / "secret_key").exists()


def test_production_with_empty_secret_key_refuses_to_start(tmp_path):
    result = manage(
        "check", tmp_path=tmp_path, LAERINGSNETT_ENV="production", ALLOWED_HOSTS="example.no", SECRET_KEY=""
    )
    assert result.returncode != 0
    assert "SECRET_KEY må settes i produksjon" in result.stderr


def test_unknown_environment_name_is_refused(tmp_path):
    result = manage("check", tmp_path=tmp_path, LAERINGSNETT_ENV="prod")
    assert result.returncode != 0
    assert "LAERINGSNETT_ENV må være «embedded» eller «production»" in result.stderr


def test_bad_planner_cost_is_refused_in_norwegian(tmp_path):
    result = manage(
        "check", tmp_path=tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", PG_RANDOM_PAGE_COST="rask"
    )
    assert result.returncode != 0
    assert "PG_RANDOM_PAGE_COST må være et tall, for eksempel 1.1 (eller tom), ikke «rask»." in result.stderr


@pytest.mark.parametrize("weak_key", ["kort", "django-insecure-" + "a" * 60])
def test_check_deploy_rejects_a_weak_secret_key(tmp_path, weak_key):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        LAERINGSNETT_ENV="production",
        SECRET_KEY=weak_key,
        ALLOWED_HOSTS="example.no",
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_embedded_mode_starts_without_any_environment(tmp_path):
    result = manage("check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert len(key_file.read_text().strip()) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


# --- make run HOST=0.0.0.0: the server answers other machines (LAERINGSNETT_RUN_HOST, config/hosts.py) ----------

HOST_CHECK = """
import sys, django
django.setup()
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
for host in sys.argv[1:]:
    request = HttpRequest()
    request.META = {"HTTP_HOST": host, "SERVER_NAME": "x", "SERVER_PORT": "80"}
    try:
        request.get_host()
        print(host, "ok")
    except DisallowedHost:
        print(host, "refused")
"""


def host_answers(tmp_path: Path, hosts: list[str], **env_vars: str) -> dict[str, str]:
    """What the settings made from env_vars say to a request for each Host header: ok or refused (Bad Request)."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(LAERINGSNETT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings", **env_vars)
    result = subprocess.run(
        [sys.executable, "-c", HOST_CHECK, *hosts], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split() for line in result.stdout.splitlines())


def machine_address() -> str:
    """The address `make run HOST=0.0.0.0` prints and a colleague types: the machine's first IPv4 address (as the
    Makefile finds it), else its host name."""
    import shutil

    if shutil.which("hostname"):
        found = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
        ipv4 = [a for a in found if ":" not in a]
        if ipv4:
            return ipv4[0]
    import socket

    return socket.gethostname()


def test_embedded_run_on_all_interfaces_answers_the_machines_own_address_but_not_any_host(tmp_path):
    import socket

    address, name = machine_address(), socket.gethostname()
    hosts = [f"{address}:8080", f"{name}:8080", "127.0.0.1:8080", "angriper.example:8080"]
    answers = host_answers(tmp_path, hosts, LAERINGSNETT_RUN_HOST="0.0.0.0")  # noqa: S104  # nosec B104
    assert answers == {
        f"{address}:8080": "ok",
        f"{name}:8080": "ok",
        "127.0.0.1:8080": "ok",
        "angriper.example:8080": "refused",  # never '*': see config/hosts.py
    }


def test_embedded_without_run_host_keeps_to_loopback(tmp_path):
    answers = host_answers(tmp_path, ["192.0.2.10:8080", "127.0.0.1:8000", "localhost:8000"])
    assert answers == {"192.0.2.10:8080": "refused", "127.0.0.1:8000": "ok", "localhost:8000": "ok"}


def test_embedded_run_on_one_address_answers_that_address(tmp_path):
    answers = host_answers(tmp_path, ["192.0.2.10:8080", "192.0.2.11:8080"], LAERINGSNETT_RUN_HOST="192.0.2.10")
    assert answers == {"192.0.2.10:8080": "ok", "192.0.2.11:8080": "refused"}


def test_production_ignores_run_host_and_still_requires_allowed_hosts(tmp_path):
    result = manage(
        "check",
        tmp_path=tmp_path,
        LAERINGSNETT_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        LAERINGSNETT_RUN_HOST="0.0.0.0",  # noqa: S104  # nosec B104
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS må settes i produksjon" in result.stderr
    answers = host_answers(
        tmp_path,
        [f"{machine_address()}:443", "example.no"],
        LAERINGSNETT_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.no",
        LAERINGSNETT_RUN_HOST="0.0.0.0",  # noqa: S104  # nosec B104
    )
    assert answers == {f"{machine_address()}:443": "refused", "example.no": "ok"}


def test_make_run_passes_the_host_to_the_server_and_the_address_to_seed_and_e_mails():
    """`make run HOST=0.0.0.0`: runserver listens there and is told so (LAERINGSNETT_RUN_HOST); the logins and
    e-mailed links (SITE_URL) use the machine's address, which the settings above allow."""
    import shutil

    if not shutil.which("make"):
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    result = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8080"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    url = f"http://{machine_address()}:8080"
    commands = result.stdout.replace("\\\n", " ")
    assert f"SITE_URL={url} .venv/bin/python manage.py seed_demo --url {url}/" in commands
    runserver = next(line for line in commands.splitlines() if "runserver" in line)
    assert "LAERINGSNETT_RUN_HOST=0.0.0.0" in runserver and f"SITE_URL={url}" in runserver
    assert runserver.split()[-2:] == ["runserver", "0.0.0.0:8080"]


def test_run_hosts_are_in_the_form_the_host_header_carries():
    from config.hosts import as_host, run_hosts

    assert as_host("fe80::1%eth0") == "[fe80::1]" and as_host("192.0.2.10") == "192.0.2.10"
    assert as_host("Laptop.Example") == "laptop.example"
    assert run_hosts("") == [] and run_hosts("[::1]") == ["[::1]"]
    everywhere = run_hosts("::")
    assert everywhere == run_hosts("0.0.0.0")  # noqa: S104  # nosec B104
    assert "*" not in everywhere and "0.0.0.0" not in everywhere  # noqa: S104  # nosec B104
    assert all(h.startswith("[") for h in everywhere if ":" in h)  # IPv6 in brackets, as Django compares them
