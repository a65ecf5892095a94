"""The lead applicant (ansvarlig søker, issue 17): one of the applying services, chosen in the draft form; it
decides the decision letter's målform, its addressee and the vertskommune that is paid, whatever the services'
database ids are. Existing applications get the service that created them (migration 0010)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import RoleAssignment
from grants import letters, selectors, services
from grants.models import Application
from grants.models import ApplicationStatus as S
from organisations.models import Kommune, Maalform
from tests import factories

from .conftest import APPLIED, field_messages, make_assessed, make_draft, member, refused
from .test_letters import flat, pdf_text
from .test_views_applicant import draft_post, html, login, snapshot_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]

migration = importlib.import_module("grants.migrations.0010_application_ansvarlig_soker")


@pytest.fixture
def etne_sveio(network):
    """The interkommunal service of Etne and Sveio (vertskommune Etne, nynorsk), created after Bergen, so it has
    the higher id, and a member of the network."""
    etne = Kommune.objects.get(nummer="4611")
    Kommune.objects.filter(nummer__in=["4611", "4612"]).update(maalform=Maalform.NYNORSK)
    etne.refresh_from_db()
    service = factories.ServiceFactory(
        navn="Barnevernstenesta i Etne og Sveio",
        vertskommune=etne,
        kommuner=[Kommune.objects.get(nummer="4612")],
    )
    member(network, service)
    return service


@pytest.fixture
def etne_leader(etne_sveio):
    return factories.service_user(etne_sveio)


def test_the_lead_decides_malform_addressee_and_payee_regardless_of_ids(
    sf, bufdir, vestland, rnd, network, bergen, etne_sveio, etne_leader
):
    assert bergen.pk < etne_sveio.pk  # the old rule (lowest id) would pick Bergen: bokmål, paid to Bergen
    assert bergen.vertskommune.letter_language == "bokmal"
    draft = make_draft(etne_leader, rnd, network, tjenester=[bergen, etne_sveio])
    assert draft.ansvarlig_soker == etne_sveio  # the creating service by default
    application = make_assessed(sf, services.submit(etne_leader, draft))
    services.set_frame(bufdir, embete=vestland, aar=2026, kategori="fosterhjem", belop="1000000")

    decision = services.decide(sf, application, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Godt prosjekt.")

    assert decision.maalform == "nynorsk"
    text = flat(pdf_text(letters.render_decision_letter(decision)))
    assert "blir utbetalt til vertskommunen (Etne)" in text
    assert "vertskommunen (Bergen)" not in text
    # Addressed to the lead; the co-applicant is named.
    assert "Mottakar Barnevernstenesta i Etne og Sveio" in text
    assert "Søkjer saman med Barneverntjenesten i Bergen" in text


def test_the_lead_can_be_another_applying_service(leader, rnd, network, bergen, etne_sveio):
    draft = make_draft(leader, rnd, network, tjenester=[bergen, etne_sveio])
    assert draft.ansvarlig_soker == bergen
    services.save_draft(leader, draft, budsjett=[], tjenester=[bergen, etne_sveio], ansvarlig_soker=etne_sveio)
    draft.refresh_from_db()
    assert draft.ansvarlig_soker == etne_sveio
    assert services._letter_language(draft) == "nynorsk"


def test_a_lead_not_among_the_applicants_is_refused(leader, rnd, network, bergen, voss, etne_sveio):
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    with refused(ValidationError, draft) as info:
        services.save_draft(leader, draft, maal="Endret", tjenester=[bergen, voss], ansvarlig_soker=etne_sveio)
    assert field_messages(info, "ansvarlig_soker") == [
        "Ansvarlig søker må være en av tjenestene som søker. Velg en av dem, eller kryss av for "
        "Barnevernstenesta i Etne og Sveio."
    ]


def test_removing_the_lead_asks_for_another(leader, voss_leader, rnd, network, bergen, voss):
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    with refused(ValidationError, draft) as info:
        services.save_draft(voss_leader, draft, maal="Endret", tjenester=[voss])  # Bergen (the lead) removed
    assert field_messages(info, "ansvarlig_soker") == [
        "Ansvarlig søker er ikke lenger med på søknaden. Velg en annen ansvarlig søker blant dem som søker."
    ]
    services.save_draft(voss_leader, draft, maal="Endret", tjenester=[voss], ansvarlig_soker=voss)
    draft.refresh_from_db()
    assert draft.ansvarlig_soker == voss


def test_the_form_refuses_a_lead_not_among_the_applicants(client, leader, rnd, network, bergen, voss, askoy):
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    url = reverse("grants:application_edit", args=[draft.pk])
    page = html(login(client, leader).get(url))
    assert 'name="ansvarlig_soker"' in page
    assert f'<option value="{bergen.pk}" selected>' in page  # the creating service is preselected
    before = snapshot_of(draft)
    response = client.post(url, draft_post(draft, ansvarlig_soker=askoy.pk))
    assert response.status_code == 200
    assert "Ansvarlig søker må være en av tjenestene som søker." in html(response)
    assert f'<option value="{askoy.pk}" selected>' in html(response), "the choice typed comes back"
    # Issue 17: the lead (and the applying services it is checked against) keep their saved value; the rest is saved.
    saved = Application.objects.get(pk=draft.pk)
    assert saved.ansvarlig_soker == bergen
    assert sorted(s.pk for s in saved.tjenester.all()) == sorted([bergen.pk, voss.pk])
    assert saved.maal == "Bedre oppfølging av fosterhjem." != before[0]["maal"]
    before = snapshot_of(draft)
    # The autosave refuses it the same way, under the field's name.
    response = client.post(
        reverse("grants:application_autosave", args=[draft.pk]), draft_post(draft, ansvarlig_soker=askoy.pk)
    )
    assert response.status_code == 400
    assert "ansvarlig_soker" in response.json()["errors"]
    assert snapshot_of(draft) == before
    # Choosing an applying service is saved (also by autosave).
    response = client.post(
        reverse("grants:application_autosave", args=[draft.pk]), draft_post(draft, ansvarlig_soker=voss.pk)
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.ansvarlig_soker == voss


def test_the_application_and_submit_pages_show_the_lead(client, leader, rnd, network, bergen, voss):
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    login(client, leader)
    for name in ("application_detail", "application_submit"):
        page = html(client.get(reverse(f"grants:{name}", args=[draft.pk])))
        assert "Ansvarlig søker" in page
        assert "Barneverntjenesten i Bergen (vertskommune Bergen, brev på bokmål)" in page


def test_the_staff_panel_names_the_lead(sf, leader, rnd, network, bergen, voss):
    application = services.submit(leader, make_draft(leader, rnd, network, tjenester=[bergen, voss]))
    panel = selectors_panel_for(sf, application)
    assert panel.lead == bergen
    assert panel.letter_language == "Bokmål"


def selectors_panel_for(user, application):
    from grants import selectors_panel

    return selectors_panel.staff_panel(user, selectors.application_detail(user, application.pk))


# --- the data migration -----------------------------------------------------------------------------


def _without_lead(application) -> Application:
    Application.objects.filter(pk=application.pk).update(ansvarlig_soker=None)
    return application


def test_migration_picks_the_service_that_created_the_application(rnd, network, bergen, etne_sveio, etne_leader):
    draft = _without_lead(make_draft(etne_leader, rnd, network, tjenester=[bergen, etne_sveio]))
    migration.fill_lead_applicant(django_apps, None)
    draft.refresh_from_db()
    assert draft.ansvarlig_soker == etne_sveio  # not Bergen, which has the lower id


def test_migration_prefers_the_role_valid_when_the_application_was_made(rnd, network, bergen, etne_sveio, etne_leader):
    draft = _without_lead(make_draft(etne_leader, rnd, network, tjenester=[bergen, etne_sveio]))
    # The creator later also got a role in Bergen, that started after the application was made.
    RoleAssignment.objects.create(
        user=etne_leader, rolle="tjeneste_leder", tjeneste=bergen, gyldig_fra=draft.opprettet.date().replace(year=2027)
    )
    migration.fill_lead_applicant(django_apps, None)
    draft.refresh_from_db()
    assert draft.ansvarlig_soker == etne_sveio


def test_migration_falls_back_to_the_lowest_id_when_the_creator_is_unknown(
    rnd, network, bergen, etne_sveio, etne_leader
):
    draft = _without_lead(make_draft(etne_leader, rnd, network, tjenester=[bergen, etne_sveio]))
    RoleAssignment.objects.filter(user=etne_leader).delete()
    migration.fill_lead_applicant(django_apps, None)
    draft.refresh_from_db()
    assert draft.ansvarlig_soker == bergen
