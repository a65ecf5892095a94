"""Export on request: the person's own page and download under /konto/personvern/, and the data controller's
command. The document is complete (every place in the inventory) and holds no secrets and no one else's data."""

import json
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.management import execute_from_command_line
from django.test import Client
from django.urls import reverse

from accounts.permissions import has_permission
from api.models import ApiToken
from audit.models import AuditEvent
from privacy.selectors import mentions, personal_data_export
from tests import factories

from .conftest import EMAIL, FIRST, LAST, PHONE, TITLE, UID, WORK_EMAIL, login_client

pytestmark = pytest.mark.usefixtures("tasks", "clock")

PAGE = "/konto/personvern/"
DOWNLOAD = "/konto/personvern/last-ned/"


def run(*args) -> int:
    """The exit code of `python manage.py ARGS`, keeping the test's database connection (PostgreSQL)."""
    with mock.patch("django.core.management.base.connections.close_all"):
        try:
            execute_from_command_line(["manage.py", *map(str, args)])
        except SystemExit as exc:
            return exc.code
    return 0


def test_the_urls_are_the_documented_ones():
    assert reverse("privacy_overview") == PAGE
    assert reverse("privacy_export") == DOWNLOAD


def test_the_export_holds_everything_stored_about_the_person(kari_everywhere, kari, awarded, project, network):
    doc = personal_data_export(kari)
    assert doc["format"] == "laeringsnett-personopplysninger" and doc["versjon"] == 1
    assert doc["bruker"] | {"opprettet": None, "sist_innlogget": None} == {
        "id": kari.pk,
        "fornavn": FIRST,
        "etternavn": LAST,
        "fullt_navn": f"{FIRST} {LAST}",
        "epost": EMAIL,
        "stilling": TITLE,
        "telefon": PHONE,
        "sprak": "",
        "aktiv": True,
        "anonymisert": False,
        "opprettet": None,
        "sist_innlogget": None,
        "superbruker": False,
        "tilgang_til_admin": False,
        "grupper": [],
        "har_passord": True,
    }
    assert {a["epost"] for a in doc["epostadresser"]} == {EMAIL, WORK_EMAIL}
    login = doc["innlogging"]
    assert [a["type"] for a in login["tofaktor"]] == ["totp"]
    assert [(s["tjeneste"], s["identitet"]) for s in login["eksterne_innlogginger"]] == [("openid_connect", UID)]
    assert len(login["innloggingsokter"]) == 1
    assert [(r["rolle"], r["gjelder"], r["aktiv_i_dag"]) for r in doc["roller"]] == [
        ("sf_saksbehandler", "Statsforvalteren i Vestland", True)
    ]
    received = {(i["epost"], i["status"]) for i in doc["invitasjoner"]["til_deg"]}
    assert received == {(EMAIL, "akseptert"), (WORK_EMAIL, "aktiv")}
    assert [t["navn"] for t in doc["api_nokler"]] == ["Karis skript"]
    assert {(p["nettverk"], p["rolle"]) for p in doc["nettverksroller"]} == {
        (network.navn, "koordinator"),
        (network.navn, "ressursgruppe"),
    }
    assert doc["prosjekter"]["prosjektleder_for"] == [{"id": project.pk, "prosjekt": project.navn}]
    assert [c["prosjekt_id"] for c in doc["prosjekter"]["kontaktperson_for"]] == [project.pk]
    records = {(r["modell"], r["felt"], r["id"]) for r in doc["oppfort_i"]}
    assert ("grants.Decision", "vedtatt_av", awarded.pk) in records
    assert ("grants.Payment", "registrert_av", awarded.utbetalinger.get().pk) in records
    assert ("grants.Application", "saksbehandler", awarded.soknad_id) in records
    done = [e["handling"] for e in doc["revisjonsspor"]["utfort_av_deg"]]
    assert {"invitasjon.akseptert", "utlysning.publisert", "soknad.vedtak", "soknad.utbetaling"} <= set(done)
    assert len(done) == AuditEvent.objects.filter(aktor=kari).count()
    about = {e["handling"] for e in doc["revisjonsspor"]["om_deg"]}
    assert "invitasjon.sendt" in about  # her leader invited her address


def test_the_export_holds_no_secrets_and_no_one_elses_address(kari_everywhere, kari, sf_leader):
    text = json.dumps(personal_data_export(kari), ensure_ascii=False)
    assert kari.password not in text  # the hash
    assert ApiToken.objects.get(user=kari).nokkel_hash not in text
    assert "JBSWY3DPEHPK3PXP" not in text  # the TOTP secret
    assert all(key not in text for key in Session.objects.values_list("session_key", flat=True))
    # She is in the audit trail of an invitation her leader sent to another address: that address stays out.
    other = factories.UserFactory()
    assert other.email not in text and sf_leader.email not in text


def test_the_page_shows_the_persons_own_data_and_offers_the_download(kari_everywhere, kari):
    response = kari_everywhere["browser"].get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{FIRST} {LAST}" in html and PHONE in html and "Statsforvalteren i Vestland" in html
    assert "Last ned mine personopplysninger" in html
    assert f'href="{PAGE}" aria-current="page"' in html  # the account menu links to it
    assert "no-store" in response["Cache-Control"]


def test_the_download_is_the_json_document_and_is_recorded(kari_everywhere, kari):
    response = kari_everywhere["browser"].post(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="personopplysninger-{kari.pk}-')
    assert "no-store" in response["Cache-Control"]
    doc = json.loads(response.content)
    assert doc["bruker"]["id"] == kari.pk and doc["bruker"]["epost"] == EMAIL
    event = AuditEvent.objects.get(handling="personopplysninger.eksportert")
    assert (event.aktor, event.object_id, event.endringer) == (kari, str(kari.pk), {"kanal": "nett"})


def test_another_user_only_ever_gets_their_own_data(kari_everywhere, kari, other_sf, settings):
    settings.LAERINGSNETT_REQUIRE_MFA = False
    browser = login_client(other_sf)
    # There is no id in the URL; a smuggled one is ignored.
    response = browser.post(f"{DOWNLOAD}?user={kari.pk}&id={kari.pk}", {"user": kari.pk, "id": kari.pk})
    doc = json.loads(response.content)
    assert doc["bruker"]["id"] == other_sf.pk
    page = browser.get(f"{PAGE}?user={kari.pk}").content.decode()
    for text in (response.content.decode(), page):
        assert EMAIL not in text and LAST not in text and WORK_EMAIL not in text
    assert has_permission(other_sf, "accounts.export_personal_data", kari) is False
    assert has_permission(kari, "accounts.export_personal_data", kari) is True
    assert has_permission(factories.UserFactory(is_superuser=True), "accounts.export_personal_data", kari) is True


def test_anonymous_visitors_are_sent_to_login_and_get_nothing(kari):
    client = Client()
    for response in (client.get(PAGE), client.post(DOWNLOAD)):
        assert response.status_code == 302 and response["Location"].startswith("/konto/login/")
    assert not AuditEvent.objects.filter(handling="personopplysninger.eksportert").exists()


def test_the_download_is_only_a_post(kari_everywhere):
    assert kari_everywhere["browser"].get(DOWNLOAD).status_code == 405


def test_staff_without_two_factor_set_it_up_first(other_sf):
    """Statsforvalter, Bufdir and superusers see no data before TOTP is set up, this page included."""
    browser = login_client(other_sf)
    for response in (browser.get(PAGE), browser.post(DOWNLOAD)):
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not AuditEvent.objects.filter(handling="personopplysninger.eksportert").exists()


def test_a_service_user_without_two_factor_gets_their_page(bergen):
    user = factories.service_user(bergen)
    assert login_client(user).get(PAGE).status_code == 200


def test_the_command_writes_the_file_and_a_summary(kari_everywhere, kari, tmp_path, capsys):
    out = tmp_path / "kari.json"
    assert run("export_personal_data", "--email", WORK_EMAIL.upper(), "--out", out) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["bruker"]["id"] == kari.pk
    stdout = capsys.readouterr().out
    assert f"Personopplysninger for bruker {kari.pk}: {FIRST} {LAST} <{EMAIL}>" in stdout
    assert f"til {out}" in stdout
    event = AuditEvent.objects.get(handling="personopplysninger.eksportert")
    assert (event.aktor, event.endringer) == (None, {"kanal": "kommando"})


def test_the_command_prints_json_without_out_and_can_list_mentions(kari_everywhere, kari, capsys):
    assert run("export_personal_data", "--id", kari.pk, "--omtaler") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["bruker"]["epost"] == EMAIL
    # Her name is in the audit trail ("soknad.saksbehandler") and her address in the invitation events.
    assert {"modell": "audit.AuditEvent", "felt": "endringer", "id": mock.ANY} in doc["omtaler"]
    assert doc["omtaler"] == mentions(kari)


def test_the_command_says_when_there_is_no_such_user(db, capsys):
    assert run("export_personal_data", "--email", "ingen@example.no") == 2
    assert "Fant ingen bruker med e-postadressen ingen@example.no." in capsys.readouterr().err
