"""Requests for information and case messages over HTTP (grants.views_information): the statsforvalter's request
form (a wild deadline is refused with the text kept), the applicants' edit, answer and resubmission, the case
dialogue with a constant query count, the list of open requests with the overdue ones marked, and denials."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import information
from grants.models import ApplicationStatus, ApplicationVersion, CaseMessage

from .conftest import OSLO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]

S = ApplicationStatus
QUESTION = "Hvem leder prosjektet i Voss?"


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def waiting(sf, application, frist=datetime.date(2026, 2, 16)):
    information.request_information(sf, application, melding=QUESTION, frist=frist)
    application.refresh_from_db()
    return application


def test_the_statsforvalter_sends_the_application_back_and_a_wild_deadline_is_refused(client, sf, submitted):
    login(client, sf)
    detail = html(client.get(reverse("grants:application_detail", args=[submitted.pk])))
    assert reverse("grants:information_request", args=[submitted.pk]) in detail
    url = reverse("grants:information_request", args=[submitted.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Ikke skriv personopplysninger om barn eller familier." in html(page)

    refused = client.post(url, {"melding": QUESTION, "frist": "9999-12-31"})
    assert refused.status_code == 400
    assert "Datoen må være mellom 01.01.2000 og 31.12.2041. Sjekk årstallet" in html(refused)  # every date field
    assert QUESTION in html(refused)  # nothing typed is lost
    too_late = client.post(url, {"melding": QUESTION, "frist": "2026-06-01"})
    assert too_late.status_code == 400
    assert "Svarfristen kan være høyst tre måneder fram i tid, senest 05.05.2026." in html(too_late)
    assert QUESTION in html(too_late)
    submitted.refresh_from_db()
    assert submitted.status == S.SENDT_INN

    done = client.post(url, {"melding": QUESTION, "frist": "16.02.2026"})
    assert done.status_code == 302 and done.url == reverse("grants:information_case", args=[submitted.pk])
    submitted.refresh_from_db()
    assert submitted.status == S.VENTER_OPPLYSNINGER


def test_the_applicants_edit_answer_and_resubmit(client, sf, submitted, colleague):
    waiting(sf, submitted)
    login(client, colleague)
    detail = html(client.get(reverse("grants:application_detail", args=[submitted.pk])))
    assert QUESTION in detail and "Svarfrist 16.02.2026." in detail and "Venter på opplysninger" in detail
    assert reverse("grants:information_answer", args=[submitted.pk]) in detail
    edit = client.get(reverse("grants:application_edit", args=[submitted.pk]))
    assert edit.status_code == 200  # editable again while it waits
    assert reverse("grants:information_answer", args=[submitted.pk]) in html(edit)

    url = reverse("grants:information_answer", args=[submitted.pk])
    empty = client.post(url, {"svar": ""})
    assert empty.status_code == 400 and ApplicationVersion.objects.filter(soknad=submitted).count() == 1
    done = client.post(url, {"svar": "Prosjektlederen er fra Voss."})
    assert done.status_code == 302 and done.url == reverse("grants:application_versions", args=[submitted.pk])
    version = ApplicationVersion.objects.get(soknad=submitted, nummer=2)
    assert version.kommentar == "Svar på anmodning om opplysninger: Prosjektlederen er fra Voss."
    submitted.refresh_from_db()
    assert submitted.status == S.UNDER_BEHANDLING
    assert client.get(reverse("grants:application_edit", args=[submitted.pk])).status_code == 403  # locked again
    again = client.post(url, {"svar": "En gang til."})
    assert again.status_code == 302 and ApplicationVersion.objects.filter(soknad=submitted).count() == 2


def test_messages_both_ways_and_the_dialogue_costs_the_same_queries_however_long(
    client, sf, submitted, leader, voss_leader
):
    url = reverse("grants:information_case", args=[submitted.pk])
    login(client, leader)
    page = client.get(url)
    assert "Ikke skriv personopplysninger om barn eller familier." in html(page)
    assert client.post(url, {"tekst": "Trenger dere signert avtale?"}).status_code == 302
    login(client, sf)
    assert client.post(url, {"tekst": "Ja, takk."}).status_code == 302
    assert [(m.avsender, m.fra_statsforvalter) for m in CaseMessage.objects.order_by("id")] == [
        (leader, False),
        (sf, True),
    ]
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        information.write_message(voss_leader, submitted, tekst=f"Melding {n}")
    waiting(sf, submitted)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert "Melding 4" in html(page) and QUESTION in html(page)
    assert len(many) <= len(few) + 1  # the open request's deadline is the only extra read


def test_outsiders_are_turned_away_and_nothing_changes(client, sf_agder, bufdir, leader, sogndal_leader, submitted):
    case = reverse("grants:information_case", args=[submitted.pk])
    login(client, sf_agder)
    assert client.get(case).status_code == 404
    login(client, sogndal_leader)
    assert client.post(case, {"tekst": "Hei"}).status_code == 404
    login(client, bufdir)
    assert client.get(case).status_code == 200  # Bufdir reads the case
    assert client.post(case, {"tekst": "Hei"}).status_code == 403
    login(client, leader)
    request_url = reverse("grants:information_request", args=[submitted.pk])
    assert client.post(request_url, {"melding": QUESTION, "frist": "2026-02-16"}).status_code == 403
    assert CaseMessage.objects.count() == 0
    submitted.refresh_from_db()
    assert submitted.status == S.SENDT_INN


def test_the_statsforvalter_sees_overdue_answers(client, sf, submitted, leader, clock):
    waiting(sf, submitted)
    url = reverse("grants:information_open")
    login(client, sf)
    page = html(client.get(url))
    assert submitted.referanse in page and "fristen er passert" not in page
    clock.move_to(datetime.datetime(2026, 2, 17, 9, 0, tzinfo=OSLO))
    login(client, sf)  # a new day, a new session
    page = html(client.get(url))
    assert "1 med fristen passert" in page and "fristen er passert" in page
    assert "Fristen er passert." in html(client.get(reverse("grants:application_detail", args=[submitted.pk])))
    start = html(client.get(reverse("home")))
    assert '<span class="stat">1</span><a class="ds-link" href="/midler/soknader/opplysninger/">' in start
    login(client, leader)
    assert client.get(url).status_code == 403
