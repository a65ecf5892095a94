"""Project services: fields and themes, phase history, participating services (with the two-services rule),
leader and contacts, partners, outputs with files and links, and the knowledge-bank listing. Every refusal is
in Norwegian and changes nothing; every write leaves an audit event."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from networks.models import Theme
from projects.models import Output, Phase, PhaseChange, ProjectContact, ProjectPartner, ProjectService
from projects.services import projects as services

from .conftest import PDF_BYTES, denied, errors, unchanged, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]
TODAY = datetime.date(2026, 2, 2)


def last_event(action):
    return AuditEvent.objects.filter(handling=action).order_by("-id").first()


# --- the project ------------------------------------------------------------------------------------------


def test_leader_updates_fields_and_themes_with_audit(proj, leader, theme):
    services.update_project(
        leader,
        proj,
        navn="Fosterhjem i fellesskap – fase 2",
        orientering="kompetanseutvikling",
        planlagt_start=datetime.date(2026, 1, 1),
        planlagt_slutt=datetime.date(2027, 12, 31),
        themes=[theme],
        new_themes=["Rekruttering av fosterhjem", " "],
    )
    proj.refresh_from_db()
    assert proj.navn == "Fosterhjem i fellesskap – fase 2"
    assert proj.orientering == "kompetanseutvikling"
    assert sorted(t.navn for t in proj.temaer.all()) == ["Oppfølging av fosterhjem", "Rekruttering av fosterhjem"]
    event = last_event("prosjekt.endret")
    assert event.aktor == leader
    assert event.endringer["navn"] == ["Fosterhjem i fellesskap", "Fosterhjem i fellesskap – fase 2"]
    assert "temaer" in event.endringer


def test_new_theme_with_existing_name_is_reused(proj, sf, theme):
    services.update_project(sf, proj, new_themes=["OPPFØLGING AV FOSTERHJEM"])
    assert Theme.objects.filter(navn__iexact="oppfølging av fosterhjem").count() == 1
    assert list(proj.temaer.all()) == [theme]


def test_update_refuses_bad_input_in_norwegian(proj, sf, network):
    from projects.models import DevelopmentProject

    DevelopmentProject.objects.create(network=network, navn="Medvirkning i praksis", kategori="egeninitiert")
    with unchanged(ValidationError) as info:
        services.update_project(
            sf,
            proj,
            navn="medvirkning i PRAKSIS",
            planlagt_start=datetime.date(2026, 6, 1),
            planlagt_slutt=datetime.date(2026, 1, 1),
            kategori="annet",
        )
    assert errors(info, "navn") == ["Nettverket har allerede et prosjekt med dette navnet."]
    assert errors(info, "planlagt_slutt") == ["Planlagt slutt kan ikke være før planlagt start."]
    assert errors(info, "kategori") == ["Velg egeninitiert eller fosterhjem."]
    with unchanged(ValidationError) as info:
        services.update_project(sf, proj, navn="  ")
    assert errors(info, "navn") == ["Navn må fylles ut."]


@pytest.mark.parametrize("who", ["colleague", "askoy_leader", "sogndal_leader", "sf_agder", "bufdir", "partner_user"])
def test_update_refused_for_those_who_may_not_edit(proj, who, request):
    with denied():
        services.update_project(request.getfixturevalue(who), proj, navn="Kapret")


def test_voss_leader_of_a_participating_service_may_edit(proj, voss_leader):
    services.update_project(voss_leader, proj, beskrivelse="Ny tekst fra Voss.")
    proj.refresh_from_db()
    assert proj.beskrivelse == "Ny tekst fra Voss."


# --- phase --------------------------------------------------------------------------------------------------


def test_change_phase_keeps_history_and_audit(proj, leader, sf):
    services.change_phase(leader, proj, Phase.MODELLUTVIKLING, datetime.date(2026, 1, 20))
    services.change_phase(sf, proj, Phase.PILOT, TODAY)
    proj.refresh_from_db()
    assert proj.fase == Phase.PILOT
    history = list(PhaseChange.objects.filter(prosjekt=proj).values_list("fase", "fra_dato", "endret_av"))
    # The phase before the first change is recorded first, without a person.
    assert history[0][0] == Phase.KOMPETANSEHEVING and history[0][2] is None
    assert history[1:] == [
        (Phase.MODELLUTVIKLING, datetime.date(2026, 1, 20), leader.pk),
        (Phase.PILOT, TODAY, sf.pk),
    ]
    assert last_event("prosjekt.fase").endringer["fase"] == ["modellutvikling", "pilot"]


def test_change_phase_refusals(proj, leader):
    services.update_project(leader, proj, planlagt_start=datetime.date(2026, 1, 1))
    services.change_phase(leader, proj, Phase.MODELLUTVIKLING, datetime.date(2026, 1, 20))
    cases = [
        (Phase.MODELLUTVIKLING, TODAY, "fase", "Prosjektet er allerede i fasen «Modellutvikling»."),
        (
            Phase.PILOT,
            datetime.date(2026, 1, 10),
            "fra_dato",
            "Datoen kan ikke være før forrige faseendring (20.01.2026).",
        ),
        (
            Phase.PILOT,
            TODAY + datetime.timedelta(days=1),
            "fra_dato",
            "Datoen kan ikke være fram i tid. Registrer faseendringen når den skjer.",
        ),
        ("ferdig", TODAY, "fase", "Velg en fase fra listen."),
    ]
    for fase, day, field, message in cases:
        with unchanged(ValidationError) as info:
            services.change_phase(leader, proj, fase, day)
        assert errors(info, field) == [message]


def test_phase_cannot_start_before_planned_start(proj, sf):
    services.update_project(sf, proj, planlagt_start=datetime.date(2026, 2, 1))
    with unchanged(ValidationError) as info:
        services.change_phase(sf, proj, Phase.PILOT, datetime.date(2026, 1, 31))
    assert errors(info, "fra_dato") == ["Datoen kan ikke være før prosjektets planlagte start (01.02.2026)."]


def test_reopening_a_finished_project_needs_a_reason(proj, sf):
    services.change_phase(sf, proj, Phase.AVSLUTTET, TODAY)
    with unchanged(ValidationError) as info:
        services.change_phase(sf, proj, Phase.SPREDNING, TODAY)
    assert errors(info, "begrunnelse") == ["Prosjektet er avsluttet. Skriv hvorfor det skal tas opp igjen."]
    services.change_phase(sf, proj, Phase.SPREDNING, TODAY, "Nye kommuner vil ta i bruk modellen.")
    assert last_event("prosjekt.fase").endringer["begrunnelse"] == "Nye kommuner vil ta i bruk modellen."


def test_change_phase_refused_for_outsiders(proj, sogndal_leader, colleague):
    for user in (sogndal_leader, colleague):
        with denied():
            services.change_phase(user, proj, Phase.PILOT, TODAY)


# --- participating services ------------------------------------------------------------------------------------


def test_add_service_from_the_network(proj, sf, askoy):
    link = services.add_service(sf, proj, askoy, TODAY)
    assert link.til_dato is None
    assert set(proj.deltakelse.filter(til_dato__isnull=True).values_list("tjeneste__navn", flat=True)) == {
        "Barneverntjenesten i Bergen",
        "Barnevernstenesta i Voss",
        "Barnevernstenesta i Askøy",
    }
    assert last_event("prosjekt.tjeneste_lagt_til").endringer == {"tjeneste": askoy.navn, "fra": "2026-02-02"}


def test_add_service_refusals(proj, sf, sogndal, voss, askoy):
    with unchanged(ValidationError) as info:
        services.add_service(sf, proj, sogndal, TODAY)
    assert errors(info, "tjeneste") == [
        "Barnevernstenesta i Sogndal deltar ikke i nettverket Læringsnettverk Vest per 02.02.2026. Bare tjenester "
        "som er med i nettverket, kan være med i prosjektet."
    ]
    with unchanged(ValidationError) as info:
        services.add_service(sf, proj, voss, TODAY)
    assert errors(info, "tjeneste") == ["Barnevernstenesta i Voss deltar allerede i prosjektet."]
    # Askøy joined the network on 15.01.2024, so it cannot take part in the project before that.
    with unchanged(ValidationError) as info:
        services.add_service(sf, proj, askoy, datetime.date(2024, 1, 1))
    assert "deltar ikke i nettverket" in errors(info, "tjeneste")[0]


def test_add_service_refused_for_a_service_outside_the_project(proj, askoy_leader, askoy):
    with denied():
        services.add_service(askoy_leader, proj, askoy, TODAY)


def test_end_service_keeps_at_least_two_services(proj, sf, askoy):
    voss_link = proj.deltakelse.get(tjeneste__navn__contains="Voss")
    with unchanged(ValidationError) as info:
        services.end_service(sf, voss_link, TODAY)
    message = errors(info, "til_dato")[0]
    assert message.startswith("Et utviklingsprosjekt i et læringsnettverk er et samarbeid mellom minst to")
    assert "Uten Barnevernstenesta i Voss ville prosjektet ha 1 deltakende tjeneste(r)." in message
    services.add_service(sf, proj, askoy, TODAY)
    ended = services.end_service(sf, voss_link, TODAY + datetime.timedelta(days=0))
    assert ended.til_dato == TODAY
    assert last_event("prosjekt.tjeneste_avsluttet").endringer["tjeneste"] == "Barnevernstenesta i Voss"
    with unchanged(ValidationError) as info:
        services.end_service(sf, voss_link, TODAY)
    assert errors(info) == ["Barnevernstenesta i Voss har allerede gått ut av prosjektet."]


def test_end_service_date_order_and_finished_projects(proj, sf):
    voss_link = proj.deltakelse.get(tjeneste__navn__contains="Voss")
    with unchanged(ValidationError) as info:
        services.end_service(sf, voss_link, voss_link.fra_dato - datetime.timedelta(days=1))
    assert errors(info, "til_dato") == ["Til-datoen kan ikke være før tjenesten ble med (02.02.2026)."]
    # A finished project may end every period.
    services.change_phase(sf, proj, Phase.AVSLUTTET, TODAY)
    for link in ProjectService.objects.filter(prosjekt=proj):
        services.end_service(sf, link, TODAY)
    assert not ProjectService.objects.filter(prosjekt=proj, til_dato__isnull=True).exists()


# --- leader and contacts -----------------------------------------------------------------------------------------


def test_project_leader_and_contacts(proj, leader, colleague, voss_leader):
    services.set_project_leader(leader, proj, colleague)
    proj.refresh_from_db()
    assert proj.prosjektleder == colleague
    contact = services.add_contact(leader, proj, voss_leader, "Kontakt i Voss")
    assert contact.rolle == "Kontakt i Voss"
    with unchanged(ValidationError) as info:
        services.add_contact(leader, proj, voss_leader)
    assert errors(info, "user")[0].endswith("er allerede kontaktperson for prosjektet.")
    services.remove_contact(leader, contact)
    assert not ProjectContact.objects.filter(prosjekt=proj).exists()
    actions = list(AuditEvent.objects.filter(object_id=str(proj.pk)).values_list("handling", flat=True))
    assert {"prosjekt.prosjektleder", "prosjekt.kontakt_lagt_til", "prosjekt.kontakt_fjernet"} <= set(actions)


def test_leader_and_contacts_must_work_in_a_participating_service(proj, leader, sogndal_leader, askoy_leader, sf):
    for user in (sogndal_leader, askoy_leader, sf):
        name = user.get_full_name()
        with unchanged(ValidationError) as info:
            services.set_project_leader(leader, proj, user)
        assert errors(info, "prosjektleder") == [f"{name} arbeider ikke i en tjeneste som deltar i prosjektet."]
        with unchanged(ValidationError) as info:
            services.add_contact(leader, proj, user)
        assert errors(info, "user") == [f"{name} arbeider ikke i en tjeneste som deltar i prosjektet."]


def test_contacts_refused_for_outsiders(proj, sf_agder, leader):
    with denied():
        services.add_contact(sf_agder, proj, leader)
    contact = services.add_contact(leader, proj, leader)
    with denied():
        services.remove_contact(sf_agder, contact)


# --- partners --------------------------------------------------------------------------------------------------


def test_partner_with_role_and_end(proj, leader, knowledge_partner):
    link = services.add_partner(leader, proj, knowledge_partner, "  Veiledning av prosjektgruppen.  ", TODAY)
    assert link.rolle == "Veiledning av prosjektgruppen."
    with unchanged(ValidationError) as info:
        services.add_partner(leader, proj, knowledge_partner, "Igjen", TODAY)
    assert errors(info, "partner") == ["RKBU Vest er allerede partner i prosjektet."]
    with unchanged(ValidationError) as info:
        services.end_partner(leader, link, TODAY - datetime.timedelta(days=1))
    assert errors(info, "til_dato") == ["Til-datoen kan ikke være før fra-datoen (02.02.2026)."]
    services.end_partner(leader, link, TODAY)
    with unchanged(ValidationError) as info:
        services.end_partner(leader, link, TODAY)
    assert errors(info) == ["Partnerskapet er allerede avsluttet."]
    # After the end, the partner may be added again as a new period.
    services.add_partner(leader, proj, knowledge_partner, "Følgeevaluering.", TODAY)
    assert ProjectPartner.objects.filter(prosjekt=proj, partner=knowledge_partner).count() == 2


def test_partner_role_is_required(proj, leader, ks_partner):
    with unchanged(ValidationError) as info:
        services.add_partner(leader, proj, ks_partner, "   ", TODAY)
    assert errors(info, "rolle") == ["Beskriv hvilken rolle partneren har i prosjektet."]


def test_partner_refused_for_the_partner_itself(proj, partner_user, knowledge_partner):
    with denied():
        services.add_partner(partner_user, proj, knowledge_partner, "Vi vil være med.", TODAY)


# --- outputs -----------------------------------------------------------------------------------------------------


def output_data(**overrides) -> dict:
    data = {
        "type": "rutine",
        "tittel": "Rutine for oppfølging av fosterhjem",
        "beskrivelse": "Felles rutine for første år i fosterhjemmet.",
        "lenke": "",
        "i_bruk_andre": False,
        "i_bruk_beskrivelse": "",
    }
    data.update(overrides)
    return data


def test_colleague_adds_output_with_file_and_link(proj, colleague):
    output = services.add_output(
        colleague,
        proj,
        fil=upload("Rutine for fosterhjem (endelig).pdf", PDF_BYTES),
        **output_data(lenke="https://example.no/rutine", i_bruk_andre=True, i_bruk_beskrivelse="Askøy bruker den."),
    )
    assert output.opprettet_av == colleague
    assert output.filnavn == "Rutine_for_fosterhjem_endelig.pdf"
    assert output.fil.name.startswith("resultater/")
    assert output.i_bruk_beskrivelse == "Askøy bruker den."
    event = last_event("prosjekt.resultat_lagt_til")
    assert event.endringer == {"tittel": output.tittel, "fil": output.filnavn}


def test_output_refusals(proj, colleague):
    services.add_output(colleague, proj, **output_data())
    with unchanged(ValidationError) as info:
        services.add_output(
            colleague,
            proj,
            fil=upload("rutine.pdf", b"ikke en pdf"),
            **output_data(tittel="RUTINE FOR OPPFØLGING AV FOSTERHJEM", lenke="ftp://example.no/x", i_bruk_andre=True),
        )
    assert errors(info, "tittel") == [
        "Prosjektet har allerede et resultat med tittelen «RUTINE FOR OPPFØLGING AV FOSTERHJEM». Velg en annen tittel."
    ]
    assert errors(info, "lenke") == ["Oppgi en gyldig lenke som begynner med https:// eller http://."]
    assert errors(info, "i_bruk_beskrivelse") == ["Skriv hvilke tjenester som har tatt resultatet i bruk."]
    assert errors(info, "fil") == [
        "Innholdet i filen stemmer ikke med filtypen. "
        "Last opp en ekte fil av typen PDF, Word (DOCX) eller OpenDocument (ODT)."
    ]
    with unchanged(ValidationError) as info:
        services.add_output(colleague, proj, **output_data(type="film", tittel="", beskrivelse=""))
    assert errors(info, "type") == ["Velg hva slags resultat det er."]
    assert errors(info, "tittel") == ["Tittel må fylles ut."]
    assert errors(info, "beskrivelse") == ["Beskriv resultatet, slik at andre nettverk forstår hva det er."]


def test_same_title_is_fine_in_another_project(proj, colleague, network, sf):
    from projects.models import DevelopmentProject

    other = DevelopmentProject.objects.create(network=network, navn="Annet prosjekt", kategori="fosterhjem")
    services.add_output(colleague, proj, **output_data())
    services.add_output(sf, other, **output_data())
    assert Output.objects.filter(tittel="Rutine for oppfølging av fosterhjem").count() == 2


def test_update_output_replaces_the_file_after_commit(proj, colleague, django_capture_on_commit_callbacks):
    output = services.add_output(colleague, proj, fil=upload("v1.pdf", PDF_BYTES), **output_data())
    old_name = output.fil.name
    storage = output.fil.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.update_output(colleague, output, fil=upload("v2.pdf", PDF_BYTES), tittel="Rutine, versjon 2")
    output.refresh_from_db()
    assert output.filnavn == "v2.pdf" and output.tittel == "Rutine, versjon 2"
    assert not storage.exists(old_name)
    assert storage.exists(output.fil.name)
    assert last_event("prosjekt.resultat_endret").endringer["fil"] == ["v1.pdf", "v2.pdf"]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_output(colleague, output, fjern_fil=True)
    output.refresh_from_db()
    assert not output.fil and output.filnavn == ""


def test_delete_output_rules(proj, leader, colleague, voss_colleague):
    mine = services.add_output(colleague, proj, **output_data(tittel="Min mal", type="mal"))
    theirs = services.add_output(voss_colleague, proj, **output_data(tittel="Deres mal", type="mal"))
    with denied():
        services.delete_output(colleague, theirs)
    services.delete_output(colleague, mine)
    services.delete_output(leader, theirs)  # the leader edits the project and deletes any output
    assert not Output.objects.filter(prosjekt=proj).exists()
    assert AuditEvent.objects.filter(handling="prosjekt.resultat_slettet").count() == 2


@pytest.mark.parametrize("who", ["askoy_leader", "sogndal_leader", "sf_agder", "bufdir", "partner_user"])
def test_output_refused_for_outsiders(proj, colleague, who, request):
    user = request.getfixturevalue(who)
    output = services.add_output(colleague, proj, **output_data())
    with denied():
        services.add_output(user, proj, **output_data(tittel="Annet"))
    with denied():
        services.update_output(user, output, tittel="Kapret")
    with denied():
        services.delete_output(user, output)


# --- knowledge bank listing -------------------------------------------------------------------------------------


def test_statsforvalter_lists_and_unlists(proj, sf):
    services.set_listing(sf, proj, True)
    proj.refresh_from_db()
    assert proj.i_kunnskapsbanken
    assert last_event("prosjekt.kunnskapsbank").endringer == {"i_kunnskapsbanken": [False, True]}
    count = AuditEvent.objects.count()
    services.set_listing(sf, proj, True)  # no change, no event
    assert AuditEvent.objects.count() == count
    services.set_listing(sf, proj, False)
    proj.refresh_from_db()
    assert not proj.i_kunnskapsbanken


def test_listing_needs_a_description(project, sf):
    with unchanged(ValidationError) as info:
        services.set_listing(sf, project, True)
    assert errors(info) == [
        "Skriv en beskrivelse av prosjektet før det vises i kunnskapsbanken, så andre nettverk forstår hva det er."
    ]


@pytest.mark.parametrize("who", ["leader", "colleague", "sf_agder", "bufdir", "partner_user"])
def test_listing_only_by_the_embete(proj, who, request):
    with denied():
        services.set_listing(request.getfixturevalue(who), proj, True)


def test_permission_checked_before_validation(proj, sogndal_leader):
    """An outsider learns nothing from validation messages: bad input from them is refused as access."""
    with pytest.raises(PermissionDenied):
        services.update_project(sogndal_leader, proj, navn="")
    with pytest.raises(PermissionDenied):
        services.add_partner(sogndal_leader, proj, None, "", TODAY)


def test_a_colleague_of_a_service_that_left_may_no_longer_add_outputs(proj, sf, askoy, voss_colleague, clock):
    services.add_service(sf, proj, askoy, TODAY)
    services.end_service(sf, proj.deltakelse.get(tjeneste__navn__contains="Voss"), TODAY)
    # The last day counts: Voss still takes part today.
    services.add_output(voss_colleague, proj, **output_data(tittel="Siste bidrag"))
    clock.shift(datetime.timedelta(days=1))
    with denied():
        services.add_output(voss_colleague, proj, **output_data(tittel="For sent"))
