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
