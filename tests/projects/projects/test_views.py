"""Project pages: the list, the detail page with grants year by year, the forms, output downloads, and who is
refused (404 for a project the user may not read, as for one that does not exist; 403 for a project the user
reads but may not change; login for anonymous visitors)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Output, Phase, ProjectContact, ProjectPartner
from projects.services import projects as services

from .conftest import PDF_BYTES, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]


def page(response) -> str:
    return response.content.decode()


def detail_url(project):
    return reverse("projects:project_detail", args=[project.pk])


# --- access per role ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sf", "sf_leader", "bufdir", "leader", "colleague", "voss_leader", "partner_user"])
def test_detail_for_those_in_scope(client, proj, who, request, knowledge_partner, leader):
    services.add_partner(
        leader, proj, knowledge_partner, "Veileder for prosjektgruppen.", proj.deltakelse.first().fra_dato
    )
    client.force_login(request.getfixturevalue(who))
    response = client.get(detail_url(proj))
    assert response.status_code == 200
    assert "Fosterhjem i fellesskap" in page(response)


@pytest.mark.parametrize("who", ["sf_agder", "askoy_leader", "sogndal_leader", "agder_leader", "other_partner_user"])
def test_detail_refused_outside_scope(client, proj, who, request):
    """Outside the scope a project answers 404, exactly as an id that does not exist (no existence leak)."""
    client.force_login(request.getfixturevalue(who))
    response = client.get(detail_url(proj))
    assert response.status_code == 404
    assert client.get(reverse("projects:project_detail", args=[proj.pk + 10_000])).status_code == 404


def test_anonymous_is_sent_to_login(client, proj):
    for url in (
        detail_url(proj),
        reverse("projects:project_list"),
        reverse("projects:knowledge_bank"),
        reverse("projects:project_edit", args=[proj.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_unknown_project_is_404(client, sf):
    client.force_login(sf)
    assert client.get(reverse("projects:project_detail", args=[999999])).status_code == 404


# --- the list -------------------------------------------------------------------------------------------------


def test_list_shows_the_users_projects(client, proj, sf, sf_agder, sogndal_leader, leader, bufdir):
    for user, expected in ((sf, True), (bufdir, True), (leader, True), (sf_agder, False), (sogndal_leader, False)):
        client.force_login(user)
        response = client.get(reverse("projects:project_list"))
        assert response.status_code == 200
        assert ("Fosterhjem i fellesskap" in page(response)) is expected, user


def test_list_is_not_for_partners_and_the_menu_follows(client, partner_user, leader):
    client.force_login(partner_user)
    assert client.get(reverse("projects:project_list")).status_code == 403
    home = page(client.get(reverse("projects:knowledge_bank")))
    assert ">Kunnskapsbank<" in home and ">Prosjekter<" not in home
    client.force_login(leader)
    home = page(client.get(reverse("projects:knowledge_bank")))
    assert ">Kunnskapsbank<" in home and ">Prosjekter<" in home


def test_list_filters(client, proj, sf, network):
    from projects.models import DevelopmentProject

    DevelopmentProject.objects.create(network=network, navn="Medvirkning i praksis", kategori="egeninitiert")
    client.force_login(sf)
    response = client.get(reverse("projects:project_list"), {"kategori": "fosterhjem"})
    assert "Fosterhjem i fellesskap" in page(response) and "Medvirkning i praksis" not in page(response)
    response = client.get(reverse("projects:project_list"), {"q": "medvirkning"})
    assert "Fosterhjem i fellesskap" not in page(response) and "Medvirkning i praksis" in page(response)


def test_list_query_count_is_constant(client, sf, network, leader, django_assert_max_num_queries):
    from projects.models import DevelopmentProject, ProjectService

    def add(n):
        for i in range(n):
            p = DevelopmentProject.objects.create(network=network, navn=f"Prosjekt {i} {n}", kategori="fosterhjem")
            ProjectService.objects.create(prosjekt=p, tjeneste=leader.roller.get().tjeneste)
            p.temaer.create(navn=f"Tema {i} {n}")

    client.force_login(sf)
    add(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("projects:project_list")).status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("projects:project_list")).status_code == 200
    assert len(large) == len(small)
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("projects:project_list"))


# --- the detail page -------------------------------------------------------------------------------------------


def test_detail_shows_grants_year_by_year_with_decision_and_report(client, proj, leader, awarded, requirement):
    client.force_login(leader)
    html = page(client.get(detail_url(proj)))
    assert "Tilskudd år for år" in html
    assert "350\u00a0000\u00a0kr" in html
    assert reverse("grants:application_detail", args=[awarded.soknad_id]) in html
    assert reverse("projects:requirement_detail", args=[requirement.pk]) in html
    assert "Ikke sendt inn" in html and "01.03.2027" in html


def test_detail_query_count_does_not_grow_with_history(client, proj, leader, sf, askoy, knowledge_partner, colleague):
    client.force_login(sf)
    with CaptureQueriesContext(connection) as before:
        assert client.get(detail_url(proj)).status_code == 200
    services.add_service(sf, proj, askoy, proj.deltakelse.first().fra_dato)
    services.add_partner(sf, proj, knowledge_partner, "Veileder.", proj.deltakelse.first().fra_dato)
    services.add_contact(sf, proj, leader, "Leder")
    services.add_contact(sf, proj, colleague, "Koordinator")
    services.change_phase(sf, proj, Phase.PILOT, proj.deltakelse.first().fra_dato)
    for i in range(3):
        services.add_output(sf, proj, type="mal", tittel=f"Mal {i}", beskrivelse="En mal.")
    with CaptureQueriesContext(connection) as after:
        assert client.get(detail_url(proj)).status_code == 200
    assert len(after) == len(before), [q["sql"][:90] for q in after.captured_queries]


def test_edit_form_saves_and_shows_errors(client, proj, leader, theme):
    client.force_login(leader)
    url = reverse("projects:project_edit", args=[proj.pk])
    assert "Ikke skriv personopplysninger om barn eller familier." in page(client.get(url))
    data = {
        "navn": "Fosterhjem i fellesskap",
        "kategori": "fosterhjem",
        "orientering": "begge",
        "beskrivelse": "Oppdatert beskrivelse.",
        "temaer": [theme.pk],
        "nye_temaer": "Medvirkning, Lederutvikling",
        "planlagt_start": "2026-01-01",
        "planlagt_slutt": "2025-12-31",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Planlagt slutt kan ikke være før planlagt start." in page(response)
    data["planlagt_slutt"] = "2027-12-31"
    response = client.post(url, data)
    assert response.status_code == 302
    proj.refresh_from_db()
    assert proj.beskrivelse == "Oppdatert beskrivelse."
    assert sorted(t.navn for t in proj.temaer.all()) == ["Lederutvikling", "Medvirkning", "Oppfølging av fosterhjem"]


@pytest.mark.parametrize("who", ["colleague", "bufdir", "sf_agder", "askoy_leader"])
def test_edit_pages_refused_for_non_editors(client, proj, who, request):
    client.force_login(request.getfixturevalue(who))
    expected = 404 if who in ("sf_agder", "askoy_leader") else 403  # may not read the project at all: 404
    for name in ("project_edit", "project_phase", "service_add", "project_leader", "contact_add", "partner_add"):
        response = client.get(reverse(f"projects:{name}", args=[proj.pk]))
        assert response.status_code == expected, name
    response = client.post(reverse("projects:project_listing", args=[proj.pk]), {"vis": "ja"})
    assert response.status_code == expected


def test_phase_form_and_history(client, proj, sf):
    client.force_login(sf)
    url = reverse("projects:project_phase", args=[proj.pk])
    response = client.post(url, {"fase": "kompetanseheving", "fra_dato": "2026-02-01"})
    assert response.status_code == 400
    assert "Prosjektet er allerede i fasen «Kompetanseheving»." in page(response)
    response = client.post(url, {"fase": "pilot", "fra_dato": "2026-02-01"})
    assert response.status_code == 302
    html = page(client.get(detail_url(proj)))
    assert "Fasehistorikk" in html and "Pilot" in html and "01.02.2026" in html


def test_service_contact_and_partner_forms(client, proj, sf, askoy, leader, knowledge_partner):
    client.force_login(sf)
    response = client.post(
        reverse("projects:service_add", args=[proj.pk]), {"tjeneste": askoy.pk, "fra_dato": "2026-02-02"}
    )
    assert response.status_code == 302
    assert proj.deltakelse.filter(tjeneste=askoy, til_dato__isnull=True).exists()
    response = client.post(reverse("projects:contact_add", args=[proj.pk]), {"user": leader.pk, "rolle": "Koordinator"})
    assert response.status_code == 302
    contact = ProjectContact.objects.get(prosjekt=proj)
    response = client.post(
        reverse("projects:partner_add", args=[proj.pk]),
        {"partner": knowledge_partner.pk, "rolle": "", "fra_dato": "2026-02-02"},
    )
    assert response.status_code == 400 and "Feltet er påkrevet." in page(response)
    client.post(
        reverse("projects:partner_add", args=[proj.pk]),
        {"partner": knowledge_partner.pk, "rolle": "Veileder.", "fra_dato": "2026-02-02"},
    )
    link = ProjectPartner.objects.get(prosjekt=proj)
    client.post(reverse("projects:partner_end", args=[link.pk]), {"dato": "2026-02-02"})
    link.refresh_from_db()
    assert link.til_dato == datetime.date(2026, 2, 2)
    client.post(reverse("projects:contact_remove", args=[contact.pk]))
    assert not ProjectContact.objects.filter(prosjekt=proj).exists()
    # Ending a service below two shows the rule as a message and changes nothing.
    voss_link = proj.deltakelse.get(tjeneste__navn__contains="Voss")
    bergen_link = proj.deltakelse.get(tjeneste__navn__contains="Bergen")
    client.post(reverse("projects:service_end", args=[voss_link.pk]), {"dato": "2026-02-02"})
    response = client.post(reverse("projects:service_end", args=[bergen_link.pk]), {"dato": "2026-02-02"}, follow=True)
    assert "minst to" in page(response)
    bergen_link.refresh_from_db()
    assert bergen_link.til_dato is None


def test_listing_toggle(client, proj, sf):
    client.force_login(sf)
    response = client.post(reverse("projects:project_listing", args=[proj.pk]), {"vis": "ja"}, follow=True)
    assert "Prosjektet vises nå i kunnskapsbanken." in page(response)
    proj.refresh_from_db()
    assert proj.i_kunnskapsbanken


# --- outputs and files -------------------------------------------------------------------------------------------


def test_colleague_adds_output_and_downloads_it(client, proj, colleague):
    client.force_login(colleague)
    url = reverse("projects:output_create", args=[proj.pk])
    assert "Ikke skriv personopplysninger om barn eller familier." in page(client.get(url))
    response = client.post(
        url,
        {
            "type": "rutine",
            "tittel": "Rutine for oppfølging",
            "beskrivelse": "Felles rutine.",
            "lenke": "https://example.no/rutine",
            "fil": upload('Rutine "endelig"; v2.pdf', PDF_BYTES),
        },
    )
    assert response.status_code == 302
    output = Output.objects.get(prosjekt=proj)
    response = client.get(reverse("projects:output_file", args=[output.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Rutine_endelig_v2.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES
    # Same title again: a Norwegian error on the form.
    response = client.post(url, {"type": "mal", "tittel": "rutine for oppfølging", "beskrivelse": "x"})
    assert response.status_code == 400
    assert "Prosjektet har allerede et resultat med tittelen" in page(response)


def test_output_edit_and_delete_pages(client, proj, colleague, leader):
    output = services.add_output(colleague, proj, type="mal", tittel="Mal", beskrivelse="En mal.")
    client.force_login(colleague)
    url = reverse("projects:output_edit", args=[output.pk])
    response = client.post(url, {"type": "mal", "tittel": "Mal for samarbeidsavtale", "beskrivelse": "En mal."})
    assert response.status_code == 302
    output.refresh_from_db()
    assert output.tittel == "Mal for samarbeidsavtale"
    client.force_login(leader)
    client.post(reverse("projects:output_delete", args=[output.pk]))
    assert not Output.objects.filter(pk=output.pk).exists()


def test_file_download_permission(
    client, proj, colleague, sf, sf_agder, no_role_user, other_partner_user, askoy_leader
):
    output = services.add_output(
        colleague, proj, fil=upload("modell.pdf", PDF_BYTES), type="modell", tittel="Modell", beskrivelse="Modellen."
    )
    url = reverse("projects:output_file", args=[output.pk])
    for user in (sf_agder, no_role_user, other_partner_user, askoy_leader):
        client.force_login(user)
        assert client.get(url).status_code == 404  # not listed: as if it did not exist
    client.force_login(sf)
    assert client.get(url).status_code == 200
    services.set_listing(sf, proj, True)
    for user in (sf_agder, no_role_user, other_partner_user, askoy_leader):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="modell.pdf"'
    client.logout()
    assert client.get(url).status_code == 302
    # The output edit page stays closed to them.
    client.force_login(sf_agder)
    assert client.get(reverse("projects:output_edit", args=[output.pk])).status_code == 403


def test_output_without_file_is_404(client, proj, colleague):
    output = services.add_output(colleague, proj, type="mal", tittel="Mal", beskrivelse="En mal.")
    client.force_login(colleague)
    assert client.get(reverse("projects:output_file", args=[output.pk])).status_code == 404


# --- the grants page links to the project -------------------------------------------------------------------------


def test_application_page_links_to_the_project(client, proj, awarded, leader, sogndal_leader):
    client.force_login(leader)
    html = page(client.get(reverse("grants:application_detail", args=[awarded.soknad_id])))
    assert reverse("projects:project_detail", args=[proj.pk]) in html
