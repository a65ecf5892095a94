"""The national knowledge bank: every logged-in user searches listed projects by theme, category, orientation,
phase, embete, partner and free text; unlisted projects are invisible (404); the page's query count does not
grow with the number of results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from networks.models import Theme
from projects.selectors import projects as selectors
from projects.services import projects as services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]
URL = "projects:knowledge_bank"


def names(params) -> list[str]:
    return sorted(p.navn for p in selectors.knowledge_bank(params))


@pytest.fixture
def bank(proj, sf, network, agder_network, make_listed, theme, knowledge_partner, bufetat, colleague):
    """Three listed projects (two in Vestland, one in Agder) and the unlisted `proj`."""
    hoykonflikt = Theme.objects.get_or_create(navn="Høykonflikt")[0]
    a = make_listed(
        network,
        "Øvelse gjør mester",
        colleague,
        kategori="fosterhjem",
        fase="spredning",
        orientering="kompetanseutvikling",
        themes=[theme],
        outputs=["Opplæringsprogram for fosterforeldre"],
        partners=[knowledge_partner],
        beskrivelse="Opplæring av nye fosterhjem i hele regionen.",
    )
    b = make_listed(
        network,
        "Trygg overgang",
        colleague,
        kategori="egeninitiert",
        fase="avsluttet",
        orientering="tiltaksutvikling",
        themes=[hoykonflikt],
        outputs=["Samarbeidsavtale med familievernet"],
        partners=[bufetat],
        beskrivelse="Modell for samarbeid i høykonfliktsaker.",
    )
    c = make_listed(
        agder_network,
        "Sørlandsmodellen",
        colleague,
        kategori="egeninitiert",
        fase="pilot",
        themes=[theme, hoykonflikt],
        outputs=["Mal for tiltaksplan"],
        beskrivelse="Felles tiltaksplaner i Agder.",
    )
    return {"a": a, "b": b, "c": c, "hoykonflikt": hoykonflikt}


def test_unfiltered_bank_has_only_listed_projects(bank):
    assert names({}) == ["Sørlandsmodellen", "Trygg overgang", "Øvelse gjør mester"]


def test_each_filter(bank, theme, knowledge_partner, bufetat, agder, vestland):
    assert names({"tema": theme.pk}) == ["Sørlandsmodellen", "Øvelse gjør mester"]
    assert names({"tema": bank["hoykonflikt"].pk}) == ["Sørlandsmodellen", "Trygg overgang"]
    assert names({"kategori": "fosterhjem"}) == ["Øvelse gjør mester"]
    assert names({"orientering": "tiltaksutvikling"}) == ["Trygg overgang"]
    assert names({"fase": "avsluttet"}) == ["Trygg overgang"]
    assert names({"embete": agder.pk}) == ["Sørlandsmodellen"]
    assert names({"embete": vestland.pk}) == ["Trygg overgang", "Øvelse gjør mester"]
    assert names({"partner": knowledge_partner.pk}) == ["Øvelse gjør mester"]
    assert names({"partner": bufetat.pk}) == ["Trygg overgang"]
    assert names({"kategori": "egeninitiert", "tema": theme.pk}) == ["Sørlandsmodellen"]


def test_free_text_searches_projects_and_outputs(bank):
    assert names({"q": "tiltaksplan"}) == ["Sørlandsmodellen"]  # description and output title
    assert names({"q": "familievernet"}) == ["Trygg overgang"]  # output title only
    assert names({"q": "Beskrivelse av Mal"}) == ["Sørlandsmodellen"]  # output description, every word
    assert names({"q": "samarbeid høykonflikt"}) == ["Trygg overgang"]
    assert names({"q": "finnes ikke"}) == []
    # Norwegian letters in another case than written, on SQLite as on PostgreSQL.
    assert names({"q": "øvelse"}) == ["Øvelse gjør mester"]
    assert names({"q": "ØVELSE"}) == ["Øvelse gjør mester"]


def test_unlisted_project_is_not_found_anywhere(client, bank, proj, no_role_user):
    client.force_login(no_role_user)
    html = client.get(reverse(URL), {"q": "fellesskap"}).content.decode()
    assert "Fosterhjem i fellesskap" not in html
    assert client.get(reverse("projects:knowledge_bank_detail", args=[proj.pk])).status_code == 404
    assert client.get(reverse("projects:knowledge_bank_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "who", ["no_role_user", "partner_user", "other_partner_user", "agder_leader", "sf_agder", "bufdir"]
)
def test_every_logged_in_user_browses_the_bank(client, bank, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Øvelse gjør mester",
        "Statsforvalteren i Vestland",
        "Læringsnettverk Vest",
        "Spredning",
        "Fosterhjem",
        "Oppfølging av fosterhjem",
        "Opplæringsprogram for fosterforeldre",
        "RKBU Vest",
    ):
        assert text in html, text
    detail = client.get(reverse("projects:knowledge_bank_detail", args=[bank["a"].pk]))
    assert detail.status_code == 200
    assert "Opplæring av nye fosterhjem i hele regionen." in detail.content.decode()


def test_search_form_on_the_page(client, bank, no_role_user, agder):
    client.force_login(no_role_user)
    html = client.get(reverse(URL), {"embete": agder.pk}).content.decode()
    assert "Sørlandsmodellen" in html and "Trygg overgang" not in html
    assert "1 prosjekt passer søket." in html
    for label in ("Tema", "Kategori", "Retning", "Fase", "Embete", "Partner", "Søk i prosjekter og resultater"):
        assert f">{label}</label>" in html, label


def test_detail_shows_outputs_partners_services_and_contacts(client, proj, sf, leader, colleague, knowledge_partner):
    services.set_project_leader(sf, proj, leader)
    services.add_contact(sf, proj, colleague, "Koordinator")
    services.add_partner(sf, proj, knowledge_partner, "Veileder for prosjektgruppen.", proj.deltakelse.first().fra_dato)
    from .conftest import PDF_BYTES, upload

    output = services.add_output(
        colleague,
        proj,
        fil=upload("modell.pdf", PDF_BYTES),
        lenke="https://example.no/modell",
        type="modell",
        tittel="Modell for felles veiledning",
        beskrivelse="Slik veileder vi fosterhjem sammen.",
        i_bruk_andre=True,
        i_bruk_beskrivelse="Askøy har tatt den i bruk.",
    )
    services.set_listing(sf, proj, True)
    client.force_login(sf)
    html = client.get(reverse("projects:knowledge_bank_detail", args=[proj.pk])).content.decode()
    for text in (
        "Felles veiledning av fosterhjem på tvers av kommunene.",
        "Modell for felles veiledning",
        reverse("projects:output_file", args=[output.pk]),
        "https://example.no/modell",
        "Askøy har tatt den i bruk.",
        "RKBU Vest",
        "Veileder for prosjektgruppen.",
        "Barneverntjenesten i Bergen",
        "Barnevernstenesta i Voss",
        leader.email,
        colleague.email,
        "Koordinator",
        "350\u00a0000\u00a0kr",
    ):
        assert text in html, text


def test_bank_query_count_is_constant(
    client, network, agder_network, make_listed, colleague, knowledge_partner, no_role_user
):
    def add(n, start):
        for i in range(start, start + n):
            theme = Theme.objects.create(navn=f"Tema {i}")
            make_listed(
                network if i % 2 else agder_network,
                f"Prosjekt {i}",
                colleague,
                themes=[theme],
                outputs=[f"Resultat {i}a", f"Resultat {i}b"],
                partners=[knowledge_partner],
            )

    client.force_login(no_role_user)
    add(2, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(URL)).status_code == 200
    add(12, 2)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(URL), {"q": "prosjekt"}).status_code == 200
    with CaptureQueriesContext(connection) as plain:
        assert client.get(reverse(URL)).status_code == 200
    assert len(plain) == len(small)
    assert len(large) == len(small)
