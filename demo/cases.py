"""Demo cases that close the loops of issue 17, on top of demo.grants, demo.projects and demo.reports:

Vestland's round this year decides applications as they come in (rullerende) and requires two attachments. In it:
- «Barnesamtalen i praksis» (Bergen): partly approved a few days ago, still open to appeal (leder.bergen);
- «Felles mottak av nye fosterheimar»: a joint application led by a nynorsk interkommunal service (to.roller)
  with a second service; rejected, appealed, upheld by the statsforvalter (omgjøring, nynorsk letter), paid to the
  lead applicant's vertskommune;
- «Tidleg innsats i skulen» (nynorsk lead): partly approved, appealed, not upheld: forwarded, waiting at Bufdir;
- «Ettervern for unge voksne» (Bergen): partly approved, appealed, forwarded, decided by Bufdir (endret);
- «Familieråd i nettverket» (Bergen): waiting for more information, with case messages both ways;
- «Samarbeid med BUP» (nynorsk lead): more information asked for and answered: versions 1 and 2 to compare.

Repayment claims on the 2024 grants (demo.grants, plan key B): Vestland's partly paid, Trøndelag's paid, Nordland's
waived, the others overdue. Change notices on the 2025 grants «Fosterhjem i fellesskap»: Vestland's delay waits for
the statsforvalter, Trøndelag's budget reallocation is approved.

Everything goes through the services, each step on its day (demo.clock.on_day): the recent cases in the days
since the round opened, the repayments in 2025. Safe to run twice: a case that exists is left alone."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from followup.models import ChangeKind, ChangeNotice
from followup.services import changes
from grants import appeals, information, ledger, services
from grants import repayments as claims
from grants.models import (
    AppealOutcome,
    Application,
    ApplicationRound,
    ApplicationStatus,
    BufdirOutcome,
    RepaymentStatus,
)
from organisations.models import Embete
from projects.models import Category

from .clock import on_day
from .grants import (
    _budget,
    _decide,
    _eligible_networks,
    _in_open_round,
    _members,
    _partner,
    _staff,
    _texts,
    kontonummer,
)
from .seed import DEMO_DOMAIN

ROUND_EMBETE = "vestland"
BERGEN = "leder.bergen"
NYNORSK_LEADER = "to.roller"  # leads an interkommunal, nynorsk service in Vestland (demo.seed)

# name, category, who applies (the lead), budget lines, target. Started in this order, an hour apart, 13 days ago
# (or the day the round opened); the later steps are counted in days before today.
CASES = [
    ("Felles mottak av nye fosterheimar", Category.FOSTERHJEM, NYNORSK_LEADER, (260_000, 70_000), "omgjort"),
    ("Tidleg innsats i skulen", Category.EGENINITIERT, NYNORSK_LEADER, (220_000, 80_000), "at_bufdir"),
    ("Ettervern for unge voksne", Category.FOSTERHJEM, BERGEN, (250_000, 100_000), "bufdir_decided"),
    ("Barnesamtalen i praksis", Category.EGENINITIERT, BERGEN, (240_000, 90_000), "open_to_appeal"),
    ("Familieråd i nettverket", Category.EGENINITIERT, BERGEN, (180_000, 60_000), "waiting_for_information"),
    ("Samarbeid med BUP", Category.FOSTERHJEM, NYNORSK_LEADER, (200_000, 60_000), "information_answered"),
]


def _leader(local: str) -> tuple[User, RoleAssignment] | None:
    role = (
        RoleAssignment.objects.filter(user__email=f"{local}@{DEMO_DOMAIN}", rolle=Role.TJENESTE_LEDER)
        .select_related("user", "tjeneste__vertskommune")
        .order_by("id")
        .first()
    )
    if role is None:
        return None
    role.user.active_role = role  # acts as the leader of that service (to.roller has two roles)
    return role.user, role


def _network_and_partner(service, prefer) -> tuple[object, object] | None:
    """A network of the embete the service is active in, and a second applying service: `prefer` when it is a
    member too, else another member."""
    fallback = None
    for network in _eligible_networks(service.vertskommune.embete):
        members = _members(network)
        if not any(s.pk == service.pk for s in members):
            continue
        others = [s for s in members if s.pk != service.pk]
        if prefer is not None and any(s.pk == prefer.pk for s in others):
            return network, prefer
        if fallback is None and others:
            fallback = (network, others[0])
    return fallback


class _Days:
    """Days counted back from today, never before the round opened (nothing happens in a round before it opens)."""

    def __init__(self, today: datetime.date, opened: datetime.date):
        self.today, self.opened = today, opened

    def __call__(self, back: int) -> datetime.date:
        return max(self.today - datetime.timedelta(days=back), self.opened)


def _case(sf, bufdir, rnd, people, n, spec, day: _Days) -> None:
    navn, kategori, who, lines, target = spec
    if Application.objects.filter(utlysning=rnd, prosjekt__navn=navn).exists():
        return
    found = people.get(who)
    if found is None:
        return
    user, role = found
    bergen = people.get(BERGEN)
    pair = _network_and_partner(role.tjeneste, bergen[1].tjeneste if bergen and who != BERGEN else None)
    if pair is None:
        return
    network, partner = pair
    tjenester = [role.tjeneste, partner]
    with on_day(day(13), hour=8 + n):
        application = _in_open_round(user, rnd, network, tjenester, kategori, navn, lines, 0, submit=True)

    if target == "waiting_for_information":
        with on_day(day(6), hour=11):
            services.assign_case_officer(sf, application, sf)
        with on_day(day(4), hour=9):
            information.request_information(
                sf,
                application,
                melding="Budsjettet har 60 000 kr til veiledning. Hvem skal veilede, og hvor mange samlinger er "
                "planlagt? Legg også ved en oppdatert tidsplan.",
                frist=timezone.localdate() + datetime.timedelta(days=14),
            )
        with on_day(day(3), hour=14):
            information.write_message(
                user,
                application,
                tekst="Vi venter på svar fra kompetansemiljøet om antall samlinger. Holder det om vi svarer innen "
                "fristen, eller trenger dere det tidligere?",
            )
        with on_day(day(2), hour=10):
            information.write_message(
                sf, application, tekst="Det holder fint å svare innen fristen. Ta kontakt hvis noe er uklart."
            )
        return

    if target == "information_answered":
        with on_day(day(11), hour=11):
            services.assign_case_officer(sf, application, sf)
        with on_day(day(10), hour=9):
            information.request_information(
                sf,
                application,
                melding="Tidsplanen sier lite om når BUP deltar. Beskriv samarbeidet og juster budsjettet om det "
                "endrer seg.",
                frist=timezone.localdate() + datetime.timedelta(days=14),
            )
        with on_day(day(7), hour=13):
            texts = _texts(navn, network)
            texts["tidsplan"] = (
                "Oppstart i mars. BUP deltar på tre fellessamlingar (april, juni og oktober) og i månadleg "
                "rettleiing av prosjektgruppa. Utprøving over sommaren, evaluering i desember."
            )
            partner_org = _partner()
            services.save_draft(
                user,
                application,
                egeninnsats=Decimal("50000"),
                annen_finansiering=Decimal("0"),
                budsjett=_budget((lines[0], lines[1] + 20_000)),
                tjenester=tjenester,
                partnere=[{"partner": partner_org, "rolle": "Veileder og følgeevaluering."}] if partner_org else [],
                **texts,
            )
            information.resubmit(
                user,
                application,
                svar="BUP deltar på tre samlingar og i månadleg rettleiing. Budsjettet til rettleiing er auka med "
                "20 000 kr.",
            )
        with on_day(day(6), hour=10):
            information.write_message(sf, application, tekst="Takk for svaret. Vi ser på søknaden igjen nå.")
        return

    decided_on = day(10)
    outcome = {"omgjort": "rejected"}.get(target, "partly")
    with on_day(decided_on, hour=13):
        decision = _decide(sf, application, outcome, n, decided_on)
    if target == "open_to_appeal":
        return
    with on_day(day(8), hour=15):
        appeal = appeals.file_appeal(
            user,
            decision,
            "Vi ber om at vedtaket endres. Prosjektet er planlagt for hele søknadsbeløpet, og tjenestene har "
            "allerede satt av folk til det.",
        )
    if target == "omgjort":
        with on_day(day(5), hour=11):
            appeals.resolve_appeal(
                sf,
                appeal,
                utfall=AppealOutcome.MEDHOLD,
                begrunnelse="Klagen viser at prosjektet er forankret i leiinga i begge tjenestene. Statsforvalteren "
                "omgjør vedtaket og innvilger søknaden.",
                nytt_belop=application.soknadsbelop,
            )
        with on_day(day(2), hour=10):
            services.register_payment(
                sf,
                decision,
                dato=timezone.localdate(),
                belop=ledger.final_amount(decision),
                kontonummer=kontonummer(40 + n),
            )
        return
    with on_day(day(6), hour=11):
        appeals.resolve_appeal(
            sf,
            appeal,
            utfall=AppealOutcome.IKKE_MEDHOLD,
            begrunnelse="Statsforvalteren har vurdert klagen på nytt, men finner ikke grunn til å endre vedtaket. "
            "Rammen gir ikke rom for hele beløpet. Klagen sendes Bufdir.",
        )
    if target == "bufdir_decided":
        appeal.refresh_from_db()
        applied = application.soknadsbelop
        between = ((decision.belop + applied) / 2).quantize(Decimal("1"))
        with on_day(day(2), hour=14):
            appeals.decide_forwarded_appeal(
                bufdir,
                appeal,
                utfall=BufdirOutcome.ENDRET,
                begrunnelse="Bufdir mener tiltakene for ettervern er godt begrunnet og øker tilskuddet. Resten av "
                "reduksjonen står ved lag, siden utgiftene til ekstern veiledning er høye.",
                belop=between,
            )


def _round_cases(today: datetime.date) -> None:
    embete = Embete.objects.filter(slug=ROUND_EMBETE).first()
    if embete is None:
        return
    rnd = ApplicationRound.objects.filter(embete=embete, aar=today.year).first() or (
        ApplicationRound.objects.filter(embete=embete).order_by("-aar").first()
    )
    if rnd is None or rnd.deadline_passed(today):
        return
    sf = _staff(embete)
    bufdir = User.objects.get(email=f"bufdir@{DEMO_DOMAIN}")
    if not rnd.rullerende:  # a demo built before rounds had the setting
        rnd = services.update_round(sf, rnd, rullerende=True)
    people = {local: found for local in (BERGEN, NYNORSK_LEADER) if (found := _leader(local))}
    day = _Days(today, rnd.apner)
    for n, spec in enumerate(CASES):
        _case(sf, bufdir, rnd, people, n, spec, day)


# --- repayment claims on the 2024 grants -------------------------------------------------------------------------

CLAIM_PROJECT = "Medvirkning i praksis"  # demo.grants plan key B: a claim of 60 000 kr, due 1 May the year after


def _claim(slug: str):
    from grants.models import RepaymentClaim

    return (
        RepaymentClaim.objects.filter(
            vedtak__soknad__utlysning__embete__slug=slug, vedtak__soknad__prosjekt__navn=CLAIM_PROJECT
        )
        .select_related("vedtak__soknad__utlysning")
        .order_by("id")
        .first()
    )


def _repayments() -> None:
    partly, paid, waived = _claim("vestland"), _claim("trondelag"), _claim("nordland")
    if partly is not None and partly.status == RepaymentStatus.KRAV_SENDT:
        day = partly.dato + datetime.timedelta(days=30)
        with on_day(day):
            claims.register_receipt(_staff(partly.vedtak.soknad.utlysning.embete), partly, dato=day, belop="25000")
    if paid is not None and paid.status == RepaymentStatus.KRAV_SENDT:
        day = paid.dato + datetime.timedelta(days=35)
        with on_day(day):
            claims.register_receipt(
                _staff(paid.vedtak.soknad.utlysning.embete), paid, dato=day, belop=ledger.claim_outstanding(paid)
            )
    if waived is not None and waived.status == RepaymentStatus.KRAV_SENDT:
        day = waived.forfall + datetime.timedelta(days=20)
        with on_day(day):
            claims.waive_claim(
                _staff(waived.vedtak.soknad.utlysning.embete),
                waived,
                dato=day,
                begrunnelse="Tjenesten har dokumentert at midlene ble brukt i prosjektet i januar, etter at "
                "regnskapet ble avsluttet. Kravet ettergis.",
            )


# --- change notices on the 2025 grants ---------------------------------------------------------------------------

NOTICE_PROJECT = "Fosterhjem i fellesskap"  # demo.grants plan key D: approved in 2025, ends 31.12.2027


def _funded(slug: str) -> Application | None:
    return (
        Application.objects.filter(
            utlysning__embete__slug=slug,
            prosjekt__navn=NOTICE_PROJECT,
            status__in=[ApplicationStatus.INNVILGET, ApplicationStatus.DELVIS_INNVILGET],
        )
        .select_related("prosjekt", "opprettet_av", "utlysning__embete")
        .first()
    )


def _change_notices(today: datetime.date) -> None:
    waiting, approved = _funded("vestland"), _funded("trondelag")
    if waiting is not None and not ChangeNotice.objects.filter(soknad=waiting).exists():
        end = waiting.prosjekt.planlagt_slutt or today
        with on_day(today - datetime.timedelta(days=3), hour=15):
            changes.send_notice(
                waiting.opprettet_av,
                waiting,
                type=ChangeKind.FORSINKELSE,
                beskrivelse="Rekrutteringen av veiledere tok lengre tid enn planlagt, så den andre gruppen for "
                "fosterforeldre starter et halvt år senere. Vi ber om å forlenge prosjektet med seks måneder.",
                ny_sluttdato=end + datetime.timedelta(days=182),
            )
    if approved is not None and not ChangeNotice.objects.filter(soknad=approved).exists():
        sf = _staff(approved.utlysning.embete)
        with on_day(today - datetime.timedelta(days=30), hour=10):
            notice = changes.send_notice(
                approved.opprettet_av,
                approved,
                type=ChangeKind.OMDISPONERING,
                beskrivelse="Veiledningen fra kompetansemiljøet ble billigere enn budsjettert. Vi vil bruke 20 000 kr "
                "av dette på å frikjøpe prosjektlederen til flere samlinger.",
                flyttinger=[{"fra_post": "kompetanse", "til_post": "stilling", "belop": "20000"}],
            )
        with on_day(today - datetime.timedelta(days=26), hour=13):
            changes.decide(sf, notice, godkjent=True, svar="Omdisponeringen er i tråd med formålet med tilskuddet.")


@transaction.atomic
def seed_cases() -> None:
    today = timezone.localdate()
    _round_cases(today)
    _repayments()
    _change_notices(today)
