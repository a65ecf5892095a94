"""Progress report services: prefilled drafts, saving, submission with Norwegian refusals, versions, and the
statsforvalter's review that settles unspent money in grants (repayment claim or carry-over)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from followup.models import (
    SELF_ASSESSMENT_STATEMENTS,
    ProgressReport,
    ReportingRequirement,
    ReportParticipant,
    ReportStatus,
    ReportVersion,
)
from followup.services import reports as services
from grants import services as grant_services
from grants.models import CarryOver, RepaymentClaim
from projects.models import ProjectService
from tests.grants.conftest import make_assessed, make_round, set_frame
from tests.projects.conftest import award

from .conftest import ANSWERS, USED, denied, fill, unchanged

pytestmark = pytest.mark.usefixtures("tasks", "clock")


def messages(info) -> list[str]:
    return list(info.value.messages)


# --- prefill ----------------------------------------------------------------------------------------


def test_start_report_prefills_award_budget_and_participants(leader, requirement, bergen, voss):
    report = services.start_report(leader, requirement)
    assert report.status == ReportStatus.UTKAST and report.versjon == 0
    assert report.tildelt == Decimal("350000")
    # Budget 300 000 + 100 000 with 50 000 other funding: the 350 000 kr award is spread proportionally.
    lines = {s.type: s.budsjett for s in report.forbruk.all()}
    assert lines == {
        "stilling": Decimal("262500"),
        "kompetanse": Decimal("87500"),
        "samlinger": Decimal("0"),
        "annet": Decimal("0"),
    }
    assert sum(lines.values()) == report.tildelt
    assert {p.tjeneste_id for p in report.deltakere.all()} == {bergen.pk, voss.pk}
    assert AuditEvent.objects.filter(handling="rapport.opprettet", object_id=str(report.pk)).count() == 1
    # A second visit returns the same draft.
    assert services.start_report(leader, requirement).pk == report.pk
    assert ProgressReport.objects.count() == 1


@pytest.mark.parametrize(
    "budget,award_,expected",
    [
        ({"stilling": Decimal("300000"), "kompetanse": Decimal("100000")}, Decimal("400000"), [300000, 100000]),
        ({"stilling": Decimal("100000"), "kompetanse": Decimal("100000")}, Decimal("100001"), [50001, 50000]),
        ({"stilling": Decimal("1"), "kompetanse": Decimal("1"), "annet": Decimal("1")}, Decimal("100"), [34, 33, 33]),
        ({"stilling": Decimal("200000"), "kompetanse": Decimal("100000")}, Decimal("100000.50"), [66667.50, 33333]),
    ],
)
def test_split_award_rounds_to_whole_kroner_and_sums_to_the_award(budget, award_, expected):
    lines = services.split_award(budget, award_)
    assert sum(lines.values()) == award_
    assert [lines[k] for k in budget] == [Decimal(str(e)) for e in expected]


def test_partial_award_scales_the_budget(sf, bufdir, vestland, submitted, leader):
    set_frame(bufdir, vestland, "1000000")
    decision = award(sf, make_assessed(sf, submitted), utfall="delvis_innvilget", belop=Decimal("200000"))
    report = services.start_report(leader, decision.rapportkrav.get())
    lines = {s.type: s.budsjett for s in report.forbruk.all()}
    assert lines["stilling"] == Decimal("150000") and lines["kompetanse"] == Decimal("50000")
    assert report.tildelt == Decimal("200000")


def test_next_years_report_carries_answers_and_staff_forward(
    leader, sf, bufdir, vestland, requirement, g2021, network, bergen, voss
):
    first = services.start_report(leader, requirement)
    fill(leader, first, deltakere=[{"tjeneste": bergen.pk, "antall_ansatte": 7}], avvik="Oppstart en måned senere.")
    services.review(sf, services.submit(leader, first), utfall="godkjent")
    # 2027: a new round and award for the same project.
    rnd = make_round(sf, g2021, aar=2027, tittel="Stimuleringsmidler 2027", publish=True)
    set_frame(bufdir, vestland, "1000000", aar=2027)
    application = grant_services.create_application(leader, rnd, kategori="fosterhjem", prosjekt=requirement.prosjekt)
    grant_services.save_draft(
        leader,
        application,
        maal="Videreføring.",
        aktiviteter="Spredning.",
        budsjett=[{"type": "samlinger", "belop": "100000"}],
        tjenester=[bergen, voss],
    )
    grant_services.submit(leader, application)
    decision = award(sf, make_assessed(sf, application), belop=Decimal("100000"))
    second = services.start_report(leader, decision.rapportkrav.get())
    assert second.krav.aar == 2027
    assert second.avvik == "Oppstart en måned senere."
    first.refresh_from_db()
    assert second.aktiviteter == first.aktiviteter != ""
    assert {a.utsagn: a.svar for a in second.egenvurdering.all()} == ANSWERS
    staff = {p.tjeneste_id: p.antall_ansatte for p in second.deltakere.all()}
    assert staff == {bergen.pk: 7, voss.pk: 0}
    assert {s.type: s.budsjett for s in second.forbruk.all()}["samlinger"] == Decimal("100000")
    assert second.forklaring_overforbruk == ""


# --- drafts ------------------------------------------------------------------------------------------


def test_save_draft_saves_only_what_is_given(leader, colleague, draft_report):
    services.save_draft(leader, draft_report, aktiviteter="Samlinger.")
    services.save_draft(
        colleague, draft_report, forbruk=[{"type": "stilling", "brukt": "1 000,-"}], egenvurdering={"tiltak": "stor"}
    )
    report = ProgressReport.objects.get(pk=draft_report.pk)
    assert report.aktiviteter == "Samlinger."
    assert report.forbruk.get(type="stilling").brukt == Decimal("1000")
    assert {a.utsagn: a.svar for a in report.egenvurdering.all()} == {"tiltak": "stor"}
    services.save_draft(leader, draft_report, egenvurdering={"tiltak": ""})
    assert not report.egenvurdering.exists()
    assert AuditEvent.objects.filter(handling="rapport.utkast_lagret").count() == 3


@pytest.mark.parametrize(
    "forbruk,field,message",
    [
        (
            [{"type": "stilling", "brukt": "-5"}],
            "brukt_stilling",
            "Brukt på «Prosjektstilling/lønn» kan ikke være negativt.",
        ),
        (
            [{"type": "kompetanse", "brukt": "mye"}],
            "brukt_kompetanse",
            "Brukt på «Ekstern kompetanse/veiledning»: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000.",
        ),
        ([{"type": "stilling", "brukt": "10,50"}], "brukt_stilling", "skriv hele kroner, uten øre"),
        ([{"type": "reiser", "brukt": "5"}], "forbruk", "Ukjent budsjettpost: reiser."),
    ],
)
def test_bad_amounts_are_refused_in_norwegian_and_change_nothing(leader, draft_report, forbruk, field, message):
    with unchanged(ValidationError) as info:
        services.save_draft(leader, draft_report, aktiviteter="Endret", forbruk=forbruk)
    assert any(message in m for m in info.value.message_dict[field])


@pytest.mark.parametrize(
    "value,message",
    [("-2", "kan ikke være negativt"), ("fire", "må være et helt tall, 0 eller høyere"), ("2.5", "helt tall")],
)
def test_bad_staff_numbers_are_refused(leader, draft_report, bergen, value, message):
    with unchanged(ValidationError) as info:
        services.save_draft(leader, draft_report, deltakere=[{"tjeneste": bergen.pk, "antall_ansatte": value}])
    assert message in info.value.message_dict[f"antall_ansatte_{bergen.pk}"][0]
    assert bergen.navn in info.value.message_dict[f"antall_ansatte_{bergen.pk}"][0]


def test_unknown_answer_on_the_scale_is_refused(leader, draft_report):
    with unchanged(ValidationError) as info:
        services.save_draft(leader, draft_report, egenvurdering={"tiltak": "kanskje"})
    assert info.value.message_dict["egenvurdering_tiltak"] == ["Velg et av svarene på skalaen."]


def test_submitted_report_cannot_be_edited(leader, submitted_report):
    with unchanged(ValidationError) as info:
        services.save_draft(leader, submitted_report, aktiviteter="Etterpå")
    assert messages(info) == ["Rapporten er sendt inn og venter på vurdering. Den kan ikke endres nå."]


# --- submission ----------------------------------------------------------------------------------------


def test_submit_computes_sums_and_freezes_a_version(leader, draft_report):
    report = services.submit(leader, fill(leader, draft_report))
    assert report.status == ReportStatus.SENDT_INN and report.sendt_inn is not None
    assert report.versjon == 1
    assert report.brukt_total == USED
    assert report.ubrukt == Decimal("70000")
    version = ReportVersion.objects.get(rapport=report)
    assert version.versjon == 1 and version.sendt_inn_av == leader
    content = version.innhold
    assert content["brukt_total"] == "280000.00" and content["ubrukt"] == "70000.00"
    assert {s["type"]: s["brukt"] for s in content["forbruk"]}["stilling"] == "200000.00"
    assert all(s["svar"] == "noen" for s in content["egenvurdering"])
    assert AuditEvent.objects.filter(handling="rapport.sendt_inn", object_id=str(report.pk)).exists()


def test_missing_answers_are_listed(leader, draft_report):
    services.save_draft(leader, draft_report, egenvurdering={"tiltak": "stor"})
    with unchanged(ValidationError) as info:
        services.submit(leader, draft_report)
    errors = info.value.message_dict
    assert errors["aktiviteter"] == ["Beskriv aktivitetene som er gjennomført."]
    assert errors["resultater"] == ["Beskriv resultatene prosjektet har oppnådd."]
    assert "egenvurdering_tiltak" not in errors
    for key in set(SELF_ASSESSMENT_STATEMENTS) - {"tiltak"}:
        assert errors[f"egenvurdering_{key}"] == [f"Svar på utsagnet «{SELF_ASSESSMENT_STATEMENTS[key]}»."]


def test_spending_above_the_award_needs_an_explanation(leader, draft_report):
    fill(leader, draft_report, stilling="300000", kompetanse="100000")
    with unchanged(ValidationError) as info:
        services.submit(leader, draft_report)
    assert info.value.message_dict["forklaring_overforbruk"] == [
        "Forbruket (400\u00a0000\u00a0kr) er større enn tildelt beløp (350\u00a0000\u00a0kr). Forklar hvordan "
        "forbruket ut over tildelingen er dekket."
    ]
    services.save_draft(leader, draft_report, forklaring_overforbruk="Dekket av egne midler i Bergen.")
    report = services.submit(leader, draft_report)
    assert report.brukt_total == Decimal("400000") and report.ubrukt == 0


def test_a_report_cannot_be_submitted_twice(leader, submitted_report, sf):
    with unchanged(ValidationError) as info:
        services.submit(leader, submitted_report)
    assert messages(info) == ["Rapporten er allerede sendt inn (versjon 1). Du trenger ikke sende den på nytt."]
    services.review(sf, submitted_report, utfall="godkjent", unspent_action=None)
    with unchanged(ValidationError) as info:
        services.submit(leader, submitted_report)
    assert messages(info) == ["Rapporten er allerede godkjent og kan ikke sendes inn på nytt."]


# --- review -----------------------------------------------------------------------------------------------


def test_return_needs_a_comment_then_resubmission_keeps_versions(leader, sf, submitted_report):
    with unchanged(ValidationError) as info:
        services.review(sf, submitted_report, utfall="returnert", kommentar="  ")
    assert info.value.message_dict["kommentar"] == ["Skriv hva prosjektet må rette når du returnerer rapporten."]
    report = services.review(sf, submitted_report, utfall="returnert", kommentar="Beskriv resultatene nærmere.")
    assert report.status == ReportStatus.RETURNERT
    assert report.vurderinger.get().kommentar == "Beskriv resultatene nærmere."
    services.save_draft(leader, report, resultater="Rutinen er tatt i bruk i Bergen og Voss, og evaluert.")
    report = services.submit(leader, report)
    assert report.versjon == 2 and report.status == ReportStatus.SENDT_INN
    versions = list(ReportVersion.objects.filter(rapport=report).order_by("versjon"))
    assert [v.versjon for v in versions] == [1, 2]
    assert versions[0].innhold["resultater"] != versions[1].innhold["resultater"]
    assert AuditEvent.objects.filter(handling="rapport.returnert").count() == 1


def test_requirement_is_delivered_while_the_report_is_sent_in_or_approved(leader, sf, requirement):
    """ReportingRequirement.levert (the start pages' partial index) follows the report through every step, and
    agrees with the status the duty selectors compute."""
    from followup.selectors.duty import OPEN_STATUSES, with_status

    def delivered() -> bool:
        requirement.refresh_from_db()
        computed = with_status(ReportingRequirement.objects.filter(pk=requirement.pk)).get().tilstand
        assert requirement.levert is (computed not in OPEN_STATUSES)
        return requirement.levert

    assert not delivered()
    report = services.start_report(leader, requirement)
    assert not delivered()
    report = services.submit(leader, fill(leader, report))
    assert delivered()
    report = services.review(sf, report, utfall="returnert", kommentar="Beskriv resultatene nærmere.")
    assert not delivered()
    report = services.submit(leader, report)
    assert delivered()
    services.review(sf, report, utfall="godkjent", kommentar="Fin rapport.")
    assert delivered()


def test_approval_above_the_threshold_creates_a_repayment_claim(sf, submitted_report, clock):
    report = services.review(sf, submitted_report, utfall="godkjent", kommentar="Fin rapport.")
    assert report.status == ReportStatus.GODKJENT and report.godkjent is not None
    claim = RepaymentClaim.objects.get()
    # Paid 350 000, spent 280 000: 70 000 back, due in 30 days.
    assert claim.belop == Decimal("70000")
    assert claim.vedtak == report.krav.vedtak
    assert claim.forfall == datetime.date(2026, 2, 2) + datetime.timedelta(days=30)
    assert str(report) in claim.begrunnelse
    assert AuditEvent.objects.filter(handling="rapport.godkjent", object_id=str(report.pk)).exists()
    assert AuditEvent.objects.filter(handling="soknad.tilbakebetalingskrav").exists()


def test_unspent_money_at_or_below_the_threshold_creates_no_claim(leader, sf, draft_report):
    fill(leader, draft_report, stilling="262500", kompetanse="82500")  # 5 000 kr unspent = the threshold
    report = services.submit(leader, draft_report)
    assert report.ubrukt == Decimal("5000")
    services.review(sf, report, utfall="godkjent")
    assert not RepaymentClaim.objects.exists()


def test_claim_is_capped_by_what_was_paid(leader, sf, bufdir, vestland, submitted):
    """Only 300 000 of 350 000 kr is paid; 280 000 spent: 20 000 kr is claimed, not the 70 000 unspent."""
    set_frame(bufdir, vestland, "1000000")
    decision = award(sf, make_assessed(sf, submitted), pay=False)
    grant_services.register_payment(
        sf, decision, dato=datetime.date(2026, 6, 1), belop="300000", kontonummer="15030100007"
    )
    report = services.start_report(leader, decision.rapportkrav.get())
    report = services.submit(leader, fill(leader, report))
    outcome = services.unspent_outcome(report)
    assert (outcome.ubrukt, outcome.utbetalt, outcome.belop, outcome.handling) == (
        Decimal("70000"),
        Decimal("300000"),
        Decimal("20000"),
        "krav",
    )
    services.review(sf, report, utfall="godkjent")
    assert RepaymentClaim.objects.get().belop == Decimal("20000")


def test_refused_claim_rolls_the_approval_back(sf, submitted_report):
    """An earlier claim of 300 000 kr leaves room for only 50 000: the 70 000 kr claim is refused by grants,
    and the approval with it."""
    grant_services.create_repayment_claim(
        sf, submitted_report.krav.vedtak, belop="300000", begrunnelse="Feilbruk", forfall=datetime.date(2026, 5, 1)
    )
    with unchanged(ValidationError) as info:
        services.review(sf, submitted_report, utfall="godkjent")
    assert messages(info)[0].startswith("Tilbakebetalingskravet kunne ikke registreres, så rapporten er ikke godkjent:")
    assert "Allerede krevd: 300\u00a0000\u00a0kr" in messages(info)[0]
    assert ProgressReport.objects.get().status == ReportStatus.SENDT_INN


def test_carry_over_when_the_round_allows_it(sf, submitted_report):
    rnd = submitted_report.krav.vedtak.soknad.utlysning
    with unchanged(ValidationError) as info:
        services.review(sf, submitted_report, utfall="godkjent", unspent_action="overfor")
    assert info.value.message_dict["unspent_action"] == [
        "Utlysningen tillater ikke overføring av ubrukte midler til neste år."
    ]
    rnd.overforing_tillatt = True
    rnd.save()
    services.review(sf, submitted_report, utfall="godkjent", unspent_action="overfor")
    carry = CarryOver.objects.get()
    assert (carry.belop, carry.til_aar) == (Decimal("70000"), 2027)
    assert not RepaymentClaim.objects.exists()


def test_carry_over_needs_an_impartial_reviewer(sf_leader, submitted_report):
    """Carry-over is a decision on the grant: the reviewer must have declared impartiality (grants rule)."""
    rnd = submitted_report.krav.vedtak.soknad.utlysning
    rnd.overforing_tillatt = True
    rnd.save()
    with unchanged(ValidationError) as info:
        services.review(sf_leader, submitted_report, utfall="godkjent", unspent_action="overfor")
    assert "Overføringen kunne ikke registreres" in messages(info)[0]
    assert "Erklær habilitet" in messages(info)[0]


def test_review_refuses_wrong_states_and_outcomes(sf, leader, draft_report):
    with unchanged(ValidationError) as info:
        services.review(sf, draft_report, utfall="godkjent")
    assert messages(info) == ["Rapporten er ikke sendt inn til vurdering."]
    report = services.submit(leader, fill(leader, draft_report))
    with unchanged(ValidationError) as info:
        services.review(sf, report, utfall="kanskje")
    assert info.value.message_dict["utfall"] == ["Velg om rapporten skal godkjennes eller returneres."]
    services.review(sf, report, utfall="godkjent")
    with unchanged(ValidationError) as info:
        services.review(sf, report, utfall="godkjent")
    assert messages(info) == ["Rapporten er allerede godkjent."]


# --- permissions per role ----------------------------------------------------------------------------------


def test_only_participating_service_users_start_and_edit(
    requirement, sf, bufdir, sogndal_leader, agder_leader, askoy, voss_leader
):
    for outsider in (sf, bufdir, sogndal_leader, agder_leader):
        with denied():
            services.start_report(outsider, requirement)
    # Askøy is in the network but not in the project or the application.
    from tests import factories

    askoy_user = factories.service_user(askoy)
    with denied():
        services.start_report(askoy_user, requirement)
    # Voss applied with Bergen: its leader may write the report.
    assert services.start_report(voss_leader, requirement).krav == requirement


def test_project_service_that_left_before_the_year_is_not_a_participant(requirement, askoy, bergen):
    ProjectService.objects.create(
        prosjekt=requirement.prosjekt,
        tjeneste=askoy,
        fra_dato=datetime.date(2020, 1, 1),
        til_dato=datetime.date(2025, 6, 1),
    )
    krav = ReportingRequirement.objects.get(pk=requirement.pk)
    assert askoy.pk not in services.participant_service_ids(krav)
    assert bergen.pk in services.participant_service_ids(krav)


def test_outsiders_cannot_save_submit_or_review(draft_report, leader, sf, sf_agder, bufdir, sogndal_leader):
    for outsider in (sf, bufdir, sogndal_leader, sf_agder):
        with denied():
            services.save_draft(outsider, draft_report, aktiviteter="Nei")
        with denied():
            services.submit(outsider, draft_report)
    report = services.submit(leader, fill(leader, draft_report))
    for not_reviewer in (leader, bufdir, sf_agder, sogndal_leader):
        with denied():
            services.review(not_reviewer, report, utfall="godkjent")


def test_participants_stay_in_the_report(leader, draft_report, sogndal):
    with unchanged(ValidationError) as info:
        services.save_draft(leader, draft_report, deltakere=[{"tjeneste": sogndal.pk, "antall_ansatte": 1}])
    assert info.value.message_dict["deltakere"] == ["Tjenesten er ikke med i rapporten."]
    assert ReportParticipant.objects.filter(tjeneste=sogndal).count() == 0
