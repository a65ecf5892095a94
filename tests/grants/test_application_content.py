"""Everything the applicants entered is shown: on the application page (applicants and staff), on the submit page
before «Send inn søknaden», and in every locked version, which can be read in full and compared with the one
before it. One shape (grants/selectors_content.py: content, stored by services.snapshot) and one partial
(templates/grants/_application_content.html). The project created from an application carries its services and
partners once the application is sent in."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from common.money import kr
from grants import selectors_content, services
from grants.models import ApplicationVersion
from projects.models import ProjectPartner, ProjectService
from tests import factories

from .conftest import make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ROLE = "Veileder for prosjektgruppa og fagdager"
TIMELINE = "Mars–desember 2026."


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def pdf(name="samarbeidsavtale.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def full_draft(leader, rnd, network, bergen, voss, knowledge_partner, ks_partner):
    """Bergen (lead) and Voss, two partners with roles, two budget lines, a timeline and an attachment."""
    draft = make_draft(
        leader,
        rnd,
        network,
        kategori="egeninitiert",
        tjenester=[bergen, voss],
        partnere=[
            {"partner": knowledge_partner, "rolle": ROLE},
            {"partner": ks_partner, "rolle": "Forankring i kommunene"},
        ],
    )
    services.add_attachment(leader, draft, tittel="Samarbeidsavtale", fil=pdf())
    return draft


@pytest.fixture
def full_submitted(leader, full_draft):
    return services.submit(leader, full_draft)


def assert_everything(page: str, application) -> None:
    for text in (
        "Bedre oppfølging av fosterhjem i hele regionen.",  # mål
        "Felles veiledning og samlinger.",  # aktiviteter
        TIMELINE,  # tidsplan
        "RKBU Vest",
        ROLE,
        "KS Vestland",
        "Forankring i kommunene",
        "Prosjektleder 50 %",
        "Veiledning fra RKBU Vest",
        kr(Decimal("300000")),
        kr(Decimal("400000")),  # the budget's sum
        kr(Decimal("50000")),  # annen finansiering
        kr(Decimal("350000")),  # søknadsbeløp
        "Barneverntjenesten i Bergen",
        "Barnevernstenesta i Voss",
        "(ansvarlig søker)",
        "Samarbeidsavtale",
    ):
        assert text in page, text
    attachment = application.vedlegg.get()
    assert reverse("grants:attachment_download", args=[attachment.pk]) in page


# --- the application page ------------------------------------------------------------------------------------


def test_the_page_shows_everything_to_the_applicants_and_the_staff(client, full_submitted, leader, sf, bufdir):
    url = reverse("grants:application_detail", args=[full_submitted.pk])
    for user in (leader, sf, bufdir):
        page = html(login(client, user).get(url))
        assert_everything(page, full_submitted)
    # the lead applicant is marked next to its own name, not the co-applicant's
    page = html(login(client, sf).get(url))
    assert "Barneverntjenesten i Bergen <strong>(ansvarlig søker)</strong>" in page
    assert "Barnevernstenesta i Voss <strong>" not in page


def test_the_draft_page_shows_everything_to_the_applicants(client, full_draft, leader):
    page = html(login(client, leader).get(reverse("grants:application_detail", args=[full_draft.pk])))
    assert_everything(page, full_draft)


def test_the_page_does_not_query_per_line_partner_or_attachment(client, full_submitted, leader, sf, rnd, network):
    url = reverse("grants:application_detail", args=[full_submitted.pk])
    login(client, sf)
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as small:
        html(client.get(url))
    bigger = make_draft(
        leader,
        rnd,
        network,
        navn="Større prosjekt",
        tjenester=list(full_submitted.tjenester.all()),
        budsjett=[{"type": "annet", "beskrivelse": f"Linje {i}", "belop": "10000"} for i in range(8)],
        annen_finansiering=Decimal("0"),
        partnere=[{"partner": factories.PartnerFactory(navn=f"Partner {i}"), "rolle": f"Rolle {i}"} for i in range(6)],
    )
    for i in range(4):
        services.add_attachment(leader, bigger, tittel=f"Vedlegg {i}", fil=pdf(f"vedlegg-{i}.pdf"))
    bigger = services.submit(leader, bigger)
    big_url = reverse("grants:application_detail", args=[bigger.pk])
    client.get(big_url)
    with CaptureQueriesContext(connection) as big:
        page = html(client.get(big_url))
    assert "Rolle 5" in page and "Linje 7" in page and "Vedlegg 3" in page
    assert len(big) == len(small), [q["sql"] for q in big.captured_queries]


def test_the_page_stays_within_its_query_budget(client, full_submitted, sf, django_assert_max_num_queries):
    url = reverse("grants:application_detail", args=[full_submitted.pk])
    login(client, sf)
    client.get(url)
    with django_assert_max_num_queries(40):
        html(client.get(url))


# --- the submit page -------------------------------------------------------------------------------------------


def test_the_submit_page_shows_the_application_as_it_will_be_sent(client, full_draft, leader):
    page = html(login(client, leader).get(reverse("grants:application_submit", args=[full_draft.pk])))
    assert "Slik blir søknaden sendt inn" in page
    assert_everything(page, full_draft)
    # the content comes before the irreversible button
    assert page.index(ROLE) < page.index("Send inn søknaden</button>")


def test_the_submit_page_with_problems_still_shows_the_content_and_no_button(client, leader, rnd, network, bergen):
    draft = make_draft(leader, rnd, network, tjenester=[bergen])  # one service: cannot be sent in
    page = html(login(client, leader).get(reverse("grants:application_submit", args=[draft.pk])))
    assert "Minst to barnevernstjenester" in page
    assert TIMELINE in page and "Prosjektleder 50 %" in page
    assert "Send inn søknaden</button>" not in page


# --- what a version holds ----------------------------------------------------------------------------------------


def test_a_version_holds_everything_the_applicants_entered(full_submitted, knowledge_partner):
    content = full_submitted.versjoner.get().innhold
    assert content["tidsplan"] == TIMELINE
    assert content["ansvarlig_soker"] == "Barneverntjenesten i Bergen"
    assert content["tjenester"] == ["Barnevernstenesta i Voss", "Barneverntjenesten i Bergen"]
    assert {"partner": "RKBU Vest", "type": knowledge_partner.type, "rolle": ROLE} in content["partnere"]
    (attachment,) = content["vedlegg"]
    assert (attachment["tittel"], attachment["filnavn"], attachment["storrelse"]) == (
        "Samarbeidsavtale",
        "samarbeidsavtale.pdf",
        len(PDF_BYTES),
    )
    assert (content["budsjett_sum"], content["soknadsbelop"]) == ("400000.00", "350000.00")
    assert content["nettverk"] == "Læringsnettverk Vest"


def second_version(application, user, **changes) -> ApplicationVersion:
    first = application.versjoner.get(nummer=1)
    return ApplicationVersion.objects.create(
        soknad=application, nummer=2, innhold={**first.innhold, **changes}, opprettet_av=user, kommentar="Svar"
    )


# --- reading a version -----------------------------------------------------------------------------------------


def test_a_version_can_be_read_in_full_by_applicants_and_staff(client, full_submitted, leader, sf, bufdir):
    url = reverse("grants:application_version", args=[full_submitted.pk, 1])
    for user in (leader, sf, bufdir):
        assert_everything(html(login(client, user).get(url)), full_submitted)


def test_a_version_shows_its_own_content_not_the_live_one(client, full_submitted, leader):
    second_version(full_submitted, leader, maal="Et nytt mål i versjon 2.", tidsplan="Hele 2027.")
    login(client, leader)
    first = html(client.get(reverse("grants:application_version", args=[full_submitted.pk, 1])))
    second = html(client.get(reverse("grants:application_version", args=[full_submitted.pk, 2])))
    assert TIMELINE in first and "Hele 2027." not in first
    assert "Hele 2027." in second and "Et nytt mål i versjon 2." in second
    assert reverse("grants:application_version_compare", args=[full_submitted.pk, 2]) in second


def test_a_version_from_before_the_shape_grew_is_still_read(client, full_submitted, leader):
    """Versions stored before partners had their own fields (\u00abnavn: rolle\u00bb, file names only)."""
    second_version(full_submitted, leader, partnere=["RKBU Vest: Gammel rolle"], vedlegg=["gammel.pdf"])
    page = html(login(client, leader).get(reverse("grants:application_version", args=[full_submitted.pk, 2])))
    assert "RKBU Vest" in page and "Gammel rolle" in page and "gammel.pdf" in page


def test_the_versions_list_links_each_version_and_its_comparison(client, full_submitted, leader):
    second_version(full_submitted, leader, maal="Nytt mål")
    page = html(login(client, leader).get(reverse("grants:application_versions", args=[full_submitted.pk])))
    assert reverse("grants:application_version", args=[full_submitted.pk, 1]) in page
    assert reverse("grants:application_version", args=[full_submitted.pk, 2]) in page
    assert reverse("grants:application_version_compare", args=[full_submitted.pk, 2]) in page
    assert "Endringer fra versjon 1 til 2" in page and "Nytt mål" in page


# --- comparing versions ----------------------------------------------------------------------------------------


def test_compare_lists_the_changed_fields_readably(full_submitted, leader):
    old = full_submitted.versjoner.get().innhold
    new = {
        **old,
        "maal": "Et skarpere mål.",
        "partnere": [*old["partnere"], {"partner": "NUBU", "type": "nubu", "rolle": "Fagstøtte"}],
        "budsjett": [old["budsjett"][0], {"type": "kompetanse", "beskrivelse": "Veiledning", "belop": "150000.00"}],
        "budsjett_sum": "450000.00",
        "soknadsbelop": "400000.00",
    }
    rows = {row["field"]: row for row in selectors_content.compare(old, new)}
    assert list(rows) == ["maal", "partnere", "budsjett", "budsjett_sum", "soknadsbelop"]
    assert (rows["maal"]["before"], rows["maal"]["after"]) == (
        "Bedre oppfølging av fosterhjem i hele regionen.",
        "Et skarpere mål.",
    )
    assert rows["partnere"] == {
        "field": "partnere",
        "label": "Partnere (kompetansemiljø)",
        "kind": "list",
        "removed": [],
        "added": ["NUBU – rolle: Fagstøtte"],
    }
    assert rows["budsjett"]["removed"] == [f"Ekstern kompetanse/veiledning – Veiledning fra RKBU Vest – {kr(100000)}"]
    assert rows["budsjett"]["added"] == [f"Ekstern kompetanse/veiledning – Veiledning – {kr(150000)}"]
    assert (rows["soknadsbelop"]["before"], rows["soknadsbelop"]["after"]) == (kr(350000), kr(400000))
    assert selectors_content.compare(old, old) == []


def test_the_compare_page_shows_the_changed_fields(client, full_submitted, leader, sf):
    second_version(full_submitted, leader, maal="Et skarpere mål.", tidsplan="Hele 2027.")
    url = reverse("grants:application_version_compare", args=[full_submitted.pk, 2])
    for user in (leader, sf):
        page = html(login(client, user).get(url))
        assert "Endringer fra versjon 1 til 2" in page
        assert 'data-field="maal"' in page and 'data-field="tidsplan"' in page
        assert 'data-field="budsjett"' not in page  # unchanged fields are left out
        assert "Et skarpere mål." in page and TIMELINE in page and "Hele 2027." in page


def test_comparing_the_first_version_says_there_is_nothing_before_it(client, full_submitted, leader):
    page = html(login(client, leader).get(reverse("grants:application_version_compare", args=[full_submitted.pk, 1])))
    assert "det er ingen tidligere versjon" in page


def test_the_version_pages_do_not_query_per_version(client, full_submitted, leader, django_assert_max_num_queries):
    second_version(full_submitted, leader, maal="Nytt mål")
    login(client, leader)
    for name in ("grants:application_version", "grants:application_version_compare"):
        url = reverse(name, args=[full_submitted.pk, 2])
        client.get(url)
        with django_assert_max_num_queries(25):
            html(client.get(url))


# --- denial ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["grants:application_version", "grants:application_version_compare"])
def test_others_may_not_read_the_versions(client, name, full_submitted, agder_leader, sf_agder, sogndal_leader):
    url = reverse(name, args=[full_submitted.pk, 1])
    for user in (agder_leader, sf_agder, sogndal_leader):
        assert login(client, user).get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_a_version_that_does_not_exist_is_404(client, full_submitted, full_draft, leader):
    login(client, leader)
    assert client.get(reverse("grants:application_version", args=[full_submitted.pk, 2])).status_code == 404
    assert client.get(reverse("grants:application_version_compare", args=[full_submitted.pk, 0])).status_code == 404


def test_a_draft_has_no_versions_to_read(client, leader, rnd, network, bergen, voss):
    draft = make_draft(leader, rnd, network, navn="Uten versjon", tjenester=[bergen, voss])
    assert login(client, leader).get(reverse("grants:application_version", args=[draft.pk, 1])).status_code == 404


# --- the project carries the application ------------------------------------------------------------------------


def open_services(project) -> set[str]:
    return set(
        ProjectService.objects.filter(prosjekt=project, til_dato__isnull=True).values_list("tjeneste__navn", flat=True)
    )


def test_the_project_gets_the_applying_services_and_partners_when_sent_in(full_draft, leader, knowledge_partner):
    project = full_draft.prosjekt
    assert open_services(project) == {"Barneverntjenesten i Bergen"}
    assert not ProjectPartner.objects.filter(prosjekt=project).exists()
    submitted = services.submit(leader, full_draft)
    assert open_services(project) == {"Barneverntjenesten i Bergen", "Barnevernstenesta i Voss"}
    partners = {p.partner.navn: p.rolle for p in ProjectPartner.objects.filter(prosjekt=project, til_dato__isnull=True)}
    assert partners == {"RKBU Vest": ROLE, "KS Vestland": "Forankring i kommunene"}
    added = AuditEvent.objects.filter(handling__in=["prosjekt.tjeneste_lagt_til", "prosjekt.partner_lagt_til"])
    assert added.count() == 3
    assert {e.endringer.get("soknad") for e in added} == {submitted.referanse}
    # idempotent: sending in again (after a request for more information) adds nobody twice
    services.carry_into_project(leader, submitted)
    assert ProjectService.objects.filter(prosjekt=project).count() == 2
    assert ProjectPartner.objects.filter(prosjekt=project).count() == 2


def test_a_service_already_in_the_project_is_not_added_twice(leader, rnd, network, bergen, voss, askoy):
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    ProjectService.objects.create(prosjekt=draft.prosjekt, tjeneste=voss, fra_dato=draft.utlysning.apner)
    services.submit(leader, draft)
    assert ProjectService.objects.filter(prosjekt=draft.prosjekt, tjeneste=voss).count() == 1
    assert askoy.navn not in open_services(draft.prosjekt)
