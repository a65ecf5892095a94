"""The project stands alone: a copy of its files with no sibling folders (and no PostgreSQL, no Redis)
migrates, loads its reference data and builds the demo, as `make run` does in a fresh clone."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = {".venv", "node_modules", "var", ".git"}  # installed or generated, never in a clone
TIMEOUT = 15 * 60  # seconds per command; the demo takes a minute or two on the shared 2-core machine

pytestmark = pytest.mark.slow


def _project_files() -> list[str]:
    """The files of a clone: tracked ones plus new files not ignored by .gitignore (as they will be committed)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("trenger git og et git-arbeidstre for å vite hvilke filer som hører til prosjektet")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({name for name in listed.split("\0") if name and name.split("/", 1)[0] not in LEFT_OUT})


def _copy_project(target: Path) -> None:
    for name in _project_files():
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree but not yet in git
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)


def _bare_environment(data_dir: Path) -> dict[str, str]:
    """This process's environment without anything pointing at services or at the repository."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LAERINGSNETT_", "CELERY_", "DJANGO_", "PYTEST_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PYTHONPATH", "EMAIL_HOST"}
    }
    env["LAERINGSNETT_DATA_DIR"] = str(data_dir)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_a_bare_copy_of_the_project_migrates_loads_reference_data_and_builds_the_demo(tmp_path):
    clone = tmp_path / "laeringsnett"  # no sibling folders: the project must not read from beside itself
    _copy_project(clone)
    assert (clone / "manage.py").is_file() and (clone / "organisations" / "data" / "kommuner.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laeringsnett"]
    env = _bare_environment(tmp_path / "data")

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(clone / "manage.py"), *args],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} ga {result.returncode}:\n{result.stderr[-4000:]}"
        return result.stdout

    # the code and the settings are the copy's, and the database is in the temporary data folder
    where = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings; import organisations; "
        "print(settings.BASE_DIR); print(settings.REFERENCE_DATA_DIR); print(organisations.__file__); "
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])",
    ).splitlines()
    assert where[:3] == [
        str(clone),
        str(clone / "organisations" / "data"),
        str(clone / "organisations" / "__init__.py"),
    ]
    assert where[3] == f"django.db.backends.sqlite3 {tmp_path / 'data' / 'db.sqlite3'}"

    manage("migrate", "--noinput")
    loaded = manage("load_reference_data")
    assert "Opprettet: 357 Kommune" in loaded and "Opprettet: 10 Embete" in loaded

    demo = manage("seed_demo", "--url", "http://127.0.0.1:8123/")

    assert "Demodata er klare. Logg inn på http://127.0.0.1:8123/ med:" in demo
    assert "Passord for alle:" in demo
    assert "bufdir@demo.laeringsnett.no" in demo and "sf.vestland@demo.laeringsnett.no" in demo
    assert "leder.bergen@demo.laeringsnett.no" in demo
    assert (tmp_path / "data" / "db.sqlite3").is_file()
