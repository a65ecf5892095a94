"""Backup and restore on PostgreSQL: bin/backup dumps the database (pg_dump -Fc) and packs MEDIA_ROOT; bin/restore
puts both into a *fresh* database and an empty directory. The test makes applications (with attachments),
decisions (with their PDF letters) and an appeal through the services, commits them, backs up, restores, and
then reads the restored database directly: every application, decision and attachment is there with the same
ids and values, every file is there with the same bytes, and the immutability triggers came along. Restoring
again into the now non-empty database is refused and changes nothing.

PostgreSQL only (CI runs it on PostgreSQL): the scripts back up PostgreSQL, and SQLite's database is one file.
Run locally with
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lnett_<you> .venv/bin/pytest tests/integrity/test_backup_restore.py
"""

import hashlib
import importlib
import io
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from grants import services
from grants import tasks as grant_tasks
from grants.models import Application, Attachment, Decision

from .conftest import make_assessed, make_draft, set_frame

BIN = Path(settings.BASE_DIR) / "bin"
DATA_MIGRATIONS = ["networks.migrations.0002_seed_guidelines_and_themes", "grants.migrations.0002_seed_scheme"]

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="backup/restore is for PostgreSQL (pg_dump/pg_restore); set DATABASE_URL=postgres://… to run",
    ),
    pytest.mark.usefixtures("tasks", "clock", "migration_data"),
]


@pytest.fixture
def migration_data(transactional_db):
    """A transactional test's database is flushed afterwards, rows from data migrations too: seed them again."""
    from django.apps import apps

    for module in DATA_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)


def pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def url(name: str) -> str:
    s = connection.settings_dict
    user = quote(s["USER"] or "postgres")
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def run(script: str, *args, database: str, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url(database), "MEDIA_ROOT": str(media)}
    return subprocess.run([str(BIN / script), *map(str, args)], env=env, capture_output=True, text=True, timeout=300)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(database: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url(database), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    yield name
    drop_database(name)


@pytest.fixture
def data(sf, leader, bufdir, vestland, rnd, network, bergen, voss):
    """Three applications with attachments: one granted, one rejected and appealed (both decisions with their
    letters), one still a draft. Returns {attachment id: the bytes uploaded}."""
    set_frame(bufdir, vestland, "1000000")
    uploaded = {}
    applications = []
    for n, navn in enumerate(["Fosterhjem i fellesskap", "Trygg overgang", "Nye veiledere"]):
        draft = make_draft(leader, rnd, network, navn=navn, tjenester=[bergen, voss])
        for title in ("Prosjektplan", "Budsjett"):
            content = pdf(f"{title} for {navn}")
            attachment = services.add_attachment(
                leader, draft, tittel=title, fil=SimpleUploadedFile(f"{title} {n}.pdf", content, "application/pdf")
            )
            uploaded[attachment.pk] = content
        applications.append(draft)
    granted = make_assessed(sf, services.submit(leader, applications[0]))
    rejected = make_assessed(sf, services.submit(leader, applications[1]))
    decisions = [
        services.decide(sf, granted, utfall="innvilget", belop=granted.soknadsbelop, begrunnelse="Godt forankret."),
        services.decide(sf, rejected, utfall="avslatt", begrunnelse="Planen er for svak."),
    ]
    services.file_appeal(leader, decisions[1], "Planen er god nok.")
    for decision in decisions:
        grant_tasks.deliver_decision(decision.pk)  # makes and stores the letter PDF
    return uploaded


def test_backup_and_restore_into_a_fresh_database_finds_everything(data, tmp_path, restored_name):
    media = Path(settings.MEDIA_ROOT)
    live = connection.settings_dict["NAME"]
    applications = sorted(Application.objects.values_list("id", "referanse", "status", "soknadsbelop"))
    decisions = sorted(Decision.objects.values_list("id", "soknad_id", "utfall", "belop", "brev"))
    attachments = sorted(Attachment.objects.values_list("id", "soknad_id", "fil", "storrelse"))
    assert (len(applications), len(decisions), len(attachments)) == (3, 2, 6)
    assert all(brev for *_rest, brev in decisions)
    files = {name: sha256(media / name) for *_rest, name, _size in attachments} | {
        brev: sha256(media / brev) for *_rest, brev in decisions
    }
    for pk, content in data.items():  # what is stored is what was uploaded
        assert sha256(media / Attachment.objects.get(pk=pk).fil.name) == hashlib.sha256(content).hexdigest()

    backup = run("backup", tmp_path / "backups", database=live, media=media)
    assert backup.returncode == 0, backup.stderr
    directory = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in directory.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "manifest.txt",
        "media.sha256",
        "media.tar.gz",
    ]

    target = tmp_path / "restored-media"
    restore = run("restore", directory, database=restored_name, media=target)
    assert restore.returncode == 0, restore.stderr

    def rows(sql):
        return sorted(tuple(r) for r in query(restored_name, sql))

    assert rows("SELECT id, referanse, status, soknadsbelop FROM grants_application") == applications
    assert rows("SELECT id, soknad_id, utfall, belop, brev FROM grants_decision") == decisions
    assert rows("SELECT id, soknad_id, fil, storrelse FROM grants_attachment") == attachments
    assert rows("SELECT count(*) FROM grants_appeal") == [(1,)]
    assert {name: sha256(target / name) for name in files} == files
    triggers = {t for (t,) in query(restored_name, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    assert {"integrity_guard_audit_auditevent", "integrity_guard_grants_decision"} <= triggers

    again = run("restore", directory, database=restored_name, media=tmp_path / "other-media")
    assert again.returncode != 0
    assert "is not empty" in again.stderr
    assert not (tmp_path / "other-media").exists()
    assert rows("SELECT count(*) FROM grants_application") == [(3,)]
