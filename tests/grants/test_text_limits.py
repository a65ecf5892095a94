"""Issue 20: unbounded text into the append-only audit trail, and names that hide characters.

A 4 MB autosave is refused and leaves nothing in the audit trail; an over-long text through the form gets a
Norwegian message and saves nothing; a service called directly refuses it too; a long text that is allowed is
kept in the audit trail only as an excerpt, its length and hash; ten autosaves make one audit event, and a new
editing session another; a zero-width space does not make a project name new, and a right-to-left override is
not stored."""

import datetime
import hashlib
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import AUTOSAVE_WINDOW
from common import limits
from grants import services
from grants.models import Application
from projects.models import DevelopmentProject

from .conftest import make_draft
from .test_views_applicant import draft_post, html, login, snapshot_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "no_mfa")]

FOUR_MB = "A" * (4 * 1024 * 1024)
TOO_LONG_MESSAGE = f"Sørg for at denne verdien har {limits.LONG_TEXT} eller færre tegn (den har nå"


def largest_audit_row() -> int:
    return max((len(json.dumps(e.endringer, ensure_ascii=False)) for e in AuditEvent.objects.all()), default=0)


def autosave(client, application, **fields):
    return client.post(reverse("grants:application_autosave", args=[application.pk]), draft_post(application, **fields))


# --- the size of what is stored ------------------------------------------------------------------------


def test_a_4_mb_autosave_is_refused_and_leaves_no_audit_row(client, draft, leader):
    """Issue 17: the over-long field is refused and not saved; the other fields are saved, and their audit row
    does not hold the refused text."""
    before = services.snapshot(Application.objects.get(pk=draft.pk))
    first_new = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = autosave(login(client, leader), draft, maal=FOUR_MB)
    assert response.status_code == 400
    [message] = response.json()["errors"]["maal"]
    assert message.startswith(TOO_LONG_MESSAGE)
    assert "maal" not in response.json()["lagrede_felt"]
    after = services.snapshot(Application.objects.get(pk=draft.pk))
    assert after["maal"] == before["maal"]
    assert after["tidsplan"] == "Mars–desember." != before["tidsplan"]
    new_events = AuditEvent.objects.filter(id__gt=first_new)
    assert new_events.exists() and not any(
        "maal" in e.endringer or "AAAAAAAAAA" in json.dumps(e.endringer) for e in new_events
    )
    assert largest_audit_row() <= limits.AUDIT_TOTAL


def test_an_over_long_text_in_the_form_gets_a_norwegian_message_and_saves_nothing(client, draft, leader):
    before = services.snapshot(Application.objects.get(pk=draft.pk))
    first_new = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    page = login(client, leader).post(
        reverse("grants:application_edit", args=[draft.pk]), draft_post(draft, aktiviteter="x" * (limits.LONG_TEXT + 1))
    )
    assert page.status_code == 200
    assert TOO_LONG_MESSAGE in html(page) and "feiloppsummering" in html(page)
    # The limit is told, not enforced by the browser (a maxlength attribute silently cuts pasted text); the whole
    # over-long text comes back in the form, nothing cut.
    textarea = re.search(r'<textarea[^>]*name="aktiviteter"[^>]*>', html(page)).group(0)
    assert f'data-maxlength="{limits.LONG_TEXT}"' in textarea and " maxlength=" not in textarea
    assert "Høyst 20\u00a0000 tegn." in html(page)
    assert "x" * (limits.LONG_TEXT + 1) in html(page)
    # Issue 17: the over-long field keeps its saved value (and is not audited); the valid fields are saved.
    after = services.snapshot(Application.objects.get(pk=draft.pk))
    assert after["aktiviteter"] == before["aktiviteter"]
    assert after["tidsplan"] == "Mars–desember." != before["tidsplan"]
    new_events = AuditEvent.objects.filter(id__gt=first_new)
    assert new_events.exists()
    assert not any("aktiviteter" in e.endringer or "xxxxxxxxxx" in json.dumps(e.endringer) for e in new_events)


def test_the_service_refuses_an_over_long_text_without_the_form(draft, leader):
    before = snapshot_of(draft)
    with pytest.raises(ValidationError) as exc:
        services.save_draft(leader, draft, maal=FOUR_MB, budsjett=[{"type": "annet", "belop": "1000"}])
    assert exc.value.message_dict["maal"][0].startswith(TOO_LONG_MESSAGE)
    assert snapshot_of(draft) == before


def test_an_over_long_partner_role_is_refused_by_the_service(draft, leader, knowledge_partner):
    before = snapshot_of(draft)
    with pytest.raises(ValidationError) as exc:
        services.save_draft(
            leader,
            draft,
            budsjett=[{"type": "annet", "belop": "1000"}],
            partnere=[{"partner": knowledge_partner, "rolle": "r" * (limits.SHORT_TEXT + 1)}],
        )
    assert "kan ha høyst" in exc.value.message_dict["partnere"][0]
    assert snapshot_of(draft) == before


def test_a_long_text_is_kept_in_the_audit_trail_as_excerpt_length_and_hash(client, draft, leader):
    text = "Mål: " + "bedre oppfølging " * 1000  # 17 005 characters, within the limit
    assert (
        login(client, leader)
        .post(reverse("grants:application_edit", args=[draft.pk]), draft_post(draft, maal=text))
        .status_code
        == 302
    )
    assert Application.objects.get(pk=draft.pk).maal == text.strip()
    event = AuditEvent.objects.filter(handling="soknad.utkast_lagret").latest("id")
    old, new = event.endringer["maal"]
    stored = text.strip()
    assert len(new) <= limits.AUDIT_TEXT
    assert new.startswith(stored[: limits.AUDIT_EXCERPT])
    assert f"{len(stored)} tegn" in new
    assert hashlib.sha256(stored.encode()).hexdigest() in new
    assert old == "Bedre oppfølging av fosterhjem i hele regionen."  # a short text stays whole
    assert largest_audit_row() <= limits.AUDIT_TOTAL


# --- one audit event per editing session -------------------------------------------------------------------


def test_ten_autosaves_make_one_audit_event_and_a_new_session_another(client, draft, leader, clock):
    login(client, leader)
    autosaved = AuditEvent.objects.filter(handling="soknad.utkast_autolagret", object_id=str(draft.pk))
    for i in range(10):
        assert autosave(client, draft, maal=f"Mål, versjon {i}").status_code == 200
        clock.shift(datetime.timedelta(minutes=2))
    assert Application.objects.get(pk=draft.pk).maal == "Mål, versjon 9"
    [first] = autosaved.all()
    assert first.aktor == leader and first.endringer["maal"][1] == "Mål, versjon 0"

    clock.shift(AUTOSAVE_WINDOW)  # 30 minutes after the session's last recorded autosave
    assert autosave(client, draft, maal="Mål etter pausen").status_code == 200
    assert autosaved.all().count() == 2
    assert autosaved.latest("id").endringer["maal"] == ["Mål, versjon 9", "Mål etter pausen"]


def test_a_save_by_the_button_is_audited_every_time(client, draft, leader):
    login(client, leader)
    url = reverse("grants:application_edit", args=[draft.pk])
    assert autosave(client, draft, maal="Autolagret").status_code == 200
    for text in ("Lagret 1", "Lagret 2"):
        assert client.post(url, draft_post(draft, maal=text)).status_code == 302
    saved = AuditEvent.objects.filter(handling="soknad.utkast_lagret", object_id=str(draft.pk))
    assert [e.endringer["maal"][1] for e in saved.order_by("id")][-2:] == ["Lagret 1", "Lagret 2"]


def test_another_users_autosave_opens_its_own_session(client, draft, leader, colleague):
    assert autosave(login(client, leader), draft, maal="Lederens tekst").status_code == 200
    assert autosave(login(client, colleague), draft, maal="Kollegaens tekst").status_code == 200
    events = AuditEvent.objects.filter(handling="soknad.utkast_autolagret", object_id=str(draft.pk))
    assert {e.aktor for e in events} == {leader, colleague}


# --- names ---------------------------------------------------------------------------------------------------


def test_a_zero_width_space_does_not_make_a_project_name_new(leader, rnd, network, draft):
    with pytest.raises(ValidationError) as exc:
        services.create_application(
            leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="Fosterhjem i\u200b fellesskap"
        )
    assert exc.value.message_dict["prosjektnavn"] == ["Nettverket har allerede et prosjekt med dette navnet."]
    assert DevelopmentProject.objects.filter(network=network).count() == 1


def test_the_form_refuses_the_duplicate_name_with_a_zero_width_space(client, leader, rnd, network, draft):
    count = DevelopmentProject.objects.count()
    page = login(client, leader).post(
        reverse("grants:application_create", args=[rnd.pk]),
        {"kategori": "fosterhjem", "network": network.pk, "prosjektnavn": "\u200bFOSTERHJEM I FELLESSKAP\ufeff"},
    )
    assert page.status_code == 200
    assert "Nettverket har allerede et prosjekt med dette navnet." in html(page)
    assert DevelopmentProject.objects.count() == count


def test_a_right_to_left_override_is_not_stored_in_a_project_name(leader, rnd, network):
    application = make_draft(leader, rnd, network, navn="Trygg \u202eheim\u202c\u2066 i Vest\u2069\u00ad")
    assert application.prosjekt.navn == "Trygg heim i Vest"
    assert DevelopmentProject.objects.get(pk=application.prosjekt_id).navn == "Trygg heim i Vest"
