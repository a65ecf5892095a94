"""Issue 17, the rules of the round on the pages: the round form's required attachments and rolling setting, no
«Søk» after the deadline, confirmations before publishing and deciding (no JavaScript needed), removing an
attachment and deleting a draft, a far report deadline on the postponement page, and «–» for a year without a
frame. The denials: who may not is refused and nothing changes."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from followup.models import ReportingRequirement
from grants import services
from grants.models import Application, ApplicationRound, Attachment, AwardSource, Decision, RoundStatus
from projects.models import DevelopmentProject
from tests.grants.conftest import APPLIED, OSLO, make_round, round_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def test_round_form_saves_required_attachments_and_the_rolling_setting_and_confirms_publishing(client, sf, g2021):
    data = {
        **{k: v for k, v in round_data(g2021).items() if k not in ("egeninitiert", "fosterhjem", "retningslinjer")},
        "aar": "2026",
        "retningslinjer": g2021.pk,
        "kategorier": ["fosterhjem"],
        "maks_belop": "800000",
        "tilbakebetaling_terskel": "5000",
        "vedleggskrav": "Samarbeidsavtale\nForankring i ledelsen\n",
        "rullerende": "on",
    }
    response = login(client, sf).post(reverse("grants:round_create"), data)
    assert response.status_code == 302, html(response)
    rnd = ApplicationRound.objects.get()
    assert rnd.rullerende is True
    assert [d.navn for d in rnd.vedleggskrav.all()] == ["Samarbeidsavtale", "Forankring i ledelsen"]
    page = html(client.get(reverse("grants:round_detail", args=[rnd.pk])))
    assert "Samarbeidsavtale" in page and "Søknadene avgjøres fortløpende (rullerende)." in page
    assert reverse("grants:round_publish_confirm", args=[rnd.pk]) in page
    confirm = html(client.get(reverse("grants:round_publish_confirm", args=[rnd.pk])))
    assert "Dette skjer når du publiserer" in confirm and "Forankring i ledelsen" in confirm
    assert f'action="{reverse("grants:round_publish", args=[rnd.pk])}"' in confirm
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.UTKAST  # the confirmation page publishes nothing


def test_no_search_button_and_no_draft_after_the_deadline(client, clock, leader, rnd):
    url = reverse("grants:application_create", args=[rnd.pk])
    assert url in html(login(client, leader).get(reverse("grants:round_detail", args=[rnd.pk])))
    clock.move_to(datetime.datetime(2026, 3, 16, 8, 0, tzinfo=OSLO))
    page = html(login(client, leader).get(reverse("grants:round_detail", args=[rnd.pk])))
    assert url not in page and "Det kan ikke startes nye søknader i denne utlysningen." in page
    response = client.post(url, {"kategori": "fosterhjem", "prosjektnavn": "For sent"}, follow=True)
    assert "Søknadsfristen gikk ut 15.03.2026." in html(response)
    assert not Application.objects.exists() and not DevelopmentProject.objects.exists()


def test_a_decision_is_confirmed_with_amount_recipient_and_letter_language(client, sf, leader, assessed, frame):
    data = {
        "vedtak-utfall": "innvilget",
        "vedtak-belop": str(APPLIED),
        "vedtak-begrunnelse": "Godt forankret.\nRealistisk plan.",
        "vedtak-vilkaar": "",
        "vedtak-rapportfrist": "01.03.2027",
    }
    detail = html(login(client, sf).get(reverse("grants:application_detail", args=[assessed.pk])))
    assert f'action="{reverse("grants:decide_confirm", args=[assessed.pk])}"' in detail
    response = client.post(reverse("grants:decide_confirm", args=[assessed.pk]), data)
    page = html(response)
    assert response.status_code == 200
    assert "Bekreft vedtaket" in page and "350\u00a0000\u00a0kr" in page
    lead = assessed.ansvarlig_soker
    assert str(lead.vertskommune) in page and "Bokmål" in page and "01.03.2027" in page
    assert not Decision.objects.exists()
    # «Endre» goes back with everything typed.
    back = html(client.post(reverse("grants:decide_confirm", args=[assessed.pk]), {**data, "endre": "1"}))
    assert "Realistisk plan." in back and not Decision.objects.exists()
    # The confirmation's button posts the hidden fields to the decision.
    response = client.post(reverse("grants:decide", args=[assessed.pk]), data)
    assert response.status_code == 302
    assert Decision.objects.get().begrunnelse == "Godt forankret.\nRealistisk plan."
    # The applicant cannot reach the confirmation.
    assert login(client, leader).post(reverse("grants:decide_confirm", args=[assessed.pk]), data).status_code == 403


def test_remove_an_attachment_and_delete_a_draft_through_the_pages(client, leader, sogndal_leader, draft):
    attachment = services.add_attachment(
        leader, draft, tittel="Skisse", fil=SimpleUploadedFile("skisse.pdf", PDF_BYTES, "application/pdf")
    )
    remove = reverse("grants:attachment_remove", args=[attachment.pk])
    delete = reverse("grants:draft_delete", args=[draft.pk])
    # Another service sees neither the draft nor its attachment: 404, nothing changes.
    login(client, sogndal_leader)
    assert client.post(remove).status_code == 404 and client.post(delete).status_code == 404
    assert Attachment.objects.exists() and Application.objects.filter(pk=draft.pk).exists()
    login(client, leader)
    assert remove in html(client.get(reverse("grants:application_attachment", args=[draft.pk])))
    assert "Vedlegget «Skisse» er fjernet." in html(client.post(remove, follow=True))
    assert not Attachment.objects.exists()
    page = html(client.get(delete))
    assert "Prosjektet ble registrert da utkastet ble opprettet, og slettes sammen med det." in page
    response = client.post(delete, follow=True)
    assert "Utkastet og prosjektet det registrerte, er slettet." in html(response)
    assert not Application.objects.exists() and not DevelopmentProject.objects.exists()


def test_a_far_report_deadline_is_refused_and_an_old_one_does_not_break_the_postponement_page(
    client, sf, leader, assessed, frame
):
    url = reverse("grants:decide", args=[assessed.pk])
    data = {
        "vedtak-utfall": "innvilget",
        "vedtak-belop": str(APPLIED),
        "vedtak-begrunnelse": "Godt.",
        "vedtak-rapportfrist": "31.12.9999",
    }
    response = login(client, sf).post(url, data)
    assert response.status_code == 400 and "Datoen må være mellom 01.01.2000" in html(response)
    assert not Decision.objects.exists()
    services.decide(sf, assessed, utfall="innvilget", belop=APPLIED, begrunnelse="Godt.")
    ReportingRequirement.objects.update(frist=datetime.date(9999, 12, 31))  # stored before the rule
    krav = ReportingRequirement.objects.get()
    response = login(client, leader).get(reverse("projects:postponement_request", args=[krav.pk]))
    assert response.status_code == 200


def test_a_year_without_a_frame_shows_the_frame_as_unknown(client, bufdir, vestland):
    from grants.models import Award

    Award.objects.create(
        aar=2019,
        embete=vestland,
        kategori="fosterhjem",
        belop=Decimal("400000"),
        kilde=AwardSource.IMPORT,
        import_nokkel="2019|vestland||historikk|fosterhjem",
    )
    page = html(login(client, bufdir).get(reverse("grants:frames") + "?aar=2019"))
    assert "Ukjent, ikke satt" in page and "–" in page
    assert "Ikke satt" not in page


def test_the_round_page_says_when_decisions_wait(client, sf, g2021):
    rnd = make_round(sf, g2021, rullerende=False)
    page = html(login(client, sf).get(reverse("grants:round_detail", args=[rnd.pk])))
    assert "Vedtak fattes først etter søknadsfristen." in page
