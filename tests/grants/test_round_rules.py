"""Issue 17, «the rules of the round hold»: required attachments, no new drafts after the deadline, decisions wait
for the deadline unless the round is rolling, sane dates, proposals within the applied amount, and the end of a
draft (attachments removed, drafts deleted, no project left behind). Each rule with its refusal."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.events import sentence as sentence_for
from audit.models import AuditEvent
from common import dates
from grants import drafts_lifecycle, rounds, services
from grants.models import Application, ApplicationStatus, Attachment, RequiredDocument
from projects.models import DevelopmentProject
from tests.grants.conftest import (
    APPLIED,
    OSLO,
    denied,
    field_messages,
    make_assessed,
    make_draft,
    make_round,
    make_submitted,
    messages,
    refused,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
AFTER_DEADLINE = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=OSLO)


def pdf(name="avtale.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def waiting_round(sf, g2021):
    """A published 2026 round that decides after the deadline (not rolling), with two required attachments."""
    rnd = make_round(sf, g2021, publish=False, rullerende=False)
    rounds.set_required_documents(sf, rnd, ["Samarbeidsavtale", "Forankring i ledelsen", "samarbeidsavtale"])
    return services.publish_round(sf, rnd)


# --- 1. required attachments ---------------------------------------------------------------------------------


def test_required_attachments_are_structured_and_enforced_at_submission(
    sf, leader, waiting_round, network, bergen, voss
):
    assert [d.navn for d in waiting_round.vedleggskrav.all()] == ["Samarbeidsavtale", "Forankring i ledelsen"]
    draft = make_draft(leader, waiting_round, network, tjenester=[bergen, voss])
    agreement, anchoring = waiting_round.vedleggskrav.all()
    # An attachment that says it meets nothing does not count.
    services.add_attachment(leader, draft, tittel="Skisse", fil=pdf("skisse.pdf"))
    with refused(ValidationError, draft) as info:
        services.submit(leader, draft)
    assert messages(info) == [
        "Vedlegg mangler: «Samarbeidsavtale», «Forankring i ledelsen». "
        "Last opp dokumentet og velg hvilket krav det oppfyller."
    ]
    services.add_attachment(leader, draft, tittel="Avtale", fil=pdf(), krav=agreement)
    assert services.submission_problems(draft) == [
        "Vedlegg mangler: «Forankring i ledelsen». Last opp dokumentet og velg hvilket krav det oppfyller."
    ]
    services.add_attachment(leader, draft, tittel="Vedtak i ledermøtet", fil=pdf("leder.pdf"), krav=anchoring)
    assert services.submit(leader, draft).status == ApplicationStatus.SENDT_INN


def test_required_attachments_cannot_change_after_publishing_or_come_from_another_round(
    sf, g2021, leader, waiting_round, network, bergen, voss
):
    rnd = make_round(sf, g2021, aar=2027)
    with refused(ValidationError, waiting_round) as info:
        rounds.set_required_documents(sf, waiting_round, ["Noe nytt"])
    assert field_messages(info, "vedleggskrav") == [
        "Vedleggskravene kan ikke endres etter at utlysningen er publisert."
    ]
    rounds.set_required_documents(sf, waiting_round, ["Samarbeidsavtale", "Forankring i ledelsen"])  # unchanged: ok
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss], navn="Annet prosjekt")
    with pytest.raises(ValidationError) as info:
        services.add_attachment(leader, draft, tittel="Avtale", fil=pdf(), krav=waiting_round.vedleggskrav.first())
    assert field_messages(info, "krav") == ["Vedleggskravet hører ikke til denne utlysningen."]
    assert not Attachment.objects.exists()


def test_only_the_rounds_statsforvalter_sets_required_attachments(sf_agder, leader, sf, g2021):
    rnd = make_round(sf, g2021, publish=False)
    for user in (sf_agder, leader):
        with denied(rnd):
            rounds.set_required_documents(user, rnd, ["Samarbeidsavtale"])
    assert not RequiredDocument.objects.exists()


# --- 2. no new drafts after the deadline ---------------------------------------------------------------------


def test_no_new_draft_or_project_after_the_deadline(clock, leader, rnd, network):
    services.create_application(leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="På fristdagen")
    clock.move_to(AFTER_DEADLINE)
    with refused(ValidationError, rnd) as info:
        services.create_application(leader, rnd, kategori="egeninitiert", network=network, prosjektnavn="For sent")
    assert messages(info) == [
        "Søknadsfristen gikk ut 15.03.2026. Det kan ikke startes nye søknader i denne utlysningen."
    ]
    assert not DevelopmentProject.objects.filter(navn="For sent").exists()


# --- 3. decisions wait for the deadline unless the round is rolling ---------------------------------------------


def test_a_decision_waits_for_the_deadline_unless_the_round_is_rolling(
    clock, sf, leader, waiting_round, network, bergen, voss, frame
):
    RequiredDocument.objects.filter(utlysning=waiting_round).delete()
    application = make_assessed(sf, make_submitted(leader, waiting_round, network, [bergen, voss]))
    with refused(ValidationError, application) as info:
        services.decide(sf, application, utfall="innvilget", belop=APPLIED, begrunnelse="Godt prosjekt.")
    assert messages(info) == [
        "Søknadsfristen er 15.03.2026. Utlysningen avgjør ikke søknadene fortløpende, så vedtak kan fattes fra "
        "16.03.2026, når alle søknadene kan sammenlignes."
    ]
    clock.move_to(datetime.datetime(2026, 3, 15, 23, 30, tzinfo=OSLO))  # the deadline day is not over yet
    with refused(ValidationError, application):
        services.decide(sf, application, utfall="avslatt", begrunnelse="Svak plan.")
    clock.move_to(AFTER_DEADLINE)
    assert services.decide(sf, application, utfall="innvilget", belop=APPLIED, begrunnelse="Godt.").belop == APPLIED


def test_a_rolling_round_decides_before_the_deadline(sf, assessed, frame):
    assert assessed.utlysning.rullerende and not assessed.utlysning.deadline_passed()
    assert services.decide(sf, assessed, utfall="avslatt", begrunnelse="Svak plan.").utfall == "avslatt"


def test_the_round_setting_is_saved_and_audited(sf, g2021):
    rnd = make_round(sf, g2021, publish=False, rullerende=False)
    assert rnd.rullerende is False
    services.update_round(sf, rnd, rullerende=True)
    rnd.refresh_from_db()
    assert rnd.rullerende is True
    assert AuditEvent.objects.filter(handling="utlysning.endret").latest("id").endringer["rullerende"] == [False, True]


# --- 4. dates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rapportfrist", "message"),
    [
        (datetime.date(9999, 12, 31), "Datoen må være mellom 01.01.2000 og 31.12.2041."),
        (datetime.date(2026, 2, 2), "Rapportfristen må være etter vedtaksdatoen (02.02.2026)."),
        (datetime.date(2031, 2, 3), "Rapportfristen kan være høyst fem år etter vedtaket, senest 02.02.2031."),
    ],
)
def test_a_report_deadline_after_the_decision_and_within_five_years(sf, assessed, frame, rapportfrist, message):
    with refused(ValidationError, assessed) as info:
        services.decide(sf, assessed, utfall="innvilget", belop=APPLIED, begrunnelse="Godt.", rapportfrist=rapportfrist)
    assert field_messages(info, "rapportfrist")[0].startswith(message)
    last = services.decide(
        sf, assessed, utfall="innvilget", belop=APPLIED, begrunnelse="Godt.", rapportfrist=datetime.date(2031, 2, 2)
    )
    assert last.rapportfrist == datetime.date(2031, 2, 2)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"frist": datetime.date(9999, 12, 31)}, "frist", "Datoen må være mellom 01.01.2000"),
        ({"apner": datetime.date(202, 3, 1)}, "apner", "Datoen må være mellom 01.01.2000"),
        ({"rapportfrist": datetime.date(2026, 3, 1)}, "rapportfrist", "Frist for rapport må være etter søknadsfristen"),
        ({"rapportfrist": datetime.date(2031, 3, 16)}, "rapportfrist", "Frist for rapport kan være høyst fem år"),
    ],
)
def test_round_dates_are_bounded(sf, g2021, vestland, overrides, field, message):
    from tests.grants.conftest import round_data

    with refused(ValidationError) as info:
        services.create_round(sf, embete=vestland, aar=2026, **round_data(g2021, **overrides))
    assert field_messages(info, field)[0].startswith(message)


def test_the_shared_date_helper():
    day = datetime.date(2026, 2, 2)
    assert dates.bounded(day, "dato", not_before=day) == day
    assert dates.years_after(datetime.date(2028, 2, 29), 1) == datetime.date(2029, 2, 28)
    assert dates.years_after(datetime.date(9999, 1, 1), 5) == datetime.date(9999, 1, 1)
    for kwargs, expected in (
        ({"after": day}, "Datoen må være etter 02.02.2026."),
        ({"not_before": day + datetime.timedelta(1)}, "Datoen kan ikke være før 03.02.2026."),
        ({"latest": day - datetime.timedelta(1)}, "Datoen kan ikke være etter 01.02.2026."),
        ({"after": day, "message": "Betalt %(d)s eller senere."}, "Betalt 02.02.2026 eller senere."),
    ):
        with pytest.raises(ValidationError) as info:
            dates.bounded(day, "dato", **kwargs)
        assert info.value.message_dict == {"dato": [expected]}
    with pytest.raises(ValidationError) as info:
        dates.bounded("i morgen", "dato")
    assert info.value.message_dict == {"dato": ["Skriv en dato, for eksempel 01.03.2027."]}


# --- 5. proposals within the applied amount -------------------------------------------------------------------


def test_recommendation_and_board_proposal_cannot_exceed_the_applied_amount(sf, assessed):
    too_much = APPLIED + 1
    with refused(ValidationError, assessed) as info:
        services.recommend(sf, assessed, anbefaling="innvilge", begrunnelse="Godt.", foreslatt_belop=too_much)
    assert field_messages(info, "foreslatt_belop") == [
        "Foreslått beløp (350\u00a0001\u00a0kr) kan ikke være større enn søknadsbeløpet (350\u00a0000\u00a0kr)."
    ]
    with refused(ValidationError, assessed) as info:
        services.set_priority(sf, assessed, rangering=1, foreslatt_belop=too_much)
    assert "kan ikke være større enn søknadsbeløpet" in field_messages(info, "foreslatt_belop")[0]
    assert services.set_priority(sf, assessed, foreslatt_belop=APPLIED).foreslatt_belop == APPLIED
    assessment = services.recommend(sf, assessed, anbefaling="delvis", begrunnelse="Ok.", foreslatt_belop="300000")
    assert assessment.foreslatt_belop == Decimal("300000")


# --- 7. the end of a draft -------------------------------------------------------------------------------------


def test_an_attachment_is_removed_from_a_draft_and_audited(leader, colleague, voss_leader, sogndal_leader, draft):
    attachment = services.add_attachment(leader, draft, tittel="Skisse", fil=pdf("skisse.pdf"))
    for user in (sogndal_leader,):  # a service not applying
        with denied(attachment):
            drafts_lifecycle.remove_attachment(user, attachment)
    drafts_lifecycle.remove_attachment(colleague, attachment)  # any user of an applying service
    assert not Attachment.objects.exists()
    event = AuditEvent.objects.filter(handling="soknad.vedlegg_fjernet").get()
    assert event.endringer["fil"] == "skisse.pdf" and sentence_for(event.handling) == (
        "Et vedlegg ble fjernet fra utkastet"
    )


def test_an_attachment_of_a_submitted_application_stays(leader, draft):
    attachment = services.add_attachment(leader, draft, tittel="Skisse", fil=pdf("skisse.pdf"))
    services.submit(leader, draft)
    with denied(attachment):
        drafts_lifecycle.remove_attachment(leader, attachment)


def test_a_draft_is_deleted_by_its_applicants_with_the_project_it_registered(leader, draft):
    project = draft.prosjekt
    services.add_attachment(leader, draft, tittel="Skisse", fil=pdf("skisse.pdf"))
    assert drafts_lifecycle.delete_draft(leader, draft) is True
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not DevelopmentProject.objects.filter(pk=project.pk).exists()
    assert not Attachment.objects.exists()
    assert set(AuditEvent.objects.filter(handling__startswith="soknad.").values_list("handling", flat=True)) >= {
        "soknad.utkast_slettet",
        "soknad.prosjekt_fjernet",
    }
    assert sentence_for("soknad.utkast_slettet") == "Utkastet til søknad ble slettet av søkerne"


def test_another_service_cannot_delete_a_draft_nor_anyone_a_submitted_application(
    sogndal_leader, sf, bufdir, leader, draft
):
    for user in (sogndal_leader, sf, bufdir):
        with denied(draft):
            drafts_lifecycle.delete_draft(user, draft)
    submitted = services.submit(leader, draft)
    with denied(submitted):
        drafts_lifecycle.delete_draft(leader, submitted)


def test_a_withdrawn_draft_leaves_no_project_behind(leader, draft):
    project = draft.prosjekt
    withdrawn = services.withdraw(leader, draft)
    assert withdrawn.pk is None
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not DevelopmentProject.objects.filter(pk=project.pk).exists()
    assert AuditEvent.objects.filter(handling="soknad.utkast_trukket_slettet").exists()


def test_a_project_that_existed_before_the_draft_stays(leader, rnd, draft, network, bergen, voss):
    """A draft for a project that was already registered (or is used by another application) keeps it."""
    other = services.create_application(leader, rnd, kategori="egeninitiert", prosjekt=draft.prosjekt)
    assert other.nytt_prosjekt is False
    assert drafts_lifecycle.delete_draft(leader, other) is False
    assert drafts_lifecycle.delete_draft(leader, draft) is True  # now nothing else uses it
    assert not DevelopmentProject.objects.exists()


def test_a_submitted_application_keeps_its_project_when_withdrawn(leader, submitted):
    withdrawn = services.withdraw(leader, submitted)
    assert (
        withdrawn.status == ApplicationStatus.TRUKKET
        and DevelopmentProject.objects.filter(pk=submitted.prosjekt_id).exists()
    )
