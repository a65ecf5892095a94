"""The appeal pages (grants.views_appeals): the statsforvalter's outcome with a confirmation step, Bufdir's queue,
case page and decision (confirmed first), the letters on the application page, and Bufdir's start page."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.money import kr
from grants import appeals, services
from grants.models import Appeal, Application

from .conftest import APPLIED, make_assessed, make_submitted

pytestmark = pytest.mark.usefixtures("tasks", "clock", "no_mfa")


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def decided(sf, assessed, frame):
    services.decide(sf, assessed, utfall="delvis_innvilget", belop="300000", begrunnelse="Budsjettet er for høyt.")
    return Application.objects.get(pk=assessed.pk)


@pytest.fixture
def forwarded(sf, leader, decided):
    appeal = services.file_appeal(leader, decided.vedtak, "Vi trenger hele beløpet til veiledning.")
    return appeals.resolve_appeal(sf, appeal, utfall="ikke_medhold", begrunnelse="Rammen er fordelt etter plan.")


def test_the_statsforvalter_confirms_before_forwarding(client, sf, leader, decided):
    appeal = services.file_appeal(leader, decided.vedtak, "Mer")
    client.force_login(sf)
    url = reverse("grants:resolve_appeal", args=[appeal.pk])
    data = {f"klage-{appeal.pk}-utfall": "medhold", f"klage-{appeal.pk}-begrunnelse": "Ja, riktig."}
    missing = client.post(url, data)  # medhold without an amount: the form again, with the message and the text
    assert missing.status_code == 400
    page = html(missing)
    assert "Skriv det nye tildelte beløpet." in page and "Ja, riktig." in page
    data[f"klage-{appeal.pk}-utfall"] = "ikke_medhold"
    confirm = client.post(url, data)
    page = html(confirm)
    assert confirm.status_code == 200
    assert "Oversendelsesbrev (klagen sendes Bufdir)" in page
    assert "Klagen sendes til Bufdir, som er klageinstans" in page
    assert "Barneverntjenesten i Bergen" in page and "Bokmål" in page and kr(300000) in page
    assert Appeal.objects.get().utfall == ""  # nothing happened yet
    back = client.post(url, {**data, "bekreft": "tilbake"})
    assert back.status_code == 200 and "Ja, riktig." in html(back)  # the form again, as typed
    assert Appeal.objects.get().utfall == ""
    done = client.post(url, {**data, "bekreft": "ja"})
    assert done.status_code == 302
    assert Appeal.objects.get().at_bufdir


def test_bufdir_sees_the_queue_and_others_do_not(client, sf, bufdir, leader, forwarded, django_assert_max_num_queries):
    url = reverse("grants:appeal_queue")
    for user in (sf, leader):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(bufdir)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    page = html(response)
    assert response.status_code == 200
    assert reverse("grants:appeal_case", args=[forwarded.pk]) in page
    assert "1 klage venter" in page
    start = html(client.get("/"))
    assert reverse("grants:appeal_queue") in start and "klage venter på Bufdirs vedtak" in start


def test_the_queue_has_a_constant_number_of_queries(
    client, sf, bufdir, leader, forwarded, rnd, network, bergen, voss, django_assert_max_num_queries
):
    client.force_login(bufdir)
    url = reverse("grants:appeal_queue")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for navn in ("B", "C"):
        application = make_assessed(sf, make_submitted(leader, rnd, network, [bergen, voss], navn=f"Prosjekt {navn}"))
        decision = services.decide(sf, application, utfall="avslatt", begrunnelse="Nei")
        appeal = services.file_appeal(leader, decision, "Klage")
        appeals.resolve_appeal(sf, appeal, utfall="ikke_medhold", begrunnelse="Nei")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert "3 klager venter" in html(response)


def test_bufdir_reads_the_case_papers_and_decides_after_confirming(client, sf, bufdir, leader, decided, forwarded):
    client.force_login(bufdir)
    case = reverse("grants:appeal_case", args=[forwarded.pk])
    page = html(client.get(case))
    for paper in (
        "Budsjettet er for høyt.",  # the decision's reasons
        "Vi trenger hele beløpet til veiledning.",  # the appeal
        "Rammen er fordelt etter plan.",  # the statsforvalter's assessment
        decided.referanse,
        'name="bufdir-utfall"',
    ):
        assert paper in page
    decide = reverse("grants:appeal_decide", args=[forwarded.pk])
    missing = client.post(decide, {"bufdir-utfall": "endret", "bufdir-begrunnelse": "Veiledning er sentralt."})
    assert missing.status_code == 400
    assert "Skriv beløpet vedtaket endres til." in html(missing) and "Veiledning er sentralt." in html(missing)
    data = {"bufdir-utfall": "endret", "bufdir-belop": "340 000", "bufdir-begrunnelse": "Veiledning er sentralt."}
    confirm = client.post(decide, data)
    assert confirm.status_code == 200
    assert kr(340000) in html(confirm) and "Vedtak i klagesak fra Bufdir" in html(confirm)
    assert Appeal.objects.get(pk=forwarded.pk).at_bufdir
    done = client.post(decide, {**data, "bekreft": "ja"})
    assert done.status_code == 302
    forwarded.refresh_from_db()
    assert (forwarded.bufdir_utfall, forwarded.bufdir_belop) == ("endret", Decimal("340000"))
    # The application page shows the effective outcome.
    client.force_login(leader)
    page = html(client.get(reverse("grants:application_detail", args=[decided.pk])))
    assert f"Delvis innvilget {kr(300000)}, endret etter klage: delvis innvilget {kr(340000)}" in page


def test_others_may_not_open_or_decide_a_case(client, sf, sf_agder, leader, forwarded):
    # Who reads the application is refused (403); who may not see it does not learn the appeal exists (404).
    for user, status in ((sf, 403), (leader, 403), (sf_agder, 404)):
        client.force_login(user)
        assert client.get(reverse("grants:appeal_case", args=[forwarded.pk])).status_code == status
        response = client.post(
            reverse("grants:appeal_decide", args=[forwarded.pk]),
            {"bufdir-utfall": "stadfestet", "bufdir-begrunnelse": "Ja", "bekreft": "ja"},
        )
        assert response.status_code == status
    assert Appeal.objects.get(pk=forwarded.pk).at_bufdir


def test_the_letters_are_on_the_application_for_those_who_may_read_it(
    client, sf, leader, sogndal_leader, decided, forwarded
):
    forwarded.brev.save("oversendelsesbrev-test.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    url = reverse("grants:appeal_letter", args=[forwarded.pk, "statsforvalter"])
    client.force_login(leader)
    page = html(client.get(reverse("grants:application_detail", args=[decided.pk])))
    assert url in page and "Oversendelsesbrev (PDF)" in page
    assert "Klagen er sendt til Bufdir og er ikke avgjort ennå." in page
    assert 'name="klage-begrunnelse"' not in page  # no new appeal while Bufdir has this one
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(reverse("grants:appeal_letter", args=[forwarded.pk, "bufdir"])).status_code == 404  # none yet
    client.force_login(sogndal_leader)
    assert client.get(url).status_code == 404


def test_the_board_and_list_show_the_effective_outcome(client, sf, leader, decided, rnd):
    appeal = services.file_appeal(leader, decided.vedtak, "Mer")
    appeals.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Ja", nytt_belop=str(APPLIED))
    client.force_login(sf)
    label = f"Delvis innvilget {kr(300000)}, endret etter klage: innvilget {kr(APPLIED)}"
    assert label in html(client.get(reverse("grants:board", args=[rnd.pk, "fosterhjem"])))
    assert label in html(client.get(reverse("grants:application_list")))
