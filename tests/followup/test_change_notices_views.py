"""Change-notice pages: «Meld endring» from the application and project pages, the form (bad input keeps what was
typed and changes nothing; the warning about children), the decide page with what will change, the list (the
statsforvalter's waiting notices, constant query counts), and refusals (403 in scope, 404 outside it)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import ChangeNotice, ChangeStatus
from followup.services import changes as services
from projects.models import DevelopmentProject

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]
LIST = reverse("projects:change_list")
END = datetime.date(2027, 12, 31)
CHILDREN = "Skriv ikke opplysninger om enkeltbarn eller familier i meldingen."


@pytest.fixture
def application(awarded):
    DevelopmentProject.objects.filter(pk=awarded.soknad.prosjekt_id).update(
        planlagt_start=datetime.date(2026, 1, 1), planlagt_slutt=END
    )
    return awarded.soknad


def html(response) -> str:
    return response.content.decode()


def as_user(client, user):
    client.force_login(user)
    return client


def create_url(application):
    return reverse("projects:change_create", args=[application.pk])


def send(leader, application, **kwargs):
    data = {"type": "forsinkelse", "beskrivelse": "Forsinket oppstart.", "ny_sluttdato": datetime.date(2028, 6, 30)}
    return services.send_notice(leader, application, **{**data, **kwargs})


def test_the_application_and_project_pages_link_to_the_change_notices(client, leader, application):
    url = reverse("projects:application_changes", args=[application.pk])
    assert url in html(as_user(client, leader).get(reverse("grants:application_detail", args=[application.pk])))
    assert url in html(client.get(reverse("projects:project_detail", args=[application.prosjekt_id])))
    page = html(client.get(url))
    assert create_url(application) in page  # «Meld endring»
    assert "Godkjent budsjett" in page


def test_the_form_warns_about_children_and_sends_a_notice(client, leader, application):
    client = as_user(client, leader)
    assert CHILDREN in html(client.get(create_url(application)))
    response = client.post(
        create_url(application),
        {
            "type": "omdisponering",
            "beskrivelse": "Mer til samlinger.",
            "flytt_1_fra_post": "stilling",
            "flytt_1_til_post": "samlinger",
            "flytt_1_belop": "20 000",
        },
    )
    notice = ChangeNotice.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:change_detail", args=[notice.pk])
    assert [(m.fra_post, m.til_post, str(m.belop)) for m in notice.flyttinger.all()] == [
        ("stilling", "samlinger", "20000.00")
    ]


def test_bad_input_keeps_what_was_typed_and_changes_nothing(client, leader, application):
    client = as_user(client, leader)
    response = client.post(
        create_url(application),
        {
            "type": "omdisponering",
            "beskrivelse": "Vi trenger mer til veiledning.",
            "flytt_1_fra_post": "samlinger",
            "flytt_1_til_post": "kompetanse",
            "flytt_1_belop": "5000",
        },
    )
    assert response.status_code == 400
    page = html(response)
    assert "Dere kan ikke flytte mer enn det som står på «Samlinger og reiser»" in page
    assert "Vi trenger mer til veiledning." in page
    assert 'value="5000"' in page
    assert not ChangeNotice.objects.exists()


def test_the_decide_page_shows_what_will_change_and_approval_applies_it(client, sf, leader, application):
    notice = send(leader, application)
    client = as_user(client, sf)
    url = reverse("projects:change_decide", args=[notice.pk])
    page = html(client.get(url))
    assert "Dette skjer hvis du godkjenner" in page
    assert "Prosjektets planlagte sluttdato endres fra 31.12.2027 til 30.06.2028." in page
    response = client.post(url, {"utfall": "godkjent", "svar": ""})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == ChangeStatus.GODKJENT
    assert DevelopmentProject.objects.get(pk=application.prosjekt_id).planlagt_slutt == datetime.date(2028, 6, 30)
    assert "Prosjektets planlagte sluttdato endres" in html(
        client.get(reverse("projects:change_detail", args=[notice.pk]))
    )


def test_a_rejection_without_reasons_is_refused_on_the_page(client, sf, leader, application):
    notice = send(leader, application)
    response = as_user(client, sf).post(reverse("projects:change_decide", args=[notice.pk]), {"utfall": "avslatt"})
    assert response.status_code == 400
    assert "Skriv en begrunnelse når endringen avslås." in html(response)
    notice.refresh_from_db()
    assert notice.status == ChangeStatus.SENDT


def test_refusals(client, leader, sf_agder, agder_leader, application):
    notice = send(leader, application)
    detail = reverse("projects:change_detail", args=[notice.pk])
    decide = reverse("projects:change_decide", args=[notice.pk])
    assert as_user(client, leader).post(decide, {"utfall": "godkjent"}).status_code == 403  # applicants cannot approve
    assert as_user(client, sf_agder).get(detail).status_code == 404  # another embete
    assert as_user(client, agder_leader).get(create_url(application)).status_code == 404  # another service
    notice.refresh_from_db()
    assert notice.status == ChangeStatus.SENDT


def test_the_statsforvalter_sees_waiting_notices_with_a_constant_number_of_queries(
    client, sf, leader, colleague, application
):
    client = as_user(client, sf)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    send(leader, application)
    one = count()
    send(leader, application, type="innhold")
    send(colleague, application, type="ubrukt", forventet_ubrukt="1000", ny_sluttdato=None)
    assert count() == one
    page = html(client.get(LIST))
    assert page.count(reverse("projects:change_detail", args=[ChangeNotice.objects.first().pk])) == 1
    assert "Forventet ubrukte midler" in page


def test_the_list_is_empty_for_someone_outside(client, sf_agder, leader, application, django_assert_max_num_queries):
    send(leader, application)
    with django_assert_max_num_queries(20):  # the base page (session, menus, counts) included
        page = html(as_user(client, sf_agder).get(LIST))
    assert "Ingen endringsmeldinger." in page
