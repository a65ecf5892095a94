"""Demo stimulus grants: frames 2024–2026 for every embete and category, a round a year per embete, and
applications in every state (draft, submitted, in assessment, approved, partly approved, rejected, appealed, paid,
repayment due) in the demo networks.

Work goes through grants.services wherever the services allow it, so the audit trail and the decision letters
exist. The 2024 and 2025 rounds are closed, so their applications are entered as sent in with the ORM (a service
would refuse a submission after the deadline); assessment, decisions, appeals, payments and repayment claims
then go through the services on the day they happened (demo.clock.on_day: decided 20 May, after the round's
deadline and before its report deadline; payments after the decision; claims after the payments). The services check
the frame, so no frame is exceeded. Safe to run twice: an application that exists is left alone."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from audit import services as audit
from grants import ledger, rounds, services
from grants.models import (
    Application,
    ApplicationRound,
    ApplicationStatus,
    ApplicationVersion,
    BudgetLine,
    Decision,
    RoundStatus,
)
from networks.models import GuidelineVersion, LearningNetwork, Membership, MembershipStatus, NetworkStatus
from organisations.models import ChildWelfareService, Embete, Partner
from projects.models import Category, DevelopmentProject, ProjectService

from .clock import on_day
from .seed import DEMO_DOMAIN, _role, _user

OSLO = ZoneInfo("Europe/Oslo")
YEARS = (2024, 2025, 2026)
CRITERIA = [
    "Samarbeid mellom tjenestene i nettverket",
    "Forankring i ledelsen",
    "Realistisk plan og budsjett",
    "Overføringsverdi til andre nettverk",
]
KRITERIER = (
    "Søknadene vurderes etter hvor godt prosjektet bygger samarbeid mellom tjenestene, hvordan det er forankret i "
    "ledelsen, om plan og budsjett er realistiske, og om resultatene kan brukes av andre nettverk."
)
APPLICANT_NAMES = [("Randi", "Holm"), ("Geir", "Aune"), ("Mona", "Lie"), ("Knut", "Sæther"), ("Eva", "Foss")]
DEMO_LEADERS = {
    "vestland": "leder.bergen",
    "agder": "leder.kristiansand",
    "trondelag": "leder.trondheim",
    "nordland": "leder.bodo",
}

# One plan per embete: (key, year, category, project name, budget lines, other funding, target state).
# Target states: draft, submitted, assessing, approved, partly, rejected, appealed, paid, repayment.
PLAN = [
    ("A", 2024, Category.FOSTERHJEM, "Trygg oppfølging av fosterhjem", (350_000, 150_000), 50_000, "paid"),
    ("B", 2024, Category.EGENINITIERT, "Medvirkning i praksis", (300_000, 80_000), 0, "repayment"),
    ("C", 2024, Category.FOSTERHJEM, "Rekruttering av fosterhjem i distriktet", (420_000, 100_000), 0, "rejected"),
    ("D", 2025, Category.FOSTERHJEM, "Fosterhjem i fellesskap", (380_000, 140_000), 40_000, "approved"),
    ("E", 2025, Category.EGENINITIERT, "Foreldreveiledning med Circle of Security", (320_000, 100_000), 0, "partly"),
    ("F", 2025, Category.EGENINITIERT, "Høykonflikt – felles modell", (450_000, 150_000), 0, "rejected"),
    ("G", 2026, Category.FOSTERHJEM, "Veiledning av fosterhjem i nettverket", (300_000, 120_000), 20_000, "draft"),
    ("H", 2026, Category.EGENINITIERT, "Lederutvikling i barnevernet", (260_000, 90_000), 0, "submitted"),
    ("I", 2026, Category.FOSTERHJEM, "Akuttberedskap på tvers", (340_000, 110_000), 0, "assessing"),
]
# This year's round in these embeter decides applications as they come in (rullerende) and names required
# attachments (demo.cases decides, appeals and follows up applications in it).
ROLLING = {"vestland"}
REQUIRED_DOCUMENTS = ["Prosjektplan", "Samarbeidsavtale med kunnskapspartner"]
# Outside Vestland the partly approved application is appealed; in Vestland it is not (the Bergen leader's
# application still open to appeal is this year's, in demo.cases).
APPEALED_KEY = "E"


def frame_amount(index: int, year: int, kategori: str) -> Decimal:
    """1.0–2.0 MNOK for egeninitiert, 1.75–3.5 MNOK for fosterhjem (about two thirds of the money)."""
    if kategori == Category.FOSTERHJEM:
        return Decimal(1_750_000 + ((index * 3 + year) % 8) * 250_000)
    return Decimal(1_000_000 + ((index * 5 + year) % 5) * 250_000)


def kontonummer(n: int) -> str:
    """A fictional Norwegian account number with a valid MOD11 check digit."""
    weights = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    base = 1503_400_000 + n * 37
    while True:
        digits = [int(d) for d in f"{base:010d}"]
        rest = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        check = 0 if rest == 0 else 11 - rest
        if check != 10:
            return f"{base:010d}{check}"
        base += 1


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=OSLO)


def _guideline(year: int) -> GuidelineVersion:
    return GuidelineVersion.objects.filter(gyldig_fra__lte=datetime.date(year, 1, 1)).order_by("-gyldig_fra").first()


def _eligible_networks(embete) -> list[LearningNetwork]:
    networks = LearningNetwork.objects.filter(embete=embete, status=NetworkStatus.AKTIV).order_by("id")
    return [n for n in networks if Membership.objects.filter(network=n, status=MembershipStatus.AKTIV).count() >= 2]


def _members(network) -> list[ChildWelfareService]:
    return list(
        ChildWelfareService.objects.filter(
            nettverksmedlemskap__network=network, nettverksmedlemskap__status=MembershipStatus.AKTIV
        ).order_by("id")
    )


def _applicant(embete, index: int):
    """The leader who applies for the embete's demo networks, their service and the networks it is active in."""
    networks = _eligible_networks(embete)
    if not networks:
        return None
    local = DEMO_LEADERS.get(embete.slug)
    if local:
        role = RoleAssignment.objects.filter(user__email=f"{local}@{DEMO_DOMAIN}", rolle=Role.TJENESTE_LEDER).first()
        if role:
            own = [n for n in networks if any(s.pk == role.tjeneste_id for s in _members(n))]
            if own:
                return role.user, role.tjeneste, own
    service = _members(networks[0])[0]
    first, last = APPLICANT_NAMES[index % len(APPLICANT_NAMES)]
    user = _user(f"soker.{embete.slug}@{DEMO_DOMAIN}", first, last, "barnevernsleder")
    _role(user, Role.TJENESTE_LEDER, tjeneste=service)
    return user, service, [n for n in networks if any(s.pk == service.pk for s in _members(n))]


def _staff(embete) -> User:
    return User.objects.get(email=f"sf.{embete.slug}@{DEMO_DOMAIN}")


def _round(sf: User, embete, year: int, today: datetime.date) -> ApplicationRound:
    existing = ApplicationRound.objects.filter(ordning=services.scheme(), embete=embete, aar=year).first()
    if existing:
        return existing
    if year == max(YEARS):
        apner, frist = today - datetime.timedelta(days=14), today + datetime.timedelta(days=45)
    else:
        apner, frist = datetime.date(year, 1, 15), datetime.date(year, 3, 15)
    rnd = services.create_round(
        sf,
        embete=embete,
        aar=year,
        criteria=CRITERIA,
        tittel=f"Stimuleringsmidler til læringsnettverk {year}",
        apner=apner,
        frist=frist,
        retningslinjer=_guideline(year),
        kriterier=KRITERIER,
        egeninitiert=True,
        fosterhjem=True,
        maks_belop=Decimal("800000"),
        rapportfrist=datetime.date(year + 1, 3, 1),
        dokumentkrav="Prosjektplan og budsjett. Samarbeidsavtale med kunnskapspartner hvis dere har en.",
        rullerende=year == max(YEARS) and embete.slug in ROLLING,
    )
    if year == max(YEARS):
        if embete.slug in ROLLING:  # required attachments are set before the round is published
            rounds.set_required_documents(sf, rnd, REQUIRED_DOCUMENTS)
        with on_day(apner, hour=9):  # published the day it opens, before the applications in it (demo.cases)
            return services.publish_round(sf, rnd)
    # Earlier rounds are over: published then, closed now (publish_round refuses a passed deadline).
    ApplicationRound.objects.filter(pk=rnd.pk).update(status=RoundStatus.AVSLUTTET, publisert=_at(apner, 9))
    rnd.refresh_from_db()
    return rnd


def _budget(lines) -> list[dict]:
    kinds = [("stilling", "Prosjektleder i deltidsstilling"), ("kompetanse", "Veiledning fra kompetansemiljø")]
    return [{"type": k, "beskrivelse": d, "belop": Decimal(a)} for (k, d), a in zip(kinds, lines, strict=False)]


def _partner():
    return Partner.objects.filter(navn__startswith="RKBU").order_by("id").first()


def _texts(navn: str, network) -> dict:
    return {
        "maal": f"«{navn}»: tjenestene i {network.navn} skal utvikle en felles arbeidsmåte og ta den i bruk.",
        "aktiviteter": "Felles samlinger, veiledning i hver tjeneste og utprøving av en felles rutine.",
        "tidsplan": "Oppstart i mars, utprøving over sommeren, evaluering i desember.",
    }


def _sent_in_closed_round(leader, rnd, network, tjenester, kategori, navn, lines, other) -> Application:
    """An application sent in before the deadline of a round that has closed since."""
    project, made = DevelopmentProject.objects.get_or_create(
        network=network, navn=navn, defaults={"kategori": kategori}
    )
    if made:
        for s in tjenester:
            ProjectService.objects.create(prosjekt=project, tjeneste=s, fra_dato=datetime.date(rnd.aar, 1, 1))
    budget = _budget(lines)
    other = Decimal(other)
    application = Application.objects.create(
        utlysning=rnd,
        prosjekt=project,
        kategori=kategori,
        status=ApplicationStatus.SENDT_INN,
        referanse=services._next_reference(rnd),
        egeninnsats=Decimal("60000"),
        annen_finansiering=other,
        soknadsbelop=services.compute_amount(budget, other),
        opprettet_av=leader,
        ansvarlig_soker=tjenester[0],  # the leader's own service (home) made it and leads it
        sendt_inn=_at(rnd.frist - datetime.timedelta(days=5), 14),
        versjon=1,
        **_texts(navn, network),
    )
    application.tjenester.set(tjenester)
    BudgetLine.objects.bulk_create(BudgetLine(soknad=application, **line) for line in budget)
    ApplicationVersion.objects.create(
        soknad=application, nummer=1, innhold=services.snapshot(application), opprettet_av=leader, kommentar="Sendt inn"
    )
    audit.record(leader, "soknad.sendt_inn", application, {"referanse": application.referanse})
    return application


def _in_open_round(leader, rnd, network, tjenester, kategori, navn, lines, other, submit: bool) -> Application:
    application = services.create_application(leader, rnd, kategori=kategori, network=network, prosjektnavn=navn)
    partner = _partner()
    services.save_draft(
        leader,
        application,
        egeninnsats=Decimal("50000"),
        annen_finansiering=Decimal(other),
        budsjett=_budget(lines),
        tjenester=tjenester,
        partnere=[{"partner": partner, "rolle": "Veileder og følgeevaluering."}] if partner else [],
        **_texts(navn, network),
    )
    if not submit:
        return application
    attach_required(leader, application)
    return services.submit(leader, application)


def attach_required(actor, application: Application) -> None:
    """One small PDF per attachment the round requires (grants.rounds.missing_documents), marked as meeting it."""
    from django.core.files.base import ContentFile

    from .projects import _filename, demo_pdf

    for krav in rounds.missing_documents(application):
        text = f"{krav.navn} for søknaden «{application.prosjekt.navn}»."
        services.add_attachment(
            actor,
            application,
            tittel=krav.navn,
            fil=ContentFile(demo_pdf(krav.navn, text), _filename(krav.navn)),
            krav=krav,
        )


def _decide(sf, application, target: str, n: int, today: datetime.date) -> Decision:
    application = services.assign_case_officer(sf, application, sf)
    services.declare_impartiality(sf, application, ugild=False)
    criteria = list(application.utlysning.kriterieliste.all())
    for i, criterion in enumerate(criteria):
        services.score(sf, application, kriterium=criterion, poeng=2 + (i + n) % 4)
    applied = application.soknadsbelop
    if target == "rejected":
        services.recommend(sf, application, anbefaling="avslaa", begrunnelse="Svak forankring og uklar plan.")
        return services.decide(
            sf,
            application,
            utfall=ApplicationStatus.AVSLATT,
            begrunnelse="Søknaden er ikke prioritert innenfor rammen. Prosjektet mangler forankring i ledelsen, og "
            "planen sier lite om hvordan tjenestene skal samarbeide.",
        )
    if target in ("partly", "appealed", "repayment"):
        amount = (applied * Decimal("0.7")).quantize(Decimal("10000"))
        services.recommend(
            sf,
            application,
            anbefaling="delvis",
            begrunnelse="Godt prosjekt, men høye kostnader.",
            foreslatt_belop=amount,
        )
        return services.decide(
            sf,
            application,
            utfall=ApplicationStatus.DELVIS_INNVILGET,
            belop=amount,
            begrunnelse="Prosjektet er godt begrunnet, men rammen gir ikke rom for hele beløpet. Utgiftene til "
            "ekstern veiledning er redusert.",
            vilkaar="- Prosjektet skal legge fram en plan for spredning til de andre tjenestene i nettverket.",
        )
    services.recommend(sf, application, anbefaling="innvilge", begrunnelse="Godt forankret og realistisk.")
    return services.decide(
        sf,
        application,
        utfall=ApplicationStatus.INNVILGET,
        belop=applied,
        begrunnelse="Prosjektet oppfyller kriteriene i utlysningen og er godt forankret i tjenestene.",
    )


@transaction.atomic
def seed_grants() -> int:
    """Frames, rounds and applications for every embete. Returns the number of applications created."""
    today = timezone.localdate()
    bufdir = User.objects.get(email=f"bufdir@{DEMO_DOMAIN}")
    created = 0
    for index, embete in enumerate(Embete.objects.order_by("slug")):
        for year in YEARS:
            for kategori in Category.values:
                if not embete.rammer.filter(aar=year, kategori=kategori).exists():
                    services.set_frame(
                        bufdir, embete=embete, aar=year, kategori=kategori, belop=frame_amount(index, year, kategori)
                    )
        sf = _staff(embete)
        rounds = {year: _round(sf, embete, year, today) for year in YEARS}
        applicant = _applicant(embete, index)
        if applicant is None:
            continue
        leader, home, networks = applicant
        for n, (key, year, kategori, navn, lines, other, target) in enumerate(PLAN):
            rnd = rounds[year]
            network = networks[n % len(networks)]
            if Application.objects.filter(utlysning=rnd, prosjekt__network=network, prosjekt__navn=navn).exists():
                continue
            others = [s for s in _members(network) if s.pk != home.pk]
            partners = [others[(n + index) % len(others)]] if others else []
            tjenester = [home, *partners]
            if target == "appealed" or (key == APPEALED_KEY and embete.slug != "vestland"):
                target = "appealed"
            if year == max(YEARS):
                application = _in_open_round(
                    leader, rnd, network, tjenester, kategori, navn, lines, other, submit=target != "draft"
                )
                if target == "assessing":
                    services.assign_case_officer(sf, application, sf)
                    services.declare_impartiality(sf, application, ugild=False)
                created += 1
                continue
            with on_day(rnd.frist - datetime.timedelta(days=5), hour=14):  # sent in before the deadline
                application = _sent_in_closed_round(leader, rnd, network, tjenester, kategori, navn, lines, other)
            created += 1
            # Decided on its day (demo.clock): after the round's deadline, before its report deadline; appealed
            # within the appeal deadline. (An application open to appeal now is in demo.cases.)
            decided_on = datetime.date(year, 5, 20)
            with on_day(decided_on):
                decision = _decide(sf, application, target, n + index, decided_on)
            if target == "appealed":
                with on_day(decided_on + datetime.timedelta(days=12)):
                    services.file_appeal(leader, decision, "Vi ber om hele søknadsbeløpet. Veiledningen er nødvendig.")
            if target in ("paid", "repayment", "approved"):
                amount = ledger.final_amount(decision)
                first = amount if target != "approved" else (amount / 2).quantize(Decimal("1"))
                paid_on = decided_on + datetime.timedelta(days=14)
                with on_day(paid_on):
                    services.register_payment(sf, decision, dato=paid_on, belop=first, kontonummer=kontonummer(n))
            if target == "repayment":
                claimed_on = datetime.date(year + 1, 3, 15)
                with on_day(claimed_on):
                    services.create_repayment_claim(
                        sf,
                        decision,
                        belop=Decimal("60000"),
                        begrunnelse="Regnskapet viser 60 000 kr i ubrukte midler ved utgangen av tilskuddsåret.",
                        dato=claimed_on,
                        forfall=datetime.date(year + 1, 5, 1),
                        kontonummer="76940512057",
                    )
    return created
