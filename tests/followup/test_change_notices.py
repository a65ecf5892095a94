"""Change notices (endringsmeldinger): each kind, what approval changes (the project, the approved budget the
progress report reads, the reporting requirement when the project ends early), rejection changing nothing,
validation of reallocations, who may send and decide, the audit trail, immutability and the e-mails."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from audit.models import AuditEvent
from followup.budget import approved_budget
from followup.models import (
    BudgetMove,
    ChangeNotice,
    ChangeStatus,
    ProgressReport,
    ReportingRequirement,
    ReportKind,
    ReportSpending,
    ReportStatus,
)
from followup.services import changes as services
from followup.services import reports as report_services
from projects.models import DevelopmentProject, Phase
from tests.followup.conftest import guards

pytestmark = pytest.mark.usefixtures("tasks", "clock")

START, END = datetime.date(2026, 1, 1), datetime.date(2027, 12, 31)
# The award (350 000) split over the budget (stilling 300 000, kompetanse 100 000 of 400 000).
SPLIT = {
    "stilling": Decimal("262500"),
    "kompetanse": Decimal("87500"),
    "samlinger": Decimal("0"),
    "annet": Decimal("0"),
}
WATCHED = (ChangeNotice, BudgetMove, DevelopmentProject, ReportingRequirement, ReportSpending, AuditEvent)
unchanged, denied = guards(WATCHED)


@pytest.fixture
def application(awarded):
    project = awarded.soknad.prosjekt
    DevelopmentProject.objects.filter(pk=project.pk).update(planlagt_start=START, planlagt_slutt=END)
    return awarded.soknad


def send(actor, application, type, beskrivelse="Prosjektlederen sluttet, og arbeidet ble forsinket.", **kwargs):
    return services.send_notice(actor, application, type=type, beskrivelse=beskrivelse, **kwargs)


def project_of(application) -> DevelopmentProject:
    return DevelopmentProject.objects.get(pk=application.prosjekt_id)


# --- each kind, sent and approved ---------------------------------------------------------------------


def test_a_delay_moves_the_end_date_when_approved(leader, sf, application):
    notice = send(leader, application, "forsinkelse", ny_sluttdato=datetime.date(2028, 6, 30))
    assert notice.status == ChangeStatus.SENDT
    assert notice.for_endring["planlagt_slutt"] == str(END)
    assert project_of(application).planlagt_slutt == END  # nothing moves before the answer
    services.decide(sf, notice, godkjent=True)
    notice.refresh_from_db()
    assert (notice.status, notice.behandlet_av) == (ChangeStatus.GODKJENT, sf)
    assert project_of(application).planlagt_slutt == datetime.date(2028, 6, 30)
    assert notice.virkning["prosjekt"]["planlagt_slutt"] == [str(END), "2028-06-30"]
    assert AuditEvent.objects.filter(handling="endringsmelding.prosjekt_endret").count() == 1


def test_a_change_of_content_is_recorded_and_changes_no_data(leader, sf, application):
    notice = send(leader, application, "innhold", beskrivelse="Vi bytter en samling mot digital veiledning.")
    services.decide(sf, notice, godkjent=True, svar="Greit.")
    notice.refresh_from_db()
    assert notice.status == ChangeStatus.GODKJENT
    assert project_of(application).planlagt_slutt == END
    assert notice.virkning["endringer"] == ["Endringen registreres som godkjent. Ingen data endres."]


def test_expected_unspent_money_is_recorded(leader, sf, application):
    notice = send(leader, application, "ubrukt", forventet_ubrukt="40 000")
    assert notice.forventet_ubrukt == Decimal("40000")
    services.decide(sf, notice, godkjent=True)
    notice.refresh_from_db()
    assert notice.virkning["forventet_ubrukt"] == "40000"


def test_expected_unspent_money_cannot_exceed_the_award(leader, application):
    with unchanged(ValidationError) as info:
        send(leader, application, "ubrukt", forventet_ubrukt="400000")
    assert "forventet_ubrukt" in info.value.message_dict


def test_a_reallocation_changes_the_approved_budget_the_report_reads(leader, sf, application, requirement):
    notice = send(
        leader,
        application,
        "omdisponering",
        flyttinger=[
            {"fra_post": "stilling", "til_post": "samlinger", "belop": "50 000"},
            {"fra_post": "kompetanse", "til_post": "annet", "belop": "7500"},
        ],
    )
    assert [(m.fra_post, m.til_post, m.belop) for m in notice.flyttinger.all()] == [
        ("stilling", "samlinger", Decimal("50000")),
        ("kompetanse", "annet", Decimal("7500")),
    ]
    assert approved_budget(application.vedtak) == SPLIT  # not before approval
    services.decide(sf, notice, godkjent=True)
    expected = {
        "stilling": Decimal("212500"),
        "kompetanse": Decimal("80000"),
        "samlinger": Decimal("50000"),
        "annet": Decimal("7500"),
    }
    assert approved_budget(application.vedtak) == expected
    assert sum(expected.values()) == Decimal("350000")  # the total is kept
    report = report_services.start_report(leader, requirement)
    assert {s.type: s.budsjett for s in report.forbruk.all()} == expected


def test_a_reallocation_updates_a_draft_report_but_never_a_submitted_one(leader, sf, application, requirement):
    report = report_services.start_report(leader, requirement)
    notice = send(
        leader,
        application,
        "omdisponering",
        flyttinger=[{"fra_post": "stilling", "til_post": "annet", "belop": "1000"}],
    )
    services.decide(sf, notice, godkjent=True)
    lines = {s.type: s.budsjett for s in ReportSpending.objects.filter(rapport=report)}
    assert (lines["stilling"], lines["annet"]) == (Decimal("261500"), Decimal("1000"))
    ProgressReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.SENDT_INN, versjon=1, sendt_inn=timezone.now()
    )
    second = send(
        leader, application, "omdisponering", flyttinger=[{"fra_post": "stilling", "til_post": "annet", "belop": "500"}]
    )
    services.decide(sf, second, godkjent=True)
    lines = {s.type: s.budsjett for s in ReportSpending.objects.filter(rapport=report)}
    assert lines["annet"] == Decimal("1000")  # the submitted report keeps the budget it was sent with
    assert approved_budget(application.vedtak)["annet"] == Decimal("1500")


def test_ending_early_turns_the_open_yearly_report_into_a_final_report(leader, sf, application, requirement):
    assert requirement.type == ReportKind.AARLIG
    notice = send(leader, application, "avsluttes", ny_sluttdato=datetime.date(2026, 10, 31))
    services.decide(sf, notice, godkjent=True)
    requirement.refresh_from_db()
    assert requirement.type == ReportKind.SLUTT
    project = project_of(application)
    assert project.planlagt_slutt == datetime.date(2026, 10, 31)
    assert project.fase != Phase.AVSLUTTET  # the end date is still ahead


def test_ending_early_in_the_past_ends_the_project_and_requires_a_final_report(leader, sf, application, requirement):
    ReportingRequirement.objects.filter(pk=requirement.pk).update(levert=True)  # the yearly report is delivered
    notice = send(leader, application, "avsluttes", ny_sluttdato=datetime.date(2026, 1, 31))
    services.decide(sf, notice, godkjent=True)
    project = project_of(application)
    assert (project.fase, project.planlagt_slutt) == (Phase.AVSLUTTET, datetime.date(2026, 1, 31))
    final = ReportingRequirement.objects.get(vedtak=application.vedtak, type=ReportKind.SLUTT)
    assert final.frist == datetime.date(2026, 4, 2)  # 61 days after the end, at least 30 days from today
    assert project.fasehistorikk.filter(fase=Phase.AVSLUTTET).exists()


# --- rejection -------------------------------------------------------------------------------------------


def test_a_rejection_needs_reasons_and_changes_nothing_else(leader, sf, application, requirement):
    notice = send(leader, application, "avsluttes", ny_sluttdato=datetime.date(2026, 10, 31))
    with unchanged(ValidationError) as info:
        services.decide(sf, notice, godkjent=False, svar="  ")
    assert info.value.message_dict == {"svar": ["Skriv en begrunnelse når endringen avslås."]}
    services.decide(sf, notice, godkjent=False, svar="Prosjektet må fullføre samlingene først.")
    notice.refresh_from_db()
    assert (notice.status, notice.svar) == (ChangeStatus.AVSLATT, "Prosjektet må fullføre samlingene først.")
    assert project_of(application).planlagt_slutt == END
    requirement.refresh_from_db()
    assert requirement.type == ReportKind.AARLIG
    assert notice.virkning == {}
    assert AuditEvent.objects.filter(handling="endringsmelding.avslatt", object_id=str(notice.pk)).exists()


def test_a_decision_is_recorded_once_and_the_notice_never_changes(leader, sf, application):
    notice = send(leader, application, "innhold")
    services.decide(sf, notice, godkjent=True)
    with unchanged(ValidationError) as info:
        services.decide(sf, notice, godkjent=False, svar="Likevel ikke.")
    assert info.value.messages == ["Endringsmeldingen er allerede behandlet."]
    notice.refresh_from_db()
    notice.status = ChangeStatus.AVSLATT
    with pytest.raises(IntegrityError):
        notice.save()
    with pytest.raises(IntegrityError):
        ChangeNotice.objects.filter(pk=notice.pk).update(beskrivelse="Endret i ettertid")


def test_a_budget_move_never_changes(leader, application):
    notice = send(
        leader, application, "omdisponering", flyttinger=[{"fra_post": "stilling", "til_post": "annet", "belop": "100"}]
    )
    move = notice.flyttinger.get()
    with pytest.raises(IntegrityError):
        BudgetMove.objects.filter(pk=move.pk).update(belop=Decimal("99"))
    with pytest.raises(IntegrityError):
        move.delete()


def test_the_text_of_a_waiting_notice_cannot_be_edited(leader, application):
    notice = send(leader, application, "innhold")
    with pytest.raises(IntegrityError):
        ChangeNotice.objects.filter(pk=notice.pk).update(beskrivelse="Noe annet")


# --- validation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moves, field",
    [
        ([{"fra_post": "stilling", "til_post": "stilling", "belop": "100"}], "flytt_1_til_post"),
        ([{"fra_post": "", "til_post": "annet", "belop": "100"}], "flytt_1_fra_post"),
        ([{"fra_post": "stilling", "til_post": "annet", "belop": "100,50"}], "flytt_1_belop"),
        ([{"fra_post": "stilling", "til_post": "annet", "belop": "0"}], "flytt_1_belop"),
        ([{"fra_post": "stilling", "til_post": "annet", "belop": "-5"}], "flytt_1_belop"),
        ([{"fra_post": "samlinger", "til_post": "annet", "belop": "1"}], "flyttinger"),  # samlinger has 0 kr
        (
            [
                {"fra_post": "kompetanse", "til_post": "annet", "belop": "80000"},
                {"fra_post": "kompetanse", "til_post": "samlinger", "belop": "7501"},
            ],
            "flyttinger",
        ),
        ([], "flyttinger"),
    ],
)
def test_a_reallocation_must_be_whole_kroner_between_two_lines_and_keep_every_line_at_zero_or_more(
    leader, application, moves, field
):
    with unchanged(ValidationError) as info:
        send(leader, application, "omdisponering", flyttinger=moves)
    assert field in info.value.message_dict


def test_a_reallocation_that_no_longer_fits_cannot_be_approved(leader, sf, application):
    notice = send(
        leader,
        application,
        "omdisponering",
        flyttinger=[{"fra_post": "kompetanse", "til_post": "annet", "belop": "80000"}],
    )
    # Meanwhile the approved budget changed (here: another approved reallocation stored directly).
    other = ChangeNotice.objects.create(
        soknad=application,
        type="omdisponering",
        beskrivelse="Tidligere flytting.",
        sendt_av=leader,
        status=ChangeStatus.GODKJENT,
        behandlet_av=sf,
        behandlet=timezone.now(),
    )
    BudgetMove.objects.create(melding=other, fra_post="kompetanse", til_post="samlinger", belop=Decimal("7501"))
    with unchanged(ValidationError) as info:
        services.decide(sf, notice, godkjent=True)
    assert "Endringen kan ikke godkjennes nå" in info.value.messages[0]
    assert "«Ekstern kompetanse/veiledning» under 0 kr" in info.value.messages[0]


@pytest.mark.parametrize(
    "kind, day, message",
    [
        ("forsinkelse", None, "Oppgi ny sluttdato for prosjektet, for eksempel 31.12.2027."),
        ("forsinkelse", END, "Ved forsinkelse må ny sluttdato være etter 31.12.2027."),
        (
            "avsluttes",
            datetime.date(2028, 1, 1),
            "Når prosjektet avsluttes tidligere, må ny sluttdato være før 31.12.2027.",
        ),
        ("avsluttes", datetime.date(2025, 12, 31), "Ny sluttdato kan ikke være før prosjektets start (01.01.2026)."),
    ],
)
def test_the_new_end_date_must_fit_the_kind(leader, application, kind, day, message):
    with unchanged(ValidationError) as info:
        send(leader, application, kind, ny_sluttdato=day)
    assert info.value.message_dict["ny_sluttdato"] == [message]


def test_a_description_is_required_and_only_one_notice_of_a_kind_waits(leader, application):
    with unchanged(ValidationError) as info:
        send(leader, application, "innhold", beskrivelse="   ")
    assert info.value.message_dict == {"beskrivelse": ["Beskriv endringen og hvorfor den skjer."]}
    send(leader, application, "innhold")
    with unchanged(ValidationError) as info:
        send(leader, application, "innhold")
    assert "venter allerede" in info.value.message_dict["type"][0]


# --- who ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "colleague", "voss_leader"])
def test_users_of_the_applying_services_may_send(request, who, application):
    actor = request.getfixturevalue(who)
    assert send(actor, application, "innhold").sendt_av == actor


@pytest.mark.parametrize("who", ["sf", "sf_agder", "bufdir", "sogndal_leader", "agder_leader", "partner_user"])
def test_others_may_not_send(request, who, application):
    with denied():
        send(request.getfixturevalue(who), application, "innhold")


def test_no_notice_on_an_application_without_an_award(leader, submitted):
    with denied():
        send(leader, submitted, "innhold")


@pytest.mark.parametrize("who", ["leader", "colleague", "sf_agder", "bufdir", "agder_leader"])
def test_only_the_statsforvalter_of_the_grant_may_decide(request, who, leader, application):
    notice = send(leader, application, "forsinkelse", ny_sluttdato=datetime.date(2028, 6, 30))
    with denied():
        services.decide(request.getfixturevalue(who), notice, godkjent=True)
    notice.refresh_from_db()
    assert notice.status == ChangeStatus.SENDT


def test_the_statsforvalter_leader_may_decide(sf_leader, leader, application):
    notice = send(leader, application, "innhold")
    assert services.decide(sf_leader, notice, godkjent=True).status == ChangeStatus.GODKJENT


# --- audit and e-mail ---------------------------------------------------------------------------------------


def test_sending_and_deciding_are_audited_with_readable_sentences(leader, sf, application):
    notice = send(
        leader, application, "omdisponering", flyttinger=[{"fra_post": "stilling", "til_post": "annet", "belop": "10"}]
    )
    services.decide(sf, notice, godkjent=True)
    events = {
        e.handling: e
        for e in AuditEvent.objects.filter(object_id=str(notice.pk), handling__startswith="endringsmelding.")
    }
    assert events["endringsmelding.sendt"].aktor == leader
    assert events["endringsmelding.sendt"].endringer["flyttinger"] == [
        {"fra_post": "stilling", "til_post": "annet", "belop": "10"}
    ]
    assert events["endringsmelding.godkjent"].aktor == sf
    assert events["endringsmelding.godkjent"].endringer["budsjett"]["annet"] == ["0", "10"]


def test_the_case_officer_is_mailed_when_sent_and_the_applicants_when_decided(
    leader, sf, application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = send(leader, application, "forsinkelse", ny_sluttdato=datetime.date(2028, 6, 30))
    assert [m.to for m in mail.outbox] == [[sf.email.lower()]]
    assert "Endringsmelding" in mail.outbox[0].subject
    assert f"/prosjekter/endringsmeldinger/{notice.pk}/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(sf, notice, godkjent=False, svar="Planen må holdes.")
    recipients = sorted(a for m in mail.outbox for a in m.to)
    assert leader.email.lower() in recipients
    assert all("avslått" in m.subject for m in mail.outbox)
    assert "Planen må holdes." in mail.outbox[0].body
    # once: a second run of the task sends nothing
    from followup import tasks

    assert tasks.send_change_notice_decided(notice.pk) is False


def test_the_answer_is_mailed_in_the_recipients_language(leader, sf, application, django_capture_on_commit_callbacks):
    leader.sprak = "nn"
    leader.save(update_fields=["sprak"])
    notice = send(leader, application, "innhold")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(sf, notice, godkjent=True)
    to_leader = next(m for m in mail.outbox if leader.email.lower() in m.to)
    assert to_leader.subject == "Endringa er godkjend: «Fosterhjem i fellesskap»"  # nynorsk
    assert "har godkjent endringsmeldinga" in to_leader.body
    to_sf_language = [m for m in mail.outbox if leader.email.lower() not in m.to]
    assert all(m.subject.startswith("Endringen er godkjent") for m in to_sf_language)  # the others: bokmål
