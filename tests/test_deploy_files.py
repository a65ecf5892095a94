"""The files in deploy/ and docs/deploy.md agree with each other and with the settings, and work as written: the
env file sources under /bin/sh with every value intact, the systemd units pass `systemd-analyze verify`, nginx
proxies to where gunicorn listens and never serves uploads."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"
DOC = (BASE_DIR / "docs" / "deploy.md").read_text()
UNITS = ["laeringsnett-web.service", "laeringsnett-worker.service", "laeringsnett-beat.service"]
ENV_LINE = re.compile(r"^(?P<name>[A-Z_][A-Z0-9_]*)=(?P<value>'[^']*'|[^'\"\s<>&;|$`\\()#*?]*)$")


def _env_example() -> dict[str, str]:
    text = (DEPLOY / "env.example").read_text()
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = ENV_LINE.match(line)
        assert match, f"not safe for both systemd and /bin/sh: {line!r}"
        values[match["name"]] = match["value"].strip("'")
    return values


def test_env_example_sources_under_sh_with_every_value_intact():
    expected = _env_example()
    assert expected["DEFAULT_FROM_EMAIL"] == "Læringsnett <ikke-svar@laeringsnett.example.no>"
    script = 'set -a; . "$1"; set +a; env'
    result = subprocess.run(
        ["/bin/sh", "-c", script, "sh", str(DEPLOY / "env.example")], capture_output=True, text=True, env={}
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    sourced = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    for name, value in expected.items():
        assert sourced.get(name) == value, name


def test_env_example_has_what_production_requires():
    values = _env_example()
    for name in ("LAERINGSNETT_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "HEALTHZ_TOKEN"):
        assert values.get(name), name
    assert values["LAERINGSNETT_ENV"] == "production"
    assert values["LAERINGSNETT_DATA_DIR"] == "/srv/laeringsnett/data"
    assert "LAERINGSNETT_SHARED_DATA" not in values


@pytest.mark.parametrize("unit", UNITS)
def test_units_use_the_paths_of_the_guide(unit):
    text = (DEPLOY / unit).read_text()
    assert "User=laeringsnett" in text
    assert "WorkingDirectory=/srv/laeringsnett/app" in text
    assert "EnvironmentFile=/etc/laeringsnett/env" in text
    assert "ReadWritePaths=/srv/laeringsnett/data" in text
    assert f"`{unit}`" in DOC or unit in DOC


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_units_pass_systemd_analyze_verify(tmp_path):
    """The executables are pointed at this checkout's venv so verify can check them; the rest is unchanged."""
    venv = Path(shutil.which("gunicorn", path=str(BASE_DIR / ".venv" / "bin")) or "").parent
    if not (venv / "celery").exists():
        pytest.skip("no .venv with gunicorn and celery")
    for unit in UNITS:
        text = (DEPLOY / unit).read_text().replace("/srv/laeringsnett/app/.venv/bin", str(venv))
        (tmp_path / unit).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit) for unit in UNITS)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Unknown" not in result.stderr and "Invalid" not in result.stderr, result.stderr


def test_nginx_agrees_with_gunicorn_and_the_settings():
    nginx = (DEPLOY / "nginx-laeringsnett.conf").read_text()
    web = (DEPLOY / "laeringsnett-web.service").read_text()
    bind = re.search(r"--bind (\S+)", web).group(1)
    assert f"proxy_pass http://{bind};" in nginx
    assert bind.startswith("127.0.0.1:")
    # Django's SECURE_PROXY_SSL_HEADER: nginx sets the header itself, from its own scheme.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert "proxy_set_header Host $host;" in nginx
    # Large enough for the biggest upload (the allocation import), with room for the form.
    from reporting.views_allocations import MAX_BYTES

    body = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1)) * 1024 * 1024
    assert body > max(MAX_BYTES, settings.UPLOAD_MAX_BYTES)
    # Uploads are never served by nginx.
    assert str(settings.MEDIA_URL) not in nginx
    assert "/srv/laeringsnett/data" not in re.sub(r"#.*", "", nginx)
    assert "alias /srv/laeringsnett/app/staticfiles/;" in nginx


def test_the_guide_installs_what_ci_tested_and_copies_no_reference_data():
    assert "pip install -c constraints.txt ." in DOC
    assert "pip install -e" not in DOC
    assert "shared/data" not in DOC
    assert "load_reference_data" in DOC and "--data-dir" not in DOC.replace("trenger ingen `--data-dir`", "")
    for name in ("env.example", "laeringsnett-manage", "nginx-laeringsnett.conf", "bin/smoke", *UNITS):
        assert name in DOC, name
    assert "createsuperuser" in DOC and "bekreftet" in DOC  # the verified address of the first superuser
