"""bin/backup and bin/restore refuse what they must refuse before touching anything (runs without a database):
missing settings, a non-PostgreSQL URL, an incomplete or altered backup."""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BIN = Path(settings.BASE_DIR) / "bin"
NOWHERE = "postgres://postgres@127.0.0.1:1/finnes_ikke"  # never reached: the scripts stop before connecting


def run(script: str, *args, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT")} | env
    return subprocess.run([str(BIN / script), *map(str, args)], env=environment, capture_output=True, text=True)


@pytest.mark.parametrize("script", ["backup", "restore"])
def test_the_scripts_are_strict_bash(script):
    text = (BIN / script).read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(BIN / script, os.X_OK)
    assert subprocess.run(["bash", "-n", str(BIN / script)]).returncode == 0


def test_backup_needs_postgresql_and_a_media_directory(tmp_path):
    assert "DATABASE_URL is not set" in run("backup", tmp_path, MEDIA_ROOT=str(tmp_path)).stderr
    assert "MEDIA_ROOT is not set" in run("backup", tmp_path, DATABASE_URL=NOWHERE).stderr
    sqlite = run("backup", tmp_path, DATABASE_URL="sqlite:///var/db.sqlite3", MEDIA_ROOT=str(tmp_path))
    assert sqlite.returncode != 0 and "PostgreSQL" in sqlite.stderr
    missing = run("backup", tmp_path, DATABASE_URL=NOWHERE, MEDIA_ROOT=str(tmp_path / "finnes-ikke"))
    assert missing.returncode != 0 and "is not a directory" in missing.stderr
    assert list(tmp_path.iterdir()) == []


def _fake_backup(directory: Path) -> Path:
    """The five files of a backup, with matching checksums, but no real dump."""
    directory.mkdir()
    sums = []
    for name in ("database.dump", "media.tar.gz", "media.sha256", "manifest.txt"):
        (directory / name).write_text(name)
        sums.append(f"{hashlib.sha256(name.encode()).hexdigest()}  {name}\n")
    (directory / "SHA256SUMS").write_text("".join(sums))
    return directory


def test_restore_refuses_an_incomplete_or_altered_backup(tmp_path):
    env = {"DATABASE_URL": NOWHERE, "MEDIA_ROOT": str(tmp_path / "media")}
    assert "usage" in run("restore", **env).stderr
    incomplete = tmp_path / "ufullstendig"
    incomplete.mkdir()
    assert "not a complete backup" in run("restore", incomplete, **env).stderr
    altered = _fake_backup(tmp_path / "endret")
    (altered / "database.dump").write_text("noe annet")
    result = run("restore", altered, **env)
    assert result.returncode != 0 and "checksums" in result.stderr
    not_a_dump = run("restore", _fake_backup(tmp_path / "ikke-dump"), **env)
    assert not_a_dump.returncode != 0 and "not a pg_dump archive" in not_a_dump.stderr
    assert not (tmp_path / "media").exists()
