"""The applicant side of grants over HTTP: the services' applications (create, edit, autosave, attachments, submit
with receipt, withdraw, versions). Every URL is tried by the roles that may and may not use it (the frames and
rounds pages in test_views_frames.py and test_views_rounds.py)."""

import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from common import money
from grants import services, views_applicant, views_frames, views_rounds
from grants.models import (
    Application,
    ApplicationRound,
    ApplicationStatus,
    ApplicationVersion,
    Attachment,
    BudgetLine,
)
from tests import factories

from .conftest import OSLO, make_assessed, make_round, make_submitted, set_frame

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "no_mfa")]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def rnd(sf, g2021, clock) -> ApplicationRound:
    """The published 2026 Vestland round, with the real tasks (no recorder): e-mails are sent on commit."""
    return make_round(sf, g2021)


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def draft_post(application, **overrides) -> dict:
    """A full POST of the draft form: two budget lines, two services, no partners."""
    tjenester = overrides.pop("tjenester", [s.pk for s in application.tjenester.all()])
    data = {
        "maal": "Bedre oppfølging av fosterhjem.",
        "aktiviteter": "Samlinger og veiledning.",
        "tidsplan": "Mars–desember.",
        "tjenester": tjenester,
        "egeninnsats": "20000",
        "annen_finansiering": "50000",
        "budsjett-TOTAL_FORMS": "3",
        "budsjett-INITIAL_FORMS": "0",
        "budsjett-0-type": "stilling",
        "budsjett-0-beskrivelse": "Prosjektleder",
        "budsjett-0-belop": "300000",
        "budsjett-1-type": "kompetanse",
        "budsjett-1-beskrivelse": "RKBU Vest",
        "budsjett-1-belop": "150 000",
        "budsjett-2-type": "",
        "budsjett-2-beskrivelse": "",
        "budsjett-2-belop": "",
        "partnere-TOTAL_FORMS": "1",
        "partnere-INITIAL_FORMS": "0",
        "partnere-0-partner": "",
        "partnere-0-rolle": "",
    }
    data.update(overrides)
    return data


def snapshot_of(application) -> tuple:
    application = Application.objects.get(pk=application.pk)
    return (
        services.snapshot(application),
        application.status,
        BudgetLine.objects.count(),
        AuditEvent.objects.count(),
    )


# --- every URL ------------------------------------------------------------------------------------


def test_every_url_is_tested_here():
    """Here (anonymous access below) and in test_views_frames.py and test_views_rounds.py."""
    names = {p.name for module in (views_frames, views_rounds, views_applicant) for p in module.urlpatterns}
    assert names == {
        "frames",
        "frame_set",
        "round_create",
        "round_update",
        "round_publish",
        "application_create",
        "application_edit",
        "application_autosave",
        "application_attachment",
        "application_submit",
        "application_receipt",
        "application_withdraw",
        "application_versions",
    }


@pytest.mark.parametrize("name", ["frames", "frame_set", "round_create"])
def test_anonymous_is_sent_to_login_without_pk(client, name):
    response = client.get(reverse(f"grants:{name}"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    "name,method",
    [
        ("round_update", "get"),
        ("round_publish", "post"),
        ("application_create", "get"),
        ("application_edit", "get"),
        ("application_autosave", "post"),
        ("application_attachment", "get"),
        ("application_submit", "post"),
        ("application_receipt", "get"),
        ("application_withdraw", "post"),
        ("application_versions", "get"),
    ],
)
def test_anonymous_is_sent_to_login(client, draft, name, method):
    pk = draft.utlysning_id if name.startswith(("round", "application_create")) else draft.pk
    before = snapshot_of(draft)
    response = getattr(client, method)(reverse(f"grants:{name}", args=[pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert snapshot_of(draft) == before


def decided(leader, sf, rnd, network, tjenester, n, start=0):
    apps = []
    for i in range(start, start + n):
        application = make_assessed(sf, make_submitted(leader, rnd, network, tjenester, navn=f"Prosjekt {i}"))
        services.decide(sf, application, utfall="innvilget", belop=application.soknadsbelop, begrunnelse="Godt.")
        apps.append(application)
    return apps


# --- applications ---------------------------------------------------------------------------------


def test_leader_creates_a_draft_for_a_new_project(client, rnd, leader, network, bergen):
    login(client, leader)
    url = reverse("grants:application_create", args=[rnd.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kategori": "fosterhjem", "network": network.pk, "prosjektnavn": "Trygge fosterhjem"})
    application = Application.objects.get()
    assert response["Location"] == reverse("grants:application_edit", args=[application.pk])
    assert application.status == ApplicationStatus.UTKAST
    assert application.prosjekt.navn == "Trygge fosterhjem"
    assert list(application.tjenester.all()) == [bergen]
    # The same project and category again is refused with the service's message.
    response = client.post(url, {"kategori": "fosterhjem", "prosjekt": application.prosjekt_id})
    assert "Prosjektet har allerede en søknad i denne kategorien i utlysningen." in html(response)
    assert Application.objects.count() == 1


def test_create_needs_a_project_or_a_name(client, rnd, leader, network):
    response = login(client, leader).post(
        reverse("grants:application_create", args=[rnd.pk]), {"kategori": "fosterhjem"}
    )
    assert "Velg et prosjekt, eller skriv navnet på et nytt prosjekt." in html(response)
    assert not Application.objects.exists()


def test_who_may_start_an_application(client, rnd, sf, bufdir, agder_leader, sogndal_leader, network):
    url = reverse("grants:application_create", args=[rnd.pk])
    assert login(client, sf).get(url).status_code == 403
    assert login(client, bufdir).get(url).status_code == 403
    assert login(client, agder_leader).get(url).status_code == 404
    # A Vestland service outside every network may open the page, but cannot start a draft.
    login(client, sogndal_leader)
    assert "deltar ikke i noe aktivt læringsnettverk" in html(client.get(url))
    response = client.post(url, {"kategori": "fosterhjem", "network": network.pk, "prosjektnavn": "X"})
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_draft_rounds_cannot_be_applied_to(client, sf, g2021, leader, network):
    rnd = make_round(sf, g2021, publish=False)
    assert login(client, leader).get(reverse("grants:application_create", args=[rnd.pk])).status_code == 404


def test_leader_and_colleague_edit_the_draft(client, draft, leader, colleague, bergen, voss):
    url = reverse("grants:application_edit", args=[draft.pk])
    page = login(client, leader).get(url)
    assert page.status_code == 200
    assert "Lagret kl." in html(page) and "js/autosave.js" in html(page)
    assert "<script>" not in html(page)
    response = login(client, colleague).post(url, draft_post(draft, maal="Kollegaens mål"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.maal == "Kollegaens mål"
    assert draft.soknadsbelop == Decimal("400000")
    assert [(b.type, b.belop) for b in draft.budsjett.order_by("id")] == [
        ("stilling", Decimal("300000")),
        ("kompetanse", Decimal("150000")),
    ]


def test_partners_are_saved_with_their_role(client, draft, leader, knowledge_partner):
    data = draft_post(draft, **{"partnere-0-partner": knowledge_partner.pk, "partnere-0-rolle": "Veileder"})
    assert login(client, leader).post(reverse("grants:application_edit", args=[draft.pk]), data).status_code == 302
    assert [(p.partner, p.rolle) for p in draft.partnere.all()] == [(knowledge_partner, "Veileder")]


def test_others_cannot_see_or_edit_the_draft(client, draft, askoy, agder_leader, sf, bufdir):
    askoy_leader = factories.service_user(askoy)  # in the network, but not applying
    before = snapshot_of(draft)
    for user in (askoy_leader, agder_leader, sf, bufdir):
        login(client, user)
        assert client.get(reverse("grants:application_edit", args=[draft.pk])).status_code == 404
        assert (
            client.post(reverse("grants:application_autosave", args=[draft.pk]), draft_post(draft)).status_code == 404
        )
        assert client.get(reverse("grants:application_detail", args=[draft.pk])).status_code == 404
    assert snapshot_of(draft) == before


def test_bufdir_cannot_edit_a_submitted_application(client, submitted, bufdir, sf, leader):
    before = snapshot_of(submitted)
    for user in (bufdir, sf, leader):
        login(client, user)
        assert client.get(reverse("grants:application_edit", args=[submitted.pk])).status_code == 403
        response = client.post(reverse("grants:application_autosave", args=[submitted.pk]), draft_post(submitted))
        assert response.status_code == 403
    assert snapshot_of(submitted) == before


def test_autosave_computes_the_amount_applied(client, draft, leader):
    response = login(client, leader).post(reverse("grants:application_autosave", args=[draft.pk]), draft_post(draft))
    assert response.status_code == 200
    data = response.json()
    assert data["saved"] is True
    assert Decimal(data["soknadsbelop"]) == Decimal("400000")
    assert data["soknadsbelop_tekst"] == money.kr(400000)
    assert data["lagret"] == datetime.datetime.now(OSLO).strftime("%H:%M")
    draft.refresh_from_db()
    assert draft.soknadsbelop == Decimal("400000")
    assert draft.egeninnsats == Decimal("20000")


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("egeninnsats", "-5", "Beløpet kan ikke være negativt."),
        ("annen_finansiering", "abc", "Skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        ("budsjett-1-belop", "abc", "Skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        ("budsjett-0-belop", "100000,50", "Skriv hele kroner, uten øre."),
    ],
)
def test_bad_amounts_are_refused_in_norwegian_and_the_rest_is_saved(client, draft, leader, field, value, message):
    """Issue 17: one invalid field never blocks saving the others (grants.drafts); the bad amount is not saved."""
    budget_before = list(draft.budsjett.values_list("type", "belop"))
    login(client, leader)
    response = client.post(reverse("grants:application_autosave", args=[draft.pk]), draft_post(draft, **{field: value}))
    assert response.status_code == 400
    data = json.loads(response.content)
    assert data["errors"] == {field: [message]} and data["saved"] is False
    draft.refresh_from_db()
    assert draft.maal == "Bedre oppfølging av fosterhjem."
    page = client.post(
        reverse("grants:application_edit", args=[draft.pk]), draft_post(draft, maal="Nytt mål", **{field: value})
    )
    assert page.status_code == 200
    assert message in html(page) and "feiloppsummering" in html(page)
    draft.refresh_from_db()
    assert draft.maal == "Nytt mål"
    if field.startswith("budsjett"):  # budget lines are one field: none of the new lines is saved
        assert list(draft.budsjett.values_list("type", "belop")) == budget_before


def test_service_rules_come_back_as_errors(client, draft, leader, sogndal):
    login(client, leader)
    url = reverse("grants:application_autosave", args=[draft.pk])
    response = client.post(url, draft_post(draft, annen_finansiering="900000"))
    assert response.status_code == 400
    assert "kan ikke være større enn budsjettets sum" in response.json()["errors"]["annen_finansiering"][0]
    # A service that is not a member of the network is not even a choice.
    response = client.post(url, draft_post(draft, tjenester=[sogndal.pk]))
    assert response.status_code == 400 and "tjenester" in response.json()["errors"]


def test_attachment_upload(client, draft, leader):
    login(client, leader)
    url = reverse("grants:application_attachment", args=[draft.pk])
    assert client.get(url).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"tittel": "Samarbeidsavtale", "fil": SimpleUploadedFile("avtale.pdf", PDF_BYTES)})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.tittel, attachment.innholdstype) == ("Samarbeidsavtale", "application/pdf")
    fake = client.post(url, {"tittel": "Falsk", "fil": SimpleUploadedFile("falsk.pdf", b"ikke en pdf")})
    assert fake.status_code == 200
    assert "Innholdet i filen stemmer ikke med filtypen." in html(fake)
    assert Attachment.objects.count() == 1


def test_attachment_download_only_for_those_who_may_read_the_application(
    client, draft, leader, colleague, sf, sf_agder, sogndal_leader
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    attachment = services.add_attachment(
        leader, draft, tittel="Plan", fil=SimpleUploadedFile("prosjekt plan\r\n.pdf", PDF_BYTES)
    )
    url = reverse("grants:attachment_download", args=[attachment.pk])
    response = login(client, colleague).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    assert response["Content-Type"] == "application/pdf"
    # A draft is the applying services' own: the statsforvalter, another service and another embete see nothing.
    for outsider in (sf, sogndal_leader, sf_agder):
        assert login(client, outsider).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    submitted = services.submit(leader, draft)
    assert login(client, sf).get(url).status_code == 200
    assert reverse("grants:attachment_download", args=[attachment.pk]) in html(
        client.get(reverse("grants:application_detail", args=[submitted.pk]))
    )
    assert login(client, sf_agder).get(url).status_code == 404


def test_submit_shows_problems_first(client, rnd, network, leader):
    application = services.create_application(leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="P")
    login(client, leader)
    page = client.get(reverse("grants:application_submit", args=[application.pk]))
    assert "Minst to barnevernstjenester" in html(page)
    assert "Budsjettet har ingen linjer." in html(page)
    response = client.post(reverse("grants:application_submit", args=[application.pk]))
    assert response.status_code == 200
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UTKAST


def test_submit_gives_a_receipt_and_an_email_and_a_second_post_changes_nothing(
    client, draft, leader, colleague, django_capture_on_commit_callbacks
):
    login(client, colleague)
    url = reverse("grants:application_submit", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["problems"] == []
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SENDT_INN
    assert response["Location"] == reverse("grants:application_receipt", args=[draft.pk])
    receipt = client.get(response["Location"])
    assert draft.referanse == "VL-2026-0001"
    assert "VL-2026-0001" in html(receipt) and "Kvittering" in html(receipt)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Kvittering: søknad VL-2026-0001"
    assert {leader.email, colleague.email} <= set(mail.outbox[0].to)
    # The double click.
    before = snapshot_of(draft)
    versions = ApplicationVersion.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.post(url, follow=True)
    assert "Søknaden er allerede sendt inn (referanse VL-2026-0001)" in html(again)
    assert callbacks == [] and len(mail.outbox) == 1
    assert snapshot_of(draft) == before and ApplicationVersion.objects.count() == versions


def test_submit_after_the_deadline_is_refused_with_the_deadline(client, draft, leader):
    before = snapshot_of(draft)
    with time_machine.travel(datetime.datetime(2026, 3, 16, 0, 5, tzinfo=OSLO)):
        login(client, leader)  # sessions expire: log in on the day
        page = client.get(reverse("grants:application_submit", args=[draft.pk]))
        assert "Søknadsfristen gikk ut 15.03.2026" in html(page)
        response = client.post(reverse("grants:application_submit", args=[draft.pk]))
        assert response.status_code == 200
        assert "Søknadsfristen gikk ut 15.03.2026" in html(response)
    assert snapshot_of(draft) == before


def test_others_cannot_submit(client, draft, askoy, sf, bufdir):
    before = snapshot_of(draft)
    for user in (factories.service_user(askoy), sf, bufdir):
        assert login(client, user).post(reverse("grants:application_submit", args=[draft.pk])).status_code == 404
    assert snapshot_of(draft) == before


def test_only_the_leader_withdraws(client, submitted, leader, colleague, bufdir):
    url = reverse("grants:application_withdraw", args=[submitted.pk])
    assert login(client, colleague).post(url).status_code == 403
    assert login(client, bufdir).post(url).status_code == 403
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.SENDT_INN
    login(client, leader)
    assert "Trekk søknaden" in html(client.get(url))
    client.post(url)
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.TRUKKET


def test_receipt_and_versions(client, submitted, leader, sf, agder_leader):
    login(client, sf)
    assert "VL-2026-0001" in html(client.get(reverse("grants:application_receipt", args=[submitted.pk])))
    page = client.get(reverse("grants:application_versions", args=[submitted.pk]))
    assert page.status_code == 200 and "Versjon 1" in html(page)
    login(client, agder_leader)
    assert client.get(reverse("grants:application_versions", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("grants:application_receipt", args=[submitted.pk])).status_code == 404


def test_versions_show_a_diff_between_consecutive_versions(client, submitted, leader):
    content = dict(submitted.versjoner.get().innhold, maal="Nytt mål")
    ApplicationVersion.objects.create(soknad=submitted, nummer=2, innhold=content, opprettet_av=leader)
    page = login(client, leader).get(reverse("grants:application_versions", args=[submitted.pk]))
    text = html(page)
    assert "Endringer fra versjon 1 til 2" in text and "Nytt mål" in text
    # the field-by-field comparison itself: tests/grants/test_application_content.py


def test_detail_shows_the_allowed_buttons(client, draft, leader, colleague):
    page = html(login(client, leader).get(reverse("grants:application_detail", args=[draft.pk])))
    assert reverse("grants:application_edit", args=[draft.pk]) in page
    assert reverse("grants:application_submit", args=[draft.pk]) in page
    assert reverse("grants:application_withdraw", args=[draft.pk]) in page
    page = html(login(client, colleague).get(reverse("grants:application_detail", args=[draft.pk])))
    assert reverse("grants:application_edit", args=[draft.pk]) in page
    assert reverse("grants:application_withdraw", args=[draft.pk]) not in page


def test_detail_of_a_decided_application_shows_the_decision(client, bufdir, sf, leader, rnd, network, bergen, voss):
    set_frame(bufdir, sf.roller.get().embete, "1000000")
    (application,) = decided(leader, sf, rnd, network, [bergen, voss], 1)
    page = html(login(client, leader).get(reverse("grants:application_detail", args=[application.pk])))
    assert "Vedtak:" in page and "Innvilget" in page
    assert reverse("grants:application_edit", args=[application.pk]) not in page
    assert reverse("grants:application_submit", args=[application.pk]) not in page
