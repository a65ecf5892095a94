"""Decisions, appeal outcomes, submitted application and report versions, reviews and submitted reports cannot
be changed after the fact: every column is guarded by the model (save/update/delete raise ImmutableRecordError)
and by a database trigger (a QuerySet that skips the model, and raw SQL, fail with IntegrityError). What may
still happen is exactly what the services do: the letter is attached once, a rejection gets its frame once
when an appeal is upheld with an amount, an appeal gets its outcome once, a submitted report is returned or
approved, and a returned report is edited and sent in again as a new version."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.checks import run_checks
from django.db import IntegrityError, connection, transaction

from audit import immutability
from audit.immutability import ImmutableRecordError
from followup.models import ProgressReport, ReportReview, ReportSpending, ReportStatus, ReportVersion
from followup.services import reports as report_services
from grants import appeals as grant_appeals
from grants import ledger
from grants import services as grant_services
from grants import tasks as grant_tasks
from grants.models import Appeal, ApplicationVersion, Decision
from grants.tasks_appeals import deliver_appeal_letter

from .conftest import IMMUTABLE, bypass, changed, fill, raw, refused_by_database, stored

pytestmark = pytest.mark.usefixtures("tasks", "clock")


def values(obj) -> dict:
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


def assert_every_column_refused(obj, skip=()):
    """Each column, changed alone: the model guard refuses save(), update() through the model's manager is
    refused, and the database refuses the same update sent by a plain QuerySet. Nothing changes."""
    model = type(obj)
    before = values(obj)
    accepted = []
    for field in model._meta.concrete_fields:
        if field.attname in skip:
            continue
        new = changed(field, before[field.attname])
        if not field.primary_key:  # saving under another primary key would insert a new row
            fresh = model._base_manager.get(pk=obj.pk)
            setattr(fresh, field.attname, new)
            try:
                with transaction.atomic():
                    fresh.save()
                accepted.append(f"save {field.attname}")
            except ImmutableRecordError:
                pass
        try:
            with transaction.atomic():
                model.objects.filter(pk=obj.pk).update(**{field.attname: new})
            accepted.append(f"update {field.attname}")
        except ImmutableRecordError:
            pass
        try:
            with refused_by_database():
                bypass(model).filter(pk=obj.pk).update(**{field.attname: new})
        except pytest.fail.Exception:
            accepted.append(f"database {field.attname}")
    assert accepted == []
    assert values(obj) == before


def assert_delete_refused(obj):
    model = type(obj)
    with pytest.raises(ImmutableRecordError, match=IMMUTABLE), transaction.atomic():
        obj.delete()
    with pytest.raises(ImmutableRecordError, match=IMMUTABLE), transaction.atomic():
        model.objects.filter(pk=obj.pk).delete()
    with refused_by_database():
        bypass(model).filter(pk=obj.pk)._raw_delete(connection.alias)  # the ORM's DELETE, no Python checks
    with refused_by_database():
        raw(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [obj.pk])  # noqa: S608 (model table)
    assert model._base_manager.filter(pk=obj.pk).exists()


# --- decisions -----------------------------------------------------------------------------------------------


def test_a_decision_with_its_letter_cannot_change_at_all(decision_with_letter):
    assert_every_column_refused(decision_with_letter)


def test_a_decision_cannot_be_deleted(decision_with_letter):
    assert_delete_refused(decision_with_letter)


def test_raw_sql_cannot_change_the_amount_or_outcome(decision_with_letter):
    with refused_by_database():
        raw("UPDATE grants_decision SET belop = belop + 1 WHERE id = %s", [decision_with_letter.pk])
    with refused_by_database():
        raw("UPDATE grants_decision SET utfall = 'avslatt', belop = 0, ramme_id = NULL")
    assert stored(decision_with_letter, "belop") == Decimal("350000")


def test_the_letter_is_attached_once_and_then_never_replaced(awarded):
    assert awarded.brev.name == ""
    grant_tasks.deliver_decision(awarded.pk)  # the task sets the letter: allowed once, from empty
    letter = stored(awarded, "brev")
    assert letter.startswith("vedtak/")
    grant_tasks.deliver_decision(awarded.pk)  # run again (a retry): keeps the letter
    assert stored(awarded, "brev") == letter
    with pytest.raises(ImmutableRecordError):
        Decision.objects.filter(pk=awarded.pk).update(brev="vedtak/annet.pdf")
    with refused_by_database():
        bypass(Decision).filter(pk=awarded.pk).update(brev="vedtak/annet.pdf")
    with refused_by_database():
        raw("UPDATE grants_decision SET brev = '' WHERE id = %s", [awarded.pk])
    assert stored(awarded, "brev") == letter


def test_an_upheld_appeal_on_a_rejection_sets_the_frame_once(rejected_and_upheld, frame):
    decision, appeal = rejected_and_upheld
    assert decision.ramme_id == frame.pk  # set by resolve_appeal: allowed once, from empty
    assert (decision.utfall, decision.belop) == ("avslatt", Decimal("0"))  # the decision itself is unchanged
    assert ledger.final_amount(decision) == Decimal("100000")  # the change lives on the appeal
    with refused_by_database():
        raw("UPDATE grants_decision SET ramme_id = NULL WHERE id = %s", [decision.pk])
    with pytest.raises(ImmutableRecordError):
        Decision.objects.filter(pk=decision.pk).update(ramme=None)
    assert stored(decision, "ramme_id") == frame.pk


def test_backdating_moves_only_timestamps_and_only_inside_the_block(awarded):
    day = datetime.datetime(2025, 5, 20, 10, 0, tzinfo=datetime.UTC)
    with immutability.backdating():
        Decision.objects.filter(pk=awarded.pk).update(vedtatt=day, klagefrist=datetime.date(2025, 6, 10))
        raw("UPDATE grants_decision SET klagefrist = %s WHERE id = %s", [datetime.date(2025, 6, 11), awarded.pk])
        with pytest.raises(ImmutableRecordError):
            Decision.objects.filter(pk=awarded.pk).update(belop=Decimal("1"))
        with refused_by_database():
            raw("UPDATE grants_decision SET belop = 1 WHERE id = %s", [awarded.pk])
    assert stored(awarded, "vedtatt") == day
    assert stored(awarded, "klagefrist") == datetime.date(2025, 6, 11)
    assert raw("SELECT 1 FROM integrity_override") in (0, -1)  # the permission is gone with the block
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM integrity_override")
        assert cursor.fetchone()[0] == 0
    with refused_by_database():
        raw("UPDATE grants_decision SET klagefrist = %s WHERE id = %s", [datetime.date(2025, 6, 12), awarded.pk])
    with pytest.raises(ImmutableRecordError):
        Decision.objects.filter(pk=awarded.pk).update(vedtatt=day + datetime.timedelta(days=1))


def test_a_failed_backdating_block_leaves_no_permission_behind(awarded):
    with pytest.raises(RuntimeError), immutability.backdating():
        raise RuntimeError("feil")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM integrity_override")
        assert cursor.fetchone()[0] == 0


# --- appeals ---------------------------------------------------------------------------------------------------


def test_an_open_appeal_as_filed_cannot_change(awarded, leader):
    appeal = grant_services.file_appeal(leader, awarded, "Vi trenger hele beløpet.")
    with refused_by_database():
        raw("UPDATE grants_appeal SET begrunnelse = 'Noe annet' WHERE id = %s", [appeal.pk])
    with pytest.raises(ImmutableRecordError):
        Appeal.objects.filter(pk=appeal.pk).update(innsendt_av=None)
    assert stored(appeal, "begrunnelse") == "Vi trenger hele beløpet."


def test_a_resolved_appeal_cannot_change_or_be_deleted(awarded, leader, sf, bufdir):
    """Forwarded to Bufdir, decided there, both letters attached (each set once): nothing more may change."""
    appeal = grant_services.file_appeal(leader, awarded, "Vi trenger hele beløpet.")
    appeal = grant_services.resolve_appeal(sf, appeal, utfall="ikke_medhold", begrunnelse="Rammen er brukt.")
    grant_appeals.decide_forwarded_appeal(bufdir, appeal, utfall="stadfestet", begrunnelse="Riktig vurdert.")
    deliver_appeal_letter(appeal.pk, "statsforvalter")
    deliver_appeal_letter(appeal.pk, "bufdir")
    appeal.refresh_from_db()
    assert appeal.brev and appeal.bufdir_brev
    # bufdir_belop is empty on a confirmed appeal; the constraint appeal_bufdir_amount_only_when_changed refuses it.
    assert_every_column_refused(appeal, skip=("bufdir_belop",))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(bufdir_belop=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        bypass(Appeal).filter(pk=appeal.pk).update(bufdir_belop=Decimal("1"))
    assert stored(appeal, "bufdir_belop") is None
    assert_delete_refused(appeal)


# --- submitted application versions ----------------------------------------------------------------------------


def test_a_submitted_application_version_cannot_change_or_be_deleted(awarded):
    version = ApplicationVersion.objects.get(soknad=awarded.soknad)
    assert_every_column_refused(version)
    assert_delete_refused(version)


# --- reports -----------------------------------------------------------------------------------------------------


def test_a_submitted_report_cannot_be_edited(submitted_report):
    """Everything but the review's status change, the approval time (set once) and `endret` is frozen."""
    assert_every_column_refused(submitted_report, skip=("status", "godkjent", "endret"))
    with refused_by_database():
        raw("UPDATE projects_progressreport SET status = 'utkast' WHERE id = %s", [submitted_report.pk])
    assert_delete_refused(submitted_report)


def test_the_spending_of_a_submitted_report_cannot_change(submitted_report, draft_report):
    line = ReportSpending.objects.filter(rapport=submitted_report).exclude(brukt=0).first()
    with refused_by_database():
        raw("UPDATE projects_reportspending SET brukt = 0 WHERE id = %s", [line.pk])
    with refused_by_database():
        raw("DELETE FROM projects_reportspending WHERE rapport_id = %s", [submitted_report.pk])
    with refused_by_database():
        raw("UPDATE projects_reportparticipant SET antall_ansatte = 99 WHERE rapport_id = %s", [submitted_report.pk])
    with refused_by_database():
        raw("UPDATE projects_selfassessment SET svar = 'stor' WHERE rapport_id = %s", [submitted_report.pk])
    assert ReportSpending.objects.get(pk=line.pk).brukt == line.brukt


def test_a_returned_report_is_edited_and_sent_in_as_a_new_version(leader, sf, submitted_report):
    first = ReportVersion.objects.get(rapport=submitted_report, versjon=1)
    content = dict(first.innhold)
    returned = report_services.review(sf, submitted_report, utfall="returnert", kommentar="Utdyp resultatene.")
    assert returned.status == ReportStatus.RETURNERT
    fill(leader, returned, resultater="Rutinen er tatt i bruk i begge tjenestene og evaluert.", stilling="210000")
    again = report_services.submit(leader, returned)
    assert again.versjon == 2
    versions = list(ReportVersion.objects.filter(rapport=submitted_report).order_by("versjon"))
    assert [v.versjon for v in versions] == [1, 2]
    assert versions[0].innhold == content  # the first submission is kept exactly as it was
    assert versions[1].innhold["resultater"] == "Rutinen er tatt i bruk i begge tjenestene og evaluert."
    assert_every_column_refused(versions[0])
    assert_delete_refused(versions[0])
    review = ReportReview.objects.get(rapport=submitted_report, versjon=1)
    assert_every_column_refused(review)
    assert_delete_refused(review)


def test_an_approved_report_is_final(sf, submitted_report):
    approved = report_services.review(sf, submitted_report, utfall="godkjent")
    assert approved.status == ReportStatus.GODKJENT
    assert_every_column_refused(approved, skip=("endret",))
    with pytest.raises(ImmutableRecordError):
        ProgressReport.objects.filter(pk=approved.pk).update(status=ReportStatus.RETURNERT)
    with refused_by_database():
        raw("UPDATE projects_progressreport SET status = 'returnert' WHERE id = %s", [approved.pk])
    assert stored(approved, "status") == ReportStatus.GODKJENT


def test_a_draft_report_stays_editable(leader, draft_report):
    report = fill(leader, draft_report, aktiviteter="Første utkast.")
    report = fill(leader, report, aktiviteter="Andre utkast.")
    assert stored(report, "aktiviteter") == "Andre utkast."
    ReportSpending.objects.filter(rapport=report).update(kommentar="endret i utkast")


# --- the triggers are complete and present ---------------------------------------------------------------------


def _definition(guard) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_functiondef(%s::regproc)", [f"integrity_guard_{guard.table}"])
            return cursor.fetchone()[0]
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [f"integrity_guard_{guard.table}_update"])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_every_column_of_every_guarded_table_is_in_its_trigger():
    """A column added later without re-installing the guard would be unprotected: this fails until it is."""
    missing = []
    for _model, guard, _migration in immutability.guarded():
        definition = _definition(guard)
        for column in guard.columns:
            if column not in guard.free and f'OLD."{column}"' not in definition:
                missing.append(f"{guard.table}.{column}")
    assert missing == []


@pytest.mark.django_db
def test_a_missing_trigger_is_reported_and_put_back():
    guard = next(g for _m, g, _mig in immutability.guarded() if g.table == "grants_decision")
    immutability.uninstall(SimpleNamespace(connection=connection), [guard])  # as a table rebuild on SQLite does
    assert [g.table for g in immutability.missing_guards(connection)] == ["grants_decision"]
    assert [e.id for e in run_checks(databases=["default"]) if e.id == "audit.E001"] == ["audit.E001"]
    immutability.ensure_installed()
    assert immutability.missing_guards(connection) == []
