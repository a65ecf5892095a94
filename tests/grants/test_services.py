"""The grants service layer: frames, rounds, applications, submission, assessment, decisions within the frame,
appeals, payments and repayment claims. Every refusal asserts the Norwegian message and that nothing changed
(no rows, no audit events, no scheduled tasks)."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from common.money import kr
from grants import ledger, repayments, services
from grants.models import (
    Appeal,
    Application,
    ApplicationRound,
    ApplicationStatus,
    ApplicationVersion,
    Assessment,
    BudgetLine,
    Decision,
    Frame,
    FrameAdjustment,
    ImpartialityDeclaration,
    Payment,
    RepaymentStatus,
    RoundStatus,
    Score,
)
from networks.models import LearningNetwork, MembershipStatus, NetworkStatus
from projects.models import DevelopmentProject, ProjectService
from tests import factories

from .conftest import (
    APPLIED,
    BUDGET,
    DEADLINE,
    OSLO,
    YEAR,
    ValidationError,
    denied,
    field_messages,
    make_assessed,
    make_draft,
    make_round,
    make_submitted,
    member,
    messages,
    refused,
    round_data,
    set_frame,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock")]

S = ApplicationStatus
ACCOUNT = "86011117947"  # a valid Norwegian kontonummer (MOD11)


def events(handling: str):
    return AuditEvent.objects.filter(handling=handling)


# === 1. frames ==================================================================================


def test_bufdir_sets_a_frame(bufdir, vestland):
    frame = set_frame(bufdir, vestland, "1 650 000")
    frame.refresh_from_db()
    assert (frame.aar, frame.embete, frame.kategori, frame.belop) == (YEAR, vestland, "fosterhjem", Decimal("1650000"))
    assert isinstance(frame.belop, Decimal)
    assert frame.ordning == services.scheme()
    assert not FrameAdjustment.objects.exists()  # setting a new frame is not an adjustment
    assert events("ramme.satt").get().aktor == bufdir


@pytest.mark.parametrize("who", ["sf", "sf_agder", "leader", "sf_leader"])
def test_only_bufdir_sets_frames(who, request, vestland, bufdir):
    user = request.getfixturevalue(who)
    with denied():
        set_frame(user, vestland, "1000000")
    frame = set_frame(bufdir, vestland, "1000000")
    with denied(frame):
        set_frame(user, vestland, "2000000", begrunnelse="Mer penger")


def test_changing_a_frame_needs_a_reason(bufdir, vestland):
    frame = set_frame(bufdir, vestland, "1000000")
    for reason in ("", "   "):
        with refused(ValidationError, frame) as info:
            set_frame(bufdir, vestland, "1200000", begrunnelse=reason)
        assert field_messages(info, "begrunnelse") == ["Skriv en begrunnelse for endringen av rammen."]


def test_changing_a_frame_records_an_adjustment(bufdir, vestland):
    frame = set_frame(bufdir, vestland, "1000000")
    changed = set_frame(bufdir, vestland, "1 200 000,-", begrunnelse="  Revidert nasjonalbudsjett  ")
    assert changed.pk == frame.pk
    frame.refresh_from_db()
    assert frame.belop == Decimal("1200000")
    adjustment = FrameAdjustment.objects.get()
    assert (adjustment.ramme, adjustment.fra_belop, adjustment.til_belop) == (
        frame,
        Decimal("1000000"),
        Decimal("1200000"),
    )
    assert (adjustment.begrunnelse, adjustment.endret_av) == ("Revidert nasjonalbudsjett", bufdir)
    assert events("ramme.justert").count() == 1


def test_setting_the_same_amount_again_changes_nothing(bufdir, vestland):
    frame = set_frame(bufdir, vestland, "1000000")
    before = AuditEvent.objects.count()
    assert set_frame(bufdir, vestland, Decimal("1000000.00")).pk == frame.pk
    assert not FrameAdjustment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_frames_are_per_year_and_category(bufdir, vestland, agder):
    a = set_frame(bufdir, vestland, "1000000")
    b = set_frame(bufdir, vestland, "500000", kategori="egeninitiert")
    c = set_frame(bufdir, vestland, "900000", aar=YEAR + 1)
    d = set_frame(bufdir, agder, "700000")
    assert len({a.pk, b.pk, c.pk, d.pk}) == 4
    assert not FrameAdjustment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "Rammen kan ikke være negativt."),
        (Decimal("-0.01"), "Rammen kan ikke være negativt."),
        ("en million", "Rammen: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        ("", "Rammen: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        (None, "Rammen: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        ("1,5 mill", "Rammen: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        ("NaN", "Rammen: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        ("Infinity", "Rammen: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        ("100,005", "Rammen: skriv hele kroner, uten øre."),
        ("100000,50", "Rammen: skriv hele kroner, uten øre."),
        (
            "1000000000000",
            "Rammen: beløpet er for stort. Det største beløpet Læringsnett kan lagre, er "
            "999\u00a0999\u00a0999\u00a0999\u00a0kr.",
        ),
        ("999999999999", None),
    ],
)
def test_frame_amount_must_be_a_non_negative_amount(amount, message, bufdir, vestland):
    if message is None:  # the largest amount a money column holds
        assert set_frame(bufdir, vestland, amount).belop == Decimal(amount)
        return
    with refused(ValidationError) as info:
        set_frame(bufdir, vestland, amount)
    assert field_messages(info, "belop") == [message]
    frame = set_frame(bufdir, vestland, "1000000")
    with refused(ValidationError, frame) as info:
        set_frame(bufdir, vestland, amount, begrunnelse="Endring")
    assert field_messages(info, "belop") == [message]


def test_frame_category_must_exist(bufdir, vestland):
    with refused(ValidationError) as info:
        set_frame(bufdir, vestland, "1000", kategori="annet")
    assert field_messages(info, "kategori") == ["Ugyldig kategori."]


def test_frame_cannot_go_below_what_is_awarded(bufdir, vestland, sf, assessed):
    frame = set_frame(bufdir, vestland, "1000000")
    services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Godt prosjekt.")
    with refused(ValidationError, frame) as info:
        set_frame(bufdir, vestland, "349999", begrunnelse="Kutt")
    assert field_messages(info, "belop") == [
        f"Rammen kan ikke settes lavere enn det som allerede er tildelt ({kr(APPLIED)})."
    ]
    set_frame(bufdir, vestland, APPLIED, begrunnelse="Kutt til det som er tildelt")
    frame.refresh_from_db()
    assert frame.belop == APPLIED
    # Another category's frame is not bound by this award.
    other = set_frame(bufdir, vestland, "100", kategori="egeninitiert")
    set_frame(bufdir, vestland, "0", kategori="egeninitiert", begrunnelse="Ingen søkere")
    other.refresh_from_db()
    assert other.belop == 0


# === 2. rounds ==================================================================================


def test_statsforvalter_creates_a_round(sf, vestland, g2021):
    rnd = make_round(sf, g2021, publish=False)
    rnd.refresh_from_db()
    assert (rnd.embete, rnd.aar, rnd.status, rnd.retningslinjer) == (vestland, YEAR, RoundStatus.UTKAST, g2021)
    assert list(rnd.kriterieliste.values_list("navn", "rekkefolge")) == [
        ("Samarbeid", 0),
        ("Forankring", 1),
        ("Plan", 2),
    ]
    assert rnd.categories == ["egeninitiert", "fosterhjem"]
    assert events("utlysning.opprettet").get().aktor == sf


@pytest.mark.parametrize("who", ["sf_agder", "bufdir", "leader", "colleague"])
def test_only_the_embetes_statsforvalter_manages_rounds(who, request, sf, vestland, g2021, tasks):
    user = request.getfixturevalue(who)
    with denied():
        services.create_round(user, embete=vestland, aar=YEAR, **round_data(g2021))
    rnd = make_round(sf, g2021, publish=False)
    with denied(rnd):
        services.update_round(user, rnd, tittel="Kapret")
    with denied(rnd):
        services.publish_round(user, rnd)
    assert tasks == []


def test_deadline_before_opening_is_refused(sf, vestland, g2021):
    with refused(ValidationError) as info:
        services.create_round(
            sf, embete=vestland, aar=YEAR, **round_data(g2021, apner=DEADLINE, frist=DEADLINE - datetime.timedelta(1))
        )
    assert field_messages(info, "frist") == ["Søknadsfristen kan ikke være før utlysningen åpner."]
    # The same day is fine.
    rnd = services.create_round(sf, embete=vestland, aar=YEAR, **round_data(g2021, apner=DEADLINE, frist=DEADLINE))
    with refused(ValidationError, rnd) as info:
        services.update_round(sf, rnd, apner=DEADLINE + datetime.timedelta(1))
    assert field_messages(info, "frist") == ["Søknadsfristen kan ikke være før utlysningen åpner."]


def test_round_without_category_is_refused(sf, vestland, g2021):
    with refused(ValidationError) as info:
        services.create_round(sf, embete=vestland, aar=YEAR, **round_data(g2021, egeninitiert=False, fosterhjem=False))
    assert field_messages(info, "egeninitiert") == ["Velg minst én kategori som kan søke."]
    rnd = make_round(sf, g2021, publish=False, egeninitiert=False)
    with refused(ValidationError, rnd) as info:
        services.update_round(sf, rnd, fosterhjem=False)
    assert field_messages(info, "egeninitiert") == ["Velg minst én kategori som kan søke."]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kriterier": "  "}, "kriterier", "Skriv kriteriene søknadene vurderes etter."),
        ({"maks_belop": 0}, "maks_belop", "Maks beløp må være større enn 0, eller stå tomt."),
        ({"maks_belop": "-5"}, "maks_belop", "Maks beløp kan ikke være negativt."),
        ({"maks_belop": "mye"}, "maks_belop", "Maks beløp: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."),
        (
            {"tilbakebetaling_terskel": "-1"},
            "tilbakebetaling_terskel",
            "Terskelen for tilbakebetaling kan ikke være negativt.",
        ),
        ({"retningslinjer": None}, "retningslinjer", "Velg hvilke retningslinjer som gjelder for utlysningen."),
        ({"frist": None}, "frist", "Velg søknadsfristen."),
        ({"apner": None}, "apner", "Velg datoen utlysningen åpner."),
    ],
)
def test_round_fields_are_validated(overrides, field, message, sf, vestland, g2021):
    with refused(ValidationError) as info:
        services.create_round(sf, embete=vestland, aar=YEAR, **round_data(g2021, **overrides))
    assert field_messages(info, field) == [message]


def test_round_amounts_given_as_text_are_stored_as_decimal(sf, g2021):
    rnd = make_round(sf, g2021, publish=False, maks_belop="500 000", tilbakebetaling_terskel="2 500,-")
    rnd.refresh_from_db()
    assert (rnd.maks_belop, rnd.tilbakebetaling_terskel) == (Decimal("500000"), Decimal("2500"))
    services.update_round(sf, rnd, maks_belop="")
    rnd.refresh_from_db()
    assert rnd.maks_belop is None


def test_one_round_per_embete_and_year(sf, vestland, g2021, sf_agder, agder):
    make_round(sf, g2021, publish=False)
    with refused(ValidationError) as info:
        services.create_round(sf, embete=vestland, aar=YEAR, **round_data(g2021))
    assert field_messages(info, "aar") == ["Embetet har allerede en utlysning for 2026."]
    services.create_round(sf, embete=vestland, aar=YEAR + 1, **round_data(g2021))
    services.create_round(sf_agder, embete=agder, aar=YEAR, **round_data(g2021))
    assert ApplicationRound.objects.count() == 3


def test_update_round_records_the_changes(sf, g2021):
    rnd = make_round(sf, g2021, publish=False)
    services.update_round(sf, rnd, tittel="Ny tittel", frist=DEADLINE + datetime.timedelta(7))
    rnd.refresh_from_db()
    assert (rnd.tittel, rnd.frist) == ("Ny tittel", datetime.date(2026, 3, 22))
    changes = events("utlysning.endret").get().endringer
    assert set(changes) == {"tittel", "frist"}


def test_guideline_version_is_fixed_once_published(sf, g2018, g2021):
    rnd = make_round(sf, g2021, publish=False)
    services.update_round(sf, rnd, retningslinjer=g2018)  # allowed while a draft
    rnd.refresh_from_db()
    assert rnd.retningslinjer == g2018
    rnd = services.publish_round(sf, rnd)
    with refused(ValidationError, rnd) as info:
        services.update_round(sf, rnd, retningslinjer=g2021)
    assert field_messages(info, "retningslinjer") == [
        "Retningslinjene kan ikke endres etter at utlysningen er publisert."
    ]
    # Other fields may still be corrected after publishing; passing the same guideline is no change.
    services.update_round(sf, rnd, retningslinjer=g2018, dokumentkrav="Budsjett og plan")
    rnd.refresh_from_db()
    assert (rnd.retningslinjer, rnd.dokumentkrav) == (g2018, "Budsjett og plan")


def test_publish_schedules_the_email_on_commit(sf, g2021, tasks, django_capture_on_commit_callbacks):
    rnd = make_round(sf, g2021, publish=False)
    with django_capture_on_commit_callbacks() as callbacks:
        published = services.publish_round(sf, rnd)
        assert tasks == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    assert tasks == []
    callbacks[0]()
    assert tasks == [("send_round_published", (rnd.pk,))]
    published.refresh_from_db()
    assert published.status == RoundStatus.PUBLISERT
    assert published.publisert is not None
    assert events("utlysning.publisert").count() == 1


def test_publish_twice_is_refused(sf, g2021):
    rnd = make_round(sf, g2021)
    with refused(ValidationError, rnd) as info:
        services.publish_round(sf, rnd)
    assert messages(info) == ["Utlysningen er allerede publisert."]


def test_publish_with_a_past_deadline_is_refused(sf, g2021):
    rnd = make_round(sf, g2021, publish=False, apner=datetime.date(2026, 1, 5), frist=datetime.date(2026, 2, 1))
    with refused(ValidationError, rnd) as info:
        services.publish_round(sf, rnd)
    assert messages(info) == ["Søknadsfristen 01.02.2026 har passert. Sett en ny frist før du publiserer."]


# === 3. applications: create ====================================================================


def test_create_application_for_an_existing_project(leader, rnd, network, bergen):
    project = DevelopmentProject.objects.create(network=network, navn="Trygg i fosterhjem", kategori="fosterhjem")
    application = services.create_application(leader, rnd, kategori="fosterhjem", prosjekt=project)
    application.refresh_from_db()
    assert (application.prosjekt, application.status, application.referanse) == (project, S.UTKAST, None)
    assert (application.opprettet_av, application.soknadsbelop) == (leader, 0)
    assert list(application.tjenester.all()) == [bergen]
    assert events("soknad.opprettet").count() == 1


def test_create_application_with_a_new_project(leader, rnd, network, bergen):
    application = services.create_application(
        leader, rnd, kategori="egeninitiert", network=network, prosjektnavn="  Medvirkning i praksis "
    )
    project = application.prosjekt
    assert (project.navn, project.network, project.kategori) == ("Medvirkning i praksis", network, "egeninitiert")
    assert list(ProjectService.objects.filter(prosjekt=project).values_list("tjeneste", flat=True)) == [bergen.pk]


def test_a_network_in_another_embete_is_refused(leader, rnd, agder, bergen):
    agder_network = LearningNetwork.objects.create(
        embete=agder, navn="Agder-nettverket", etablert_aar=2021, status=NetworkStatus.AKTIV
    )
    member(agder_network, bergen)
    with refused(ValidationError) as info:
        services.create_application(leader, rnd, kategori="fosterhjem", network=agder_network, prosjektnavn="Nytt")
    assert field_messages(info, "prosjekt") == ["Prosjektet hører til et nettverk i et annet embete."]
    project = DevelopmentProject.objects.create(network=agder_network, navn="Eksisterende", kategori="fosterhjem")
    with refused(ValidationError) as info:
        services.create_application(leader, rnd, kategori="fosterhjem", prosjekt=project)
    assert field_messages(info, "prosjekt") == ["Prosjektet hører til et nettverk i et annet embete."]


def test_a_service_outside_the_network_is_refused(sogndal_leader, sogndal, rnd, network):
    not_member = "Tjenesten din deltar ikke i nettverket til dette prosjektet."
    with refused(ValidationError) as info:
        services.create_application(sogndal_leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="Nytt")
    assert field_messages(info, "prosjekt") == [not_member]
    # Invited is not yet a member.
    member(network, sogndal, status=MembershipStatus.INVITERT)
    with refused(ValidationError) as info:
        services.create_application(sogndal_leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="Nytt")
    assert field_messages(info, "prosjekt") == [not_member]


@pytest.mark.parametrize("who", ["agder_leader", "sf", "bufdir"])
def test_only_services_in_the_rounds_embete_apply(who, request, rnd, network):
    with denied():
        services.create_application(
            request.getfixturevalue(who), rnd, kategori="fosterhjem", network=network, prosjektnavn="Nytt"
        )


def test_no_applications_to_an_unpublished_round(leader, sf, g2021, network):
    rnd = make_round(sf, g2021, publish=False)
    with denied():
        services.create_application(leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="Nytt")


def test_category_must_be_open_in_the_round(leader, sf, g2021, network):
    rnd = make_round(sf, g2021, egeninitiert=False)
    with refused(ValidationError) as info:
        services.create_application(leader, rnd, kategori="egeninitiert", network=network, prosjektnavn="Nytt")
    assert field_messages(info, "kategori") == ["Utlysningen er ikke åpen for denne kategorien."]


def test_project_or_name_is_needed(leader, rnd, network):
    for kwargs in ({}, {"network": network}, {"network": network, "prosjektnavn": "   "}):
        with refused(ValidationError) as info:
            services.create_application(leader, rnd, kategori="fosterhjem", **kwargs)
        assert field_messages(info, "prosjektnavn") == ["Velg et prosjekt, eller skriv navnet på et nytt prosjekt."]


def test_new_project_name_must_be_new_in_the_network(leader, rnd, network):
    DevelopmentProject.objects.create(network=network, navn="Trygg i fosterhjem", kategori="fosterhjem")
    with refused(ValidationError) as info:
        services.create_application(
            leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="TRYGG I FOSTERHJEM"
        )
    assert field_messages(info, "prosjektnavn") == ["Nettverket har allerede et prosjekt med dette navnet."]


def test_one_live_application_per_project_and_category(leader, voss_leader, rnd, draft):
    with refused(ValidationError, draft) as info:
        services.create_application(voss_leader, rnd, kategori="fosterhjem", prosjekt=draft.prosjekt)
    assert field_messages(info, "prosjekt") == ["Prosjektet har allerede en søknad i denne kategorien i utlysningen."]
    # Another category for the same project is a separate application.
    services.create_application(voss_leader, rnd, kategori="egeninitiert", prosjekt=draft.prosjekt)
    # After withdrawing, the project may apply again.
    services.withdraw(leader, draft)
    again = services.create_application(leader, rnd, kategori="fosterhjem", prosjekt=draft.prosjekt)
    assert again.pk != draft.pk


# === 3. applications: save_draft ================================================================


def test_save_draft_computes_the_applied_amount_as_decimal(draft, bergen, voss):
    draft.refresh_from_db()
    assert draft.soknadsbelop == Decimal("350000")
    assert isinstance(draft.soknadsbelop, Decimal)
    assert isinstance(draft.annen_finansiering, Decimal)
    assert sorted(BudgetLine.objects.filter(soknad=draft).values_list("type", "belop")) == [
        ("kompetanse", Decimal("100000")),
        ("stilling", Decimal("300000")),
    ]
    assert set(draft.tjenester.all()) == {bergen, voss}
    assert events("soknad.utkast_lagret").count() == 1


def test_applied_amount_is_whole_kroner_in_the_forms_people_type(leader, draft):
    budsjett = [
        {"type": "annet", "belop": "1.200"},
        {"type": "annet", "belop": 200},
        {"type": "samlinger", "belop": "1 234,-"},
        {"type": "stilling", "belop": "\u00a0100\u2009000 kr"},
    ]
    saved = services.save_draft(leader, draft, maal="Mål", budsjett=budsjett, annen_finansiering="1 000")
    saved.refresh_from_db()
    assert saved.soknadsbelop == Decimal("101634")
    assert isinstance(saved.soknadsbelop, Decimal)
    assert saved.annen_finansiering == Decimal("1000")


def test_save_draft_replaces_the_whole_draft(leader, draft, bergen, voss):
    services.save_draft(leader, draft, maal="Nytt mål", budsjett=[{"type": "annet", "belop": "5000"}])
    draft.refresh_from_db()
    assert (draft.maal, draft.soknadsbelop, draft.annen_finansiering) == ("Nytt mål", Decimal("5000"), 0)
    assert draft.budsjett.count() == 1
    assert set(draft.tjenester.all()) == {bergen, voss}  # tjenester=None keeps the services


@pytest.mark.parametrize(
    ("kwargs", "field", "expected"),
    [
        (
            {"budsjett": [{"type": "stilling", "belop": "-100"}]},
            "budsjett",
            ["Budsjettlinje 1 kan ikke være negativt."],
        ),
        (
            {"budsjett": [BUDGET[0], {"type": "annet", "belop": "mange penger"}]},
            "budsjett",
            ["Budsjettlinje 2: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."],
        ),
        (
            {"budsjett": [{"type": "reise", "belop": "100"}, {"type": "annet", "belop": "-1"}]},
            "budsjett",
            ["Budsjettlinje 1: velg type.", "Budsjettlinje 2 kan ikke være negativt."],
        ),
        ({"budsjett": BUDGET, "egeninnsats": "-5"}, "egeninnsats", ["Egeninnsats kan ikke være negativt."]),
        (
            {"budsjett": BUDGET, "annen_finansiering": "ti tusen"},
            "annen_finansiering",
            ["Annen finansiering: skriv beløpet med sifre, for eksempel 1\u00a0500\u00a0000."],
        ),
        (
            {"budsjett": BUDGET, "annen_finansiering": "-1"},
            "annen_finansiering",
            ["Annen finansiering kan ikke være negativt."],
        ),
        (
            {"budsjett": BUDGET, "annen_finansiering": "400001"},
            "annen_finansiering",
            [f"Annen finansiering ({kr('400001')}) kan ikke være større enn budsjettets sum ({kr(400000)})."],
        ),
        (
            {"budsjett": BUDGET, "annen_finansiering": "100000,50"},
            "annen_finansiering",
            ["Annen finansiering: skriv hele kroner, uten øre."],
        ),
    ],
)
def test_save_draft_refuses_bad_amounts(kwargs, field, expected, leader, draft):
    with refused(ValidationError, draft) as info:
        services.save_draft(leader, draft, maal="Endret", **kwargs)
    assert field_messages(info, field) == expected
    assert draft.budsjett.count() == 2


def test_other_funding_equal_to_the_budget_gives_zero(leader, draft):
    services.save_draft(leader, draft, budsjett=BUDGET, annen_finansiering="400000")
    draft.refresh_from_db()
    assert draft.soknadsbelop == 0


def test_save_draft_refuses_services_outside_the_network(leader, draft, bergen, sogndal, kristiansand, network):
    with refused(ValidationError, draft) as info:
        services.save_draft(leader, draft, budsjett=BUDGET, tjenester=[bergen, sogndal])
    assert field_messages(info, "tjenester") == [
        "Barnevernstenesta i Sogndal deltar ikke i nettverket og kan ikke være med på søknaden."
    ]
    with refused(ValidationError, draft) as info:
        services.save_draft(leader, draft, budsjett=BUDGET, tjenester=[bergen, kristiansand])
    assert field_messages(info, "tjenester") == [
        "Barneverntjenesten i Kristiansand deltar ikke i nettverket og kan ikke være med på søknaden."
    ]
    member(network, sogndal, status=MembershipStatus.INVITERT)
    with refused(ValidationError, draft):
        services.save_draft(leader, draft, budsjett=BUDGET, tjenester=[bergen, sogndal])


def test_save_draft_keeps_the_own_service(leader, draft, voss, askoy):
    with refused(ValidationError, draft) as info:
        services.save_draft(leader, draft, budsjett=BUDGET, tjenester=[voss, askoy])
    assert field_messages(info, "tjenester") == ["Din egen tjeneste må være med på søknaden."]


def test_partners_need_a_role(leader, draft, knowledge_partner):
    with refused(ValidationError, draft) as info:
        services.save_draft(leader, draft, budsjett=BUDGET, partnere=[{"partner": knowledge_partner, "rolle": " "}])
    assert field_messages(info, "partnere") == ["Beskriv rollen til RKBU Vest i prosjektet."]
    services.save_draft(leader, draft, budsjett=BUDGET, partnere=[{"partner": knowledge_partner, "rolle": "Veileder"}])
    assert list(draft.partnere.values_list("partner__navn", "rolle")) == [("RKBU Vest", "Veileder")]


def test_a_partner_is_listed_once(leader, draft, knowledge_partner):
    twice = [{"partner": knowledge_partner, "rolle": "Veileder"}, {"partner": knowledge_partner, "rolle": "Kurs"}]
    with refused(ValidationError, draft) as info:
        services.save_draft(leader, draft, budsjett=BUDGET, partnere=twice)
    assert field_messages(info, "partnere") == ["RKBU Vest står flere ganger. Beskriv rollen én gang."]


def test_colleagues_of_an_applying_service_edit_the_draft(colleague, voss_leader, draft):
    services.save_draft(colleague, draft, maal="Skrevet av en kollega", budsjett=BUDGET)
    services.save_draft(voss_leader, draft, maal="Skrevet fra Voss", budsjett=BUDGET)
    draft.refresh_from_db()
    assert draft.maal == "Skrevet fra Voss"


@pytest.mark.parametrize("who", ["sogndal_leader", "agder_leader", "sf", "bufdir"])
def test_others_cannot_edit_the_draft(who, request, draft):
    with denied(draft):
        services.save_draft(request.getfixturevalue(who), draft, maal="Kapret", budsjett=BUDGET)


def test_askoy_can_edit_once_added(leader, draft, bergen, voss, askoy):
    askoy_user = factories.service_user(askoy, leder=False)
    with denied(draft):
        services.save_draft(askoy_user, draft, maal="Før", budsjett=BUDGET)
    services.save_draft(leader, draft, budsjett=BUDGET, tjenester=[bergen, voss, askoy])
    services.save_draft(askoy_user, draft, maal="Etter", budsjett=BUDGET)
    assert Application.objects.get(pk=draft.pk).maal == "Etter"


def test_a_submitted_application_cannot_be_edited(leader, colleague, submitted):
    for user in (leader, colleague):
        with denied(submitted):
            services.save_draft(user, submitted, maal="Etterpå", budsjett=BUDGET)


# === 3. submission ==============================================================================


def test_submit_gives_reference_version_and_receipt(leader, draft, tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submitted = services.submit(leader, draft)
        assert tasks == []
    assert len(callbacks) == 1
    assert tasks == [("send_receipt", (draft.pk,))]
    submitted.refresh_from_db()
    assert (submitted.referanse, submitted.status, submitted.versjon) == ("VL-2026-0001", S.SENDT_INN, 1)
    assert submitted.sendt_inn is not None
    version = ApplicationVersion.objects.get(soknad=submitted)
    assert (version.nummer, version.opprettet_av, version.kommentar) == (1, leader, "Sendt inn")
    assert version.innhold["soknadsbelop"] == "350000.00"
    assert version.innhold["tjenester"] == ["Barnevernstenesta i Voss", "Barneverntjenesten i Bergen"]
    assert [line["belop"] for line in version.innhold["budsjett"]] == ["300000.00", "100000.00"]
    assert events("soknad.sendt_inn").get().endringer == {"referanse": "VL-2026-0001"}


def test_references_count_up_within_the_round(leader, rnd, network, bergen, voss, draft):
    first = services.submit(leader, draft)
    second = make_submitted(leader, rnd, network, [bergen, voss], navn="Prosjekt to")
    assert (first.referanse, second.referanse) == ("VL-2026-0001", "VL-2026-0002")


def test_double_submit_is_refused(leader, draft, tasks):
    services.submit(leader, draft)
    submitted = Application.objects.get(pk=draft.pk)
    with refused(ValidationError, submitted) as info:
        services.submit(leader, draft)  # the stale object from before, as a double click would send
    assert messages(info) == [
        "Søknaden er allerede sendt inn (referanse VL-2026-0001). Du trenger ikke sende den på nytt."
    ]
    assert "allerede sendt inn" in messages(info)[0]
    assert ApplicationVersion.objects.filter(soknad=draft).count() == 1


def test_colleague_may_submit(colleague, draft):
    assert services.submit(colleague, draft).status == S.SENDT_INN


@pytest.mark.parametrize("who", ["sogndal_leader", "sf", "bufdir"])
def test_others_cannot_submit(who, request, draft):
    with denied(draft):
        services.submit(request.getfixturevalue(who), draft)


def test_submit_after_the_deadline_is_refused(leader, draft, clock):
    clock.move_to(datetime.datetime(2026, 3, 16, 0, 30, tzinfo=OSLO))  # still the 15th in UTC
    assert services.submission_problems(draft) == ["Søknadsfristen gikk ut 15.03.2026. Søknaden kan ikke sendes inn."]
    with refused(ValidationError, draft) as info:
        services.submit(leader, draft)
    assert messages(info) == ["Søknadsfristen gikk ut 15.03.2026. Søknaden kan ikke sendes inn."]
    assert "15.03.2026" in messages(info)[0]


def test_submit_on_the_last_evening_is_accepted(leader, draft, clock):
    clock.move_to(datetime.datetime(2026, 3, 15, 23, 59, tzinfo=OSLO))
    assert services.submission_problems(draft) == []
    assert services.submit(leader, draft).status == S.SENDT_INN


def test_submit_before_the_round_opens_is_refused(leader, sf, g2021, network, bergen, voss, clock):
    rnd = make_round(sf, g2021, apner=datetime.date(2026, 3, 1))
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss])
    with refused(ValidationError, draft) as info:
        services.submit(leader, draft)
    assert messages(info) == ["Utlysningen åpner 01.03.2026."]


def test_fewer_than_two_services_is_refused(leader, rnd, network):
    draft = make_draft(leader, rnd, network)  # only the leader's own service
    with refused(ValidationError, draft) as info:
        services.submit(leader, draft)
    assert messages(info) == [
        "Minst to barnevernstjenester fra nettverket må være med på søknaden (nå: 1). "
        "Stimuleringsmidlene er for samarbeid mellom tjenester i et læringsnettverk."
    ]


def test_empty_draft_lists_every_problem(leader, rnd, network):
    draft = services.create_application(leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="Tomt")
    assert services.submission_problems(draft) == [
        "Minst to barnevernstjenester fra nettverket må være med på søknaden (nå: 1). "
        "Stimuleringsmidlene er for samarbeid mellom tjenester i et læringsnettverk.",
        "Budsjettet har ingen linjer.",
        "Søknadsbeløpet må være større enn 0.",
        "Skriv prosjektets mål.",
    ]


def test_over_the_max_amount_is_refused(leader, rnd, network, bergen, voss):
    budget = [{"type": "stilling", "belop": "850000"}]
    draft = make_draft(leader, rnd, network, tjenester=[bergen, voss], budsjett=budget, annen_finansiering="49999")
    with refused(ValidationError, draft) as info:
        services.submit(leader, draft)
    assert messages(info) == [f"Søknadsbeløpet {kr(800001)} er større enn maksbeløpet i utlysningen ({kr(800000)})."]
    services.save_draft(leader, draft, maal="Mål", budsjett=budget, annen_finansiering="50000")
    assert services.submit(leader, draft).soknadsbelop == Decimal("800000")


KNOWLEDGE_PARTNER_PROBLEM = (
    "Etter Retningslinjer 2018 må egeninitierte prosjekter ha en kunnskapspartner (for eksempel RKBU, RBUP, NUBU, "
    "RVTS, KoRus eller et universitet/høyskole) eller Bufetat som partner."
)


def test_egeninitiert_under_2018_needs_a_knowledge_partner(
    leader, sf, g2018, network, bergen, voss, knowledge_partner, ks_partner
):
    rnd = make_round(sf, g2018)
    draft = make_draft(leader, rnd, network, kategori="egeninitiert", tjenester=[bergen, voss])
    with refused(ValidationError, draft) as info:
        services.submit(leader, draft)
    assert messages(info) == [KNOWLEDGE_PARTNER_PROBLEM]
    # KS is a partner, but not a knowledge partner.
    services.save_draft(
        leader, draft, maal="Mål", budsjett=BUDGET, partnere=[{"partner": ks_partner, "rolle": "Forankring"}]
    )
    with refused(ValidationError, draft) as info:
        services.submit(leader, draft)
    assert messages(info) == [KNOWLEDGE_PARTNER_PROBLEM]
    services.save_draft(
        leader,
        draft,
        maal="Mål",
        budsjett=BUDGET,
        partnere=[{"partner": ks_partner, "rolle": "Forankring"}, {"partner": knowledge_partner, "rolle": "Veileder"}],
    )
    assert services.submit(leader, draft).status == S.SENDT_INN


def test_fosterhjem_under_2018_needs_no_knowledge_partner(leader, sf, g2018, network, bergen, voss):
    rnd = make_round(sf, g2018)
    draft = make_draft(leader, rnd, network, kategori="fosterhjem", tjenester=[bergen, voss])
    assert services.submission_problems(draft) == []


def test_egeninitiert_under_2021_needs_no_knowledge_partner(leader, rnd, network, bergen, voss):
    draft = make_draft(leader, rnd, network, kategori="egeninitiert", tjenester=[bergen, voss])
    assert services.submission_problems(draft) == []
    assert services.submit(leader, draft).status == S.SENDT_INN


def test_withdraw_before_decision(leader, submitted):
    withdrawn = services.withdraw(leader, submitted)
    withdrawn.refresh_from_db()
    assert (withdrawn.status, withdrawn.referanse) == (S.TRUKKET, "VL-2026-0001")


def test_withdraw_a_draft(leader, draft):
    # On a project registered before the draft (a draft that registered its own project is deleted with it when
    # withdrawn: tests/grants/test_round_rules.py).
    Application.objects.filter(pk=draft.pk).update(nytt_prosjekt=False)
    draft.refresh_from_db()
    services.withdraw(leader, draft)
    draft.refresh_from_db()
    assert (draft.status, draft.referanse) == (S.TRUKKET, None)
    with refused(ValidationError, draft) as info:
        services.submit(leader, draft)
    assert messages(info) == ["Søknaden er trukket og kan ikke sendes inn."]


def test_withdraw_after_decision_is_refused(leader, sf, assessed, frame):
    services.decide(sf, assessed, utfall=S.AVSLATT, begrunnelse="Svak forankring.")
    with refused(ValidationError, assessed) as info:
        services.withdraw(leader, assessed)
    assert messages(info) == ["En søknad med status «Avslått» kan ikke få status «Trukket»."]


# === 4. assessment ==============================================================================


def test_assign_case_officer(sf, sf_leader, submitted):
    application = services.assign_case_officer(sf_leader, submitted, sf)
    application.refresh_from_db()
    assert (application.status, application.saksbehandler) == (S.UNDER_BEHANDLING, sf)
    assert events("soknad.saksbehandler").count() == 1


def test_case_officer_must_work_at_the_embete(sf, sf_agder, leader, bufdir, submitted):
    for officer in (sf_agder, leader, bufdir):
        with refused(ValidationError, submitted) as info:
            services.assign_case_officer(sf, submitted, officer)
        assert field_messages(info, "saksbehandler") == ["Saksbehandleren må arbeide hos statsforvalteren i embetet."]


def test_case_officer_with_an_ended_role_is_refused(sf, submitted):
    former = factories.statsforvalter("vestland")
    former.roller.update(gyldig_fra=datetime.date(2020, 1, 1), gyldig_til=datetime.date(2025, 12, 31))
    with refused(ValidationError, submitted):
        services.assign_case_officer(sf, submitted, former)


@pytest.mark.parametrize("who", ["sf_agder", "bufdir", "leader"])
def test_only_the_embete_assesses(who, request, sf, submitted):
    user = request.getfixturevalue(who)
    with denied(submitted):
        services.assign_case_officer(user, submitted, sf)
    with denied(submitted):
        services.declare_impartiality(user, submitted, ugild=False)


def test_declare_impartiality(sf, sf_leader, submitted):
    declaration = services.declare_impartiality(sf, submitted, ugild=False)
    assert (declaration.vurderer, declaration.ugild) == (sf, False)
    disqualified = services.declare_impartiality(sf_leader, submitted, ugild=True, begrunnelse="Søsteren leder Voss")
    assert disqualified.begrunnelse == "Søsteren leder Voss"
    assert events("soknad.habilitet").count() == 2


def test_disqualification_needs_a_reason(sf, submitted):
    with refused(ValidationError, submitted) as info:
        services.declare_impartiality(sf, submitted, ugild=True, begrunnelse=" ")
    assert field_messages(info, "begrunnelse") == ["Skriv kort hvorfor du er ugild."]


def test_impartiality_is_declared_once(sf, submitted):
    services.declare_impartiality(sf, submitted, ugild=False)
    with refused(ValidationError, submitted) as info:
        services.declare_impartiality(sf, submitted, ugild=True, begrunnelse="Ombestemt meg")
    assert messages(info) == ["Du har allerede erklært habilitet for denne søknaden."]


UNDECLARED = "Erklær habilitet før du vurderer eller avgjør søknaden."
DISQUALIFIED = "Du har erklært deg ugild og kan ikke vurdere eller avgjøre denne søknaden."


@pytest.mark.parametrize("declared_ugild", [None, True], ids=["undeclared", "ugild"])
def test_undeclared_or_disqualified_cannot_score_recommend_or_decide(declared_ugild, sf, sf_leader, assessed, frame):
    if declared_ugild:
        services.declare_impartiality(sf_leader, assessed, ugild=True, begrunnelse="Inhabil")
    expected = DISQUALIFIED if declared_ugild else UNDECLARED
    criterion = assessed.utlysning.kriterieliste.first()
    calls = [
        lambda: services.score(sf_leader, assessed, kriterium=criterion, poeng=4),
        lambda: services.recommend(sf_leader, assessed, anbefaling="innvilge", begrunnelse="Bra"),
        lambda: services.decide(sf_leader, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Bra"),
        lambda: services.decide(sf_leader, assessed, utfall=S.AVSLATT, begrunnelse="Svakt"),
    ]
    for call in calls:
        with refused(ValidationError, assessed) as info:
            call()
        assert messages(info) == [expected]
    if declared_ugild:
        with refused(ValidationError, assessed) as info:
            services.set_priority(sf_leader, assessed, rangering=1)
        assert messages(info) == [DISQUALIFIED]
    else:
        services.set_priority(sf_leader, assessed, rangering=1)  # the board does not need a declaration
    # The impartial colleague can.
    services.score(sf, assessed, kriterium=criterion, poeng=4)
    services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Bra")


@pytest.mark.parametrize("poeng", [1, 5, "3", 4.0])
def test_scores_one_to_five(poeng, sf, assessed):
    criterion = assessed.utlysning.kriterieliste.first()
    result = services.score(sf, assessed, kriterium=criterion, poeng=poeng, kommentar="Ok")
    result.refresh_from_db()
    assert result.poeng == int(float(poeng))


@pytest.mark.parametrize("poeng", [0, 6, -1, "fem", "", None, 2.5, True])
def test_scores_outside_one_to_five_are_refused(poeng, sf, assessed):
    criterion = assessed.utlysning.kriterieliste.first()
    with refused(ValidationError, assessed) as info:
        services.score(sf, assessed, kriterium=criterion, poeng=poeng)
    assert field_messages(info, "poeng") == ["Poeng må være fra 1 til 5."]


def test_rescoring_replaces_the_score(sf, sf_leader, assessed):
    services.declare_impartiality(sf_leader, assessed, ugild=False)
    criterion = assessed.utlysning.kriterieliste.first()
    services.score(sf, assessed, kriterium=criterion, poeng=2)
    services.score(sf, assessed, kriterium=criterion, poeng=5)
    services.score(sf_leader, assessed, kriterium=criterion, poeng=3)
    assert sorted(Score.objects.values_list("poeng", flat=True)) == [3, 5]


def test_score_needs_a_criterion_of_the_round(sf, assessed, sf_agder, g2021):
    other_round = make_round(sf, g2021, publish=False, aar=YEAR + 1)
    with refused(ValidationError, assessed) as info:
        services.score(sf, assessed, kriterium=other_round.kriterieliste.first(), poeng=3)
    assert field_messages(info, "kriterium") == ["Kriteriet hører ikke til denne utlysningen."]


def test_score_only_under_assessment(sf, submitted):
    services.declare_impartiality(sf, submitted, ugild=False)
    with refused(ValidationError, submitted) as info:
        services.score(sf, submitted, kriterium=submitted.utlysning.kriterieliste.first(), poeng=3)
    assert messages(info) == ["Søknaden er ikke under behandling."]


def test_score_with_a_stale_object_after_assignment(sf, submitted):
    """The object from before assign_case_officer still says «sendt inn»; the service reads the database."""
    criterion = submitted.utlysning.kriterieliste.first()
    services.assign_case_officer(sf, submitted, sf)
    services.declare_impartiality(sf, submitted, ugild=False)
    assert submitted.status == ApplicationStatus.SENDT_INN  # the stale object the caller still holds
    score = services.score(sf, submitted, kriterium=criterion, poeng=3)
    assert Score.objects.get(soknad=submitted, kriterium=criterion, vurderer=sf) == score
    assert score.poeng == 3
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.UNDER_BEHANDLING
    assert events("soknad.poeng").get().endringer == {"kriterium": criterion.navn, "poeng": 3}


def test_recommend(sf, assessed):
    assessment = services.recommend(
        sf, assessed, anbefaling="delvis", begrunnelse="  Godt, men dyrt  ", foreslatt_belop="250 000"
    )
    assessment.refresh_from_db()
    assert (assessment.anbefaling, assessment.begrunnelse, assessment.foreslatt_belop) == (
        "delvis",
        "Godt, men dyrt",
        Decimal("250000"),
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"anbefaling": "kanskje"}, "anbefaling", "Velg anbefaling: innvilge, delvis innvilge eller avslå."),
        ({"begrunnelse": " "}, "begrunnelse", "Skriv begrunnelsen for anbefalingen."),
        ({"foreslatt_belop": "-1"}, "foreslatt_belop", "Foreslått beløp kan ikke være negativt."),
    ],
)
def test_recommend_is_validated(kwargs, field, message, sf, assessed):
    data = {"anbefaling": "innvilge", "begrunnelse": "Bra"} | kwargs
    with refused(ValidationError, assessed) as info:
        services.recommend(sf, assessed, **data)
    assert field_messages(info, field) == [message]


def test_no_recommendation_after_the_decision(sf, assessed, frame):
    services.decide(sf, assessed, utfall=S.AVSLATT, begrunnelse="Svakt")
    with refused(ValidationError, assessed) as info:
        services.recommend(sf, assessed, anbefaling="innvilge", begrunnelse="Bra likevel")
    assert messages(info) == ["Søknaden kan ikke vurderes i status «Avslått»."]


def test_set_priority(sf, assessed):
    services.set_priority(sf, assessed, rangering="2", samlingsrangering=1, foreslatt_belop="300000")
    assessment = Assessment.objects.get(soknad=assessed)
    assert (assessment.rangering, assessment.samlingsrangering, assessment.foreslatt_belop) == (
        2,
        1,
        Decimal("300000"),
    )
    for bad in (0, "første", "1.5"):
        with refused(ValidationError, assessment) as info:
            services.set_priority(sf, assessed, rangering=bad)
        assert field_messages(info, "rangering") == ["Rangering må være et helt tall, 1 eller høyere."]


# === 5. decisions ===============================================================================


def test_award_in_full(sf, assessed, frame, tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decision = services.decide(
            sf, assessed, utfall=S.INNVILGET, belop="350 000", begrunnelse=" Oppfyller kriteriene ", vilkaar="Rapport"
        )
        assert tasks == []
    assert len(callbacks) == 1
    assert tasks == [("deliver_decision", (decision.pk,))]
    decision.refresh_from_db()
    assert (decision.utfall, decision.belop, decision.ramme) == (S.INNVILGET, APPLIED, frame)
    assert (decision.begrunnelse, decision.vilkaar, decision.vedtatt_av) == ("Oppfyller kriteriene", "Rapport", sf)
    assert decision.saksnummer == "VL-2026-0001"
    assert decision.klagefrist == datetime.date(2026, 2, 23)  # three weeks
    assert decision.rapportfrist == datetime.date(2027, 3, 1)  # from the round
    assessed.refresh_from_db()
    assert assessed.status == S.INNVILGET
    assert ledger.awarded_total(frame) == APPLIED


def test_award_in_full_must_equal_the_applied_amount(sf, assessed, frame):
    for amount in ("349999", "350001"):
        with refused(ValidationError, assessed) as info:
            services.decide(sf, assessed, utfall=S.INNVILGET, belop=amount, begrunnelse="Bra")
        assert field_messages(info, "belop") == [
            f"Ved innvilgelse i sin helhet er beløpet lik søknadsbeløpet ({kr(APPLIED)})."
        ]


def test_partial_award_is_less_than_applied(sf, assessed, frame):
    for amount in (APPLIED, APPLIED + 1):
        with refused(ValidationError, assessed) as info:
            services.decide(sf, assessed, utfall=S.DELVIS_INNVILGET, belop=amount, begrunnelse="Delvis")
        assert field_messages(info, "belop") == [
            f"Ved delvis innvilgelse må beløpet være mindre enn søknadsbeløpet ({kr(APPLIED)})."
        ]
    decision = services.decide(sf, assessed, utfall=S.DELVIS_INNVILGET, belop="200000", begrunnelse="Delvis")
    assert (decision.utfall, decision.belop) == (S.DELVIS_INNVILGET, Decimal("200000"))


@pytest.mark.parametrize("amount", [0, "0", "-100", "mye"])
def test_an_award_must_be_a_positive_amount(amount, sf, assessed, frame):
    with refused(ValidationError, assessed) as info:
        services.decide(sf, assessed, utfall=S.DELVIS_INNVILGET, belop=amount, begrunnelse="Delvis")
    assert len(field_messages(info, "belop")) == 1


def test_rejection_has_amount_zero_and_needs_no_frame(sf, assessed):
    decision = services.decide(sf, assessed, utfall=S.AVSLATT, belop=None, begrunnelse="Mangler forankring")
    decision.refresh_from_db()
    assert (decision.utfall, decision.belop, decision.ramme, decision.rapportfrist) == (S.AVSLATT, 0, None, None)


def test_a_decision_needs_reasons(sf, assessed, frame):
    with refused(ValidationError, assessed) as info:
        services.decide(sf, assessed, utfall=S.AVSLATT, begrunnelse="  ")
    assert field_messages(info, "begrunnelse") == ["Et vedtak må begrunnes (forvaltningsloven § 24)."]


def test_no_frame_no_award(sf, bufdir, vestland, agder, assessed):
    # Frames for another category, another year and another embete do not count.
    set_frame(bufdir, vestland, "1000000", kategori="egeninitiert")
    set_frame(bufdir, vestland, "1000000", aar=YEAR - 1)
    set_frame(bufdir, agder, "1000000")
    with refused(ValidationError, assessed) as info:
        services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Bra")
    assert messages(info) == [
        "Bufdir har ikke satt noen ramme for fosterhjem i 2026. Vedtaket kan ikke fattes før rammen er satt."
    ]


@pytest.fixture
def two_more(sf, leader, rnd, network, bergen, voss, askoy):
    """Two more applications under assessment, 350 000 kr each."""
    return [
        make_assessed(sf, make_submitted(leader, rnd, network, [bergen, askoy], navn=navn))
        for navn in ("Prosjekt B", "Prosjekt C")
    ]


def test_over_the_frame_is_refused_with_the_remaining_amount(sf, bufdir, vestland, assessed, two_more):
    frame = set_frame(bufdir, vestland, "500000")
    services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Først")
    second = two_more[0]
    with refused(ValidationError, second, frame) as info:
        services.decide(sf, second, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="For mye")
    assert field_messages(info, "belop") == [
        f"Vedtaket ville gått over rammen. Rammen for fosterhjem er {kr(500000)}, allerede tildelt {kr(350000)}, "
        f"igjen {kr(150000)}."
    ]
    assert kr(150000) == "150\u00a0000\u00a0kr"
    # What is left can still be given as a partial award.
    services.decide(sf, second, utfall=S.DELVIS_INNVILGET, belop="150000", begrunnelse="Resten")
    assert ledger.awarded_total(frame) == Decimal("500000")


def test_several_decisions_stay_within_the_frame(sf, frame, assessed, two_more):
    b, c = two_more
    services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="A")
    services.decide(sf, b, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="B")
    assert ledger.awarded_total(frame) == Decimal("700000")
    with refused(ValidationError, c) as info:
        services.decide(sf, c, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="C")
    assert f"igjen {kr(300000)}" in field_messages(info, "belop")[0]
    services.decide(sf, c, utfall=S.DELVIS_INNVILGET, belop="300000", begrunnelse="C delvis")
    assert ledger.awarded_total(frame) == frame.belop == Decimal("1000000")


def test_rejections_do_not_use_the_frame(sf, bufdir, vestland, assessed, two_more):
    frame = set_frame(bufdir, vestland, APPLIED)
    services.decide(sf, two_more[0], utfall=S.AVSLATT, begrunnelse="Nei")
    services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Ja")
    assert ledger.awarded_total(frame) == APPLIED


def test_decide_twice_is_refused(sf, assessed, frame):
    services.decide(sf, assessed, utfall=S.AVSLATT, begrunnelse="Nei")
    with refused(ValidationError, assessed) as info:
        services.decide(sf, assessed, utfall=S.INNVILGET, belop=APPLIED, begrunnelse="Likevel")
    assert messages(info) == ["Søknaden kan ikke avgjøres i status «Avslått»."]


@pytest.mark.parametrize("who", ["sf_agder", "bufdir", "leader"])
def test_only_the_embete_decides(who, request, assessed, frame):
    with denied(assessed):
        services.decide(request.getfixturevalue(who), assessed, utfall=S.AVSLATT, begrunnelse="Nei")


def test_decision_database_constraints(sf, assessed, frame):
    common = {
        "soknad": assessed,
        "begrunnelse": "x",
        "klagefrist": datetime.date(2026, 3, 1),
        "vedtatt_av": sf,
        "saksnummer": "VL-2026-0001",
    }
    bad = [
        {"utfall": S.AVSLATT, "belop": Decimal("100")},  # a rejection with an amount
        {"utfall": S.INNVILGET, "belop": Decimal("100")},  # an award without a frame
        {"utfall": S.TRUKKET, "belop": Decimal("0")},  # not an outcome
        {"utfall": S.INNVILGET, "belop": Decimal("-1"), "ramme": frame},
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.create(**common, **fields)
    assert not Decision.objects.exists()
    Decision.objects.create(**common, utfall=S.AVSLATT, belop=0)


# === 5. appeals =================================================================================


@pytest.fixture
def decision(sf, assessed, frame):
    return services.decide(sf, assessed, utfall=S.DELVIS_INNVILGET, belop="300000", begrunnelse="Delvis")


def test_appeal_within_the_deadline(leader, decision, clock):
    clock.move_to(datetime.datetime(2026, 2, 23, 23, 0, tzinfo=OSLO))  # the last day
    appeal = services.file_appeal(leader, decision, "  Vi trenger hele beløpet  ")
    assert (appeal.vedtak, appeal.begrunnelse, appeal.innsendt_av, appeal.utfall) == (
        decision,
        "Vi trenger hele beløpet",
        leader,
        "",
    )


def test_appeal_after_the_deadline_is_refused(leader, decision, clock):
    clock.move_to(datetime.datetime(2026, 2, 24, 8, 0, tzinfo=OSLO))
    with refused(ValidationError, decision) as info:
        services.file_appeal(leader, decision, "For sent")
    assert messages(info) == ["Klagefristen gikk ut 23.02.2026."]


def test_appeal_rules(leader, colleague, sogndal_leader, sf, decision):
    for user in (colleague, sogndal_leader, sf):
        with denied(decision):
            services.file_appeal(user, decision, "Klage")
    with refused(ValidationError, decision) as info:
        services.file_appeal(leader, decision, "  ")
    assert field_messages(info, "begrunnelse") == ["Skriv hva dere klager på og hvorfor."]
    services.file_appeal(leader, decision, "Klage")
    with refused(ValidationError, decision) as info:
        services.file_appeal(leader, decision, "Klage igjen")
    assert messages(info) == ["Det finnes allerede en klage på vedtaket som ikke er behandlet."]


def test_upheld_appeal_with_new_amount_respects_the_frame(sf, bufdir, vestland, leader, decision, two_more):
    """Frame 1 000 000: A delvis 300 000, B 350 000. A's appeal for the full 350 000 fits only if C did not
    take the rest."""
    frame = Frame.objects.get()
    services.decide(sf, two_more[0], utfall=S.INNVILGET, belop=APPLIED, begrunnelse="B")
    services.decide(sf, two_more[1], utfall=S.DELVIS_INNVILGET, belop="330000", begrunnelse="C")
    assert ledger.awarded_total(frame) == Decimal("980000")
    appeal = services.file_appeal(leader, decision, "Vi trenger hele beløpet")
    with refused(ValidationError, appeal, frame) as info:
        services.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Riktig", nytt_belop=APPLIED)
    # Without A's own 300 000, 680 000 is used: 320 000 is left for A.
    assert field_messages(info, "nytt_belop") == [f"Beløpet går over rammen. Igjen av rammen: {kr(320000)}."]
    set_frame(bufdir, vestland, "1030000", begrunnelse="Omdisponert")
    resolved = services.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Riktig", nytt_belop=APPLIED)
    assert (resolved.utfall, resolved.nytt_belop, resolved.behandlet_av) == ("medhold", APPLIED, sf)
    assert ledger.final_amount(decision) == APPLIED
    assert ledger.awarded_total(frame) == Decimal("1030000")
    with refused(ValidationError, resolved) as info:
        services.resolve_appeal(sf, resolved, utfall="ikke_medhold", begrunnelse="Nei")
    assert messages(info) == ["Klagen er allerede behandlet."]


def test_appeal_new_amount_cannot_exceed_the_applied_amount(sf, leader, decision):
    appeal = services.file_appeal(leader, decision, "Mer")
    with refused(ValidationError, appeal) as info:
        services.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse="Ja", nytt_belop=APPLIED + 1)
    assert field_messages(info, "nytt_belop") == [
        f"Nytt beløp kan ikke være større enn søknadsbeløpet ({kr(APPLIED)})."
    ]


def test_upheld_appeal_on_a_rejection_draws_on_the_frame(sf, leader, assessed, frame):
    rejection = services.decide(sf, assessed, utfall=S.AVSLATT, begrunnelse="Nei")
    appeal = services.file_appeal(leader, rejection, "Feil vurdering")
    services.resolve_appeal(sf, appeal, utfall="delvis_medhold", begrunnelse="Delvis", nytt_belop="200000")
    rejection.refresh_from_db()
    assert rejection.ramme == frame
    assert ledger.awarded_total(frame) == Decimal("200000")
    # The money can be paid out.
    services.register_payment(sf, rejection, dato=datetime.date(2026, 4, 1), belop="200000", kontonummer=ACCOUNT)


def test_appeal_not_upheld_keeps_the_amount(sf, leader, decision, frame):
    appeal = services.file_appeal(leader, decision, "Mer")
    services.resolve_appeal(sf, appeal, utfall="ikke_medhold", begrunnelse="Oversendt Bufdir", nytt_belop="350000")
    assert ledger.final_amount(decision) == Decimal("300000")
    assert Appeal.objects.get().nytt_belop is None


def test_resolving_an_appeal_needs_impartiality(sf, sf_leader, leader, decision):
    appeal = services.file_appeal(leader, decision, "Mer")
    with refused(ValidationError, appeal) as info:
        services.resolve_appeal(sf_leader, appeal, utfall="medhold", begrunnelse="Ja", nytt_belop=APPLIED)
    assert messages(info) == [UNDECLARED]
    services.declare_impartiality(sf_leader, decision.soknad, ugild=True, begrunnelse="Inhabil")
    with refused(ValidationError, appeal) as info:
        services.resolve_appeal(sf_leader, appeal, utfall="medhold", begrunnelse="Ja", nytt_belop=APPLIED)
    assert messages(info) == [DISQUALIFIED]


def test_resolve_appeal_is_validated(sf, sf_agder, leader, decision):
    appeal = services.file_appeal(leader, decision, "Mer")
    with denied(appeal):
        services.resolve_appeal(sf_agder, appeal, utfall="medhold", begrunnelse="Ja")
    with refused(ValidationError, appeal) as info:
        services.resolve_appeal(sf, appeal, utfall="tja", begrunnelse="Ja")
    assert field_messages(info, "utfall") == ["Velg utfall."]
    with refused(ValidationError, appeal) as info:
        services.resolve_appeal(sf, appeal, utfall="medhold", begrunnelse=" ")
    assert field_messages(info, "begrunnelse") == ["Skriv begrunnelsen for utfallet."]


# === 6. payments and repayment ==================================================================

PAY_DAY = datetime.date(2026, 4, 1)


def test_register_payment(sf, decision):
    payment = services.register_payment(sf, decision, dato=PAY_DAY, belop="100000", kontonummer="8601.11.17947")
    payment.refresh_from_db()
    assert (payment.belop, payment.kontonummer, payment.registrert_av) == (Decimal("100000"), ACCOUNT, sf)
    assert events("soknad.utbetaling").count() == 1


@pytest.mark.parametrize("kontonummer", ["86011117948", "8601111794", "860111179470", "8601111794x", "", None])
def test_account_number_is_validated(kontonummer, sf, decision):
    with refused(ValidationError, decision) as info:
        services.register_payment(sf, decision, dato=PAY_DAY, belop="1000", kontonummer=kontonummer)
    assert field_messages(info, "kontonummer") == [
        "Kontonummeret er ikke gyldig (11 siffer med riktig kontrollsiffer)."
    ]


def test_payments_cannot_exceed_the_award(sf, decision):
    services.register_payment(sf, decision, dato=PAY_DAY, belop="200000", kontonummer=ACCOUNT)
    with refused(ValidationError, decision) as info:
        services.register_payment(sf, decision, dato=PAY_DAY, belop="100001", kontonummer=ACCOUNT)
    assert field_messages(info, "belop") == [
        f"Utbetalingen ville overstige tildelt beløp ({kr(300000)}). Allerede utbetalt: {kr(200000)}."
    ]
    services.register_payment(sf, decision, dato=PAY_DAY, belop="100000", kontonummer=ACCOUNT)
    assert ledger.paid_total(decision) == Decimal("300000")


@pytest.mark.parametrize("amount", ["0", "-5", "x"])
def test_payment_amount_must_be_positive(amount, sf, decision):
    with refused(ValidationError, decision) as info:
        services.register_payment(sf, decision, dato=PAY_DAY, belop=amount, kontonummer=ACCOUNT)
    assert len(field_messages(info, "belop")) == 1


def test_no_payment_on_a_rejection(sf, assessed):
    rejection = services.decide(sf, assessed, utfall=S.AVSLATT, begrunnelse="Nei")
    with refused(ValidationError, rejection) as info:
        services.register_payment(sf, rejection, dato=PAY_DAY, belop="1", kontonummer=ACCOUNT)
    assert messages(info) == ["Det kan bare utbetales på innvilgede vedtak."]


@pytest.mark.parametrize("who", ["sf_agder", "bufdir", "leader"])
def test_only_the_embete_registers_payments_and_claims(who, request, sf, decision):
    user = request.getfixturevalue(who)
    with denied(decision):
        services.register_payment(user, decision, dato=PAY_DAY, belop="1000", kontonummer=ACCOUNT)
    services.register_payment(sf, decision, dato=PAY_DAY, belop="1000", kontonummer=ACCOUNT)
    with denied(decision):
        services.create_repayment_claim(user, decision, belop="1000", begrunnelse="Ubrukt", forfall=PAY_DAY)


def test_payment_database_constraints(sf, decision):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(vedtak=decision, dato=PAY_DAY, belop=1, kontonummer="1234", registrert_av=sf)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(vedtak=decision, dato=PAY_DAY, belop=0, kontonummer=ACCOUNT, registrert_av=sf)


def test_repayment_claim_cannot_exceed_what_is_paid(sf, decision):
    due = datetime.date(2027, 5, 1)
    with refused(ValidationError, decision) as info:
        services.create_repayment_claim(sf, decision, belop="1", begrunnelse="Ubrukt", forfall=due)
    assert field_messages(info, "belop") == [f"Kravet kan ikke være større enn det som er utbetalt ({kr(0)})."]
    services.register_payment(sf, decision, dato=PAY_DAY, belop="200000", kontonummer=ACCOUNT)
    with refused(ValidationError, decision) as info:
        services.create_repayment_claim(sf, decision, belop="200001", begrunnelse="Ubrukt", forfall=due)
    assert field_messages(info, "belop") == [f"Kravet kan ikke være større enn det som er utbetalt ({kr(200000)})."]
    claim = services.create_repayment_claim(sf, decision, belop="150000", begrunnelse=" Ubrukt ", forfall=due)
    claim.refresh_from_db()
    assert (claim.belop, claim.begrunnelse, claim.status, claim.opprettet_av) == (
        Decimal("150000"),
        "Ubrukt",
        RepaymentStatus.KRAV_SENDT,
        sf,
    )


def test_repayment_claims_together_cannot_exceed_what_is_paid(sf, decision):
    due = datetime.date(2027, 5, 1)
    services.register_payment(sf, decision, dato=PAY_DAY, belop="200000", kontonummer=ACCOUNT)
    first = services.create_repayment_claim(sf, decision, belop="150000", begrunnelse="Ubrukt", forfall=due)
    with refused(ValidationError, decision) as info:
        services.create_repayment_claim(sf, decision, belop="50001", begrunnelse="Mer", forfall=due)
    assert field_messages(info, "belop") == [
        f"Kravene kan til sammen ikke være større enn det som er utbetalt ({kr(200000)}). Allerede krevd: {kr(150000)}."
    ]
    # A waived claim no longer counts (grants.repayments.waive_claim waives what is left of it).
    repayments.waive_claim(sf, first, dato=timezone.localdate(), begrunnelse="Feil beløp")
    services.create_repayment_claim(sf, decision, belop="200000", begrunnelse="Nytt krav", forfall=due)


def test_repayment_claim_needs_reasons_and_a_positive_amount(sf, decision):
    services.register_payment(sf, decision, dato=PAY_DAY, belop="1000", kontonummer=ACCOUNT)
    due = datetime.date(2027, 5, 1)
    with refused(ValidationError, decision) as info:
        services.create_repayment_claim(sf, decision, belop="100", begrunnelse="  ", forfall=due)
    assert field_messages(info, "begrunnelse") == ["Skriv begrunnelsen for kravet."]
    for amount in ("0", "-1", "tusen"):
        with refused(ValidationError, decision):
            services.create_repayment_claim(sf, decision, belop=amount, begrunnelse="Ubrukt", forfall=due)


# === misc =======================================================================================


def test_declarations_are_per_application(sf, assessed, two_more):
    assert ImpartialityDeclaration.objects.filter(vurderer=sf).count() == 3
    assert ApplicationVersion.objects.count() == 3
    assert {a.referanse for a in Application.objects.all()} == {"VL-2026-0001", "VL-2026-0002", "VL-2026-0003"}


# --- carry-over ----------------------------------------------------------------------------------


def test_carry_over_refused_when_the_round_does_not_allow_it(sf, decision):
    services.register_payment(sf, decision, dato=PAY_DAY, belop="300000", kontonummer=ACCOUNT)
    with refused(ValidationError, decision) as info:
        services.decide_carry_over(sf, decision, belop="50000", begrunnelse="Oppstart forsinket")
    assert messages(info) == ["Utlysningen tillater ikke overføring av ubrukte midler til neste år."]


def test_carry_over_limited_to_paid_minus_claimed_and_carried(sf, decision):
    from grants.models import ApplicationRound, CarryOver

    ApplicationRound.objects.filter(pk=decision.soknad.utlysning_id).update(overforing_tillatt=True)
    services.register_payment(sf, decision, dato=PAY_DAY, belop="300000", kontonummer=ACCOUNT)
    services.create_repayment_claim(
        sf, decision, belop="100000", begrunnelse="Ubrukt", forfall=datetime.date(2027, 5, 1)
    )
    carry = services.decide_carry_over(sf, decision, belop="150000", begrunnelse="Piloten flyttes til neste år")
    assert (carry.belop, carry.til_aar, carry.vedtatt_av) == (Decimal("150000"), decision.soknad.utlysning.aar + 1, sf)
    assert AuditEvent.objects.filter(handling="soknad.overforing").count() == 1
    with refused(ValidationError, decision) as info:
        services.decide_carry_over(sf, decision, belop="50001", begrunnelse="Mer")
    assert field_messages(info, "belop") == [
        f"Det kan overføres høyst {kr(50000)} (utbetalt minus krevd tilbake og allerede overført)."
    ]
    for amount in ("0", "-1", "tusen"):
        with refused(ValidationError, decision):
            services.decide_carry_over(sf, decision, belop=amount, begrunnelse="x")
    with refused(ValidationError, decision) as info:
        services.decide_carry_over(sf, decision, belop="100", begrunnelse="  ")
    assert field_messages(info, "begrunnelse") == ["Skriv begrunnelsen for overføringen."]
    assert CarryOver.objects.count() == 1


def test_carry_over_refused_for_other_roles(sf_agder, leader, bufdir, sf, decision):
    from django.core.exceptions import PermissionDenied

    from grants.models import ApplicationRound

    ApplicationRound.objects.filter(pk=decision.soknad.utlysning_id).update(overforing_tillatt=True)
    services.register_payment(sf, decision, dato=PAY_DAY, belop="300000", kontonummer=ACCOUNT)
    for user in (sf_agder, leader, bufdir):
        with refused(PermissionDenied, decision):
            services.decide_carry_over(user, decision, belop="1000", begrunnelse="x")


def test_a_category_cannot_be_withdrawn_from_a_published_round(sf, g2021):
    rnd = make_round(sf, g2021, publish=False)
    services.update_round(sf, rnd, egeninitiert=False)  # allowed while a draft
    services.update_round(sf, rnd, egeninitiert=True)
    rnd = services.publish_round(sf, ApplicationRound.objects.get(pk=rnd.pk))
    with refused(ValidationError, rnd) as info:
        services.update_round(sf, rnd, fosterhjem=False)
    assert field_messages(info, "fosterhjem") == [
        "Kategorien fosterhjem kan ikke fjernes etter at utlysningen er publisert."
    ]
    # Adding a category to a live round is fine: it only widens who may apply.
    rnd = make_round(sf, g2021, aar=YEAR + 1, egeninitiert=False)
    services.update_round(sf, rnd, egeninitiert=True)
    assert ApplicationRound.objects.get(pk=rnd.pk).egeninitiert is True
