"""The audit trail cannot be edited or deleted: not through the model, not through a QuerySet that skips the
model, not with raw SQL, not in the admin (not even by a superuser). A user who has acted cannot be deleted."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from audit import events, immutability
from audit import services as audit
from audit.models import AuditEvent
from tests import factories

from .conftest import IMMUTABLE, bypass, changed, raw, refused_by_database

COLUMNS = [f for f in AuditEvent._meta.concrete_fields]


@pytest.fixture(autouse=True)
def _test_event_types(monkeypatch):
    """The event types these tests record (record() refuses an unregistered code in the tests)."""
    for code in ("test.handling", "test.igjen", "test.flush"):
        monkeypatch.setitem(events._REGISTRY, code, events.EventType(code, "Testhendelse"))


@pytest.fixture
def actor(reference_data):
    return factories.UserFactory(email="aktor@example.no")


@pytest.fixture
def event(actor):
    return audit.record(actor, "test.handling", actor, {"felt": ["gammel", "ny"]})


def snapshot(event) -> dict:
    return AuditEvent.objects.filter(pk=event.pk).values().get()


def test_recording_still_works_and_appends(event, actor):
    second = audit.record(actor, "test.igjen", None, {})
    assert list(AuditEvent.objects.order_by("id").values_list("handling", flat=True)) == [
        "test.handling",
        "test.igjen",
    ]
    assert second.pk > event.pk


@pytest.mark.parametrize("field", [f for f in COLUMNS if not f.primary_key], ids=lambda f: f.attname)
def test_model_save_of_a_changed_event_is_refused(event, field):
    """(Saving with another primary key would insert a new row: appending is what the trail is for.)"""
    before = snapshot(event)
    setattr(event, field.attname, changed(field, getattr(event, field.attname)))
    with pytest.raises(immutability.ImmutableRecordError, match=IMMUTABLE), transaction.atomic():
        event.save()
    assert snapshot(event) == before


@pytest.mark.parametrize("field", COLUMNS, ids=lambda f: f.attname)
def test_database_refuses_an_update_of_any_column(event, field):
    before = snapshot(event)
    with refused_by_database():
        bypass(AuditEvent).filter(pk=event.pk).update(**{field.attname: changed(field, before[field.attname])})
    assert snapshot(event) == before


def test_model_and_queryset_delete_and_update_are_refused(event):
    with pytest.raises(immutability.ImmutableRecordError):
        event.delete()
    with pytest.raises(immutability.ImmutableRecordError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(immutability.ImmutableRecordError):
        AuditEvent.objects.filter(pk=event.pk).update(handling="skjult")
    assert AuditEvent.objects.filter(pk=event.pk, handling="test.handling").exists()


def test_database_refuses_delete_through_the_orm_and_raw_sql(event):
    with refused_by_database():
        bypass(AuditEvent).filter(pk=event.pk).delete()
    with refused_by_database():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with refused_by_database():
        raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_database_refuses_raw_sql_updates(event):
    before = snapshot(event)
    with refused_by_database():
        raw("UPDATE audit_auditevent SET handling = 'skjult' WHERE id = %s", [event.pk])
    with refused_by_database():
        raw("UPDATE audit_auditevent SET aktor_id = NULL")
    assert snapshot(event) == before


def test_a_user_who_has_acted_cannot_be_deleted(event, actor):
    """Users leave by anonymisation, never deletion: the trail keeps pointing at the (anonymised) user."""
    with pytest.raises(ProtectedError), transaction.atomic():
        actor.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        raw(f"DELETE FROM {type(actor)._meta.db_table} WHERE id = %s", [actor.pk])  # noqa: S608 (model table)
        connection.check_constraints(table_names=["audit_auditevent"])  # foreign keys are checked deferred
    assert AuditEvent.objects.get(pk=event.pk).aktor_id == actor.pk


def test_the_admin_is_read_only_even_for_a_superuser(client, rf, event, reference_data, no_mfa):
    superuser = factories.UserFactory(email="drift@example.no", is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[AuditEvent]
    request = rf.get("/admin/audit/auditevent/")
    request.user = superuser
    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert "delete_selected" not in model_admin.get_actions(request)

    client.force_login(superuser)
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(change_url).status_code == 200  # view only
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(change_url, {"handling": "skjult"}).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=event.pk).handling == "test.handling"


@pytest.mark.django_db(transaction=True)
def test_flushing_the_whole_database_still_works(reference_data):
    """`manage.py flush` and the test runner empty every table: TRUNCATE on PostgreSQL (row triggers do not see
    it), and on SQLite a DELETE allowed for the flush alone. Deleting single rows stays refused (tests above)."""
    actor = factories.UserFactory(email="flush@example.no")
    audit.record(actor, "test.flush", actor, {})
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM integrity_override")
        assert cursor.fetchone()[0] == 0
    assert immutability.missing_guards(connection) == []
