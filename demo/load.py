"""Synthetic load data for benchmarks (issue 7): `manage.py generate_load_data --scale N [--seed S]`.

Deterministic for a given scale and seed, built on the reference data and the real-sized directory of
barnevernstjenester (242, from the demo seed). Scale 1 is one realistic country over 8 years: ~70 networks,
~150 applications and ~70 awards per year, each award with a payment, a reporting requirement and (for past
years) an approved report with spending lines. Scale N multiplies applications, awards and reports by N; the
directory stays the same size. Everything is written with bulk inserts in one transaction per year, so a
failure leaves no half-built year behind.

Never run against production: it refuses when LAERINGSNETT_ENV=production."""

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.immutability import backdating
from common.versioned_cache import figures_changed
from followup.models import ProgressReport, ReportingRequirement, ReportKind, ReportSpending, ReportStatus
from grants.models import (
    Application,
    ApplicationRound,
    ApplicationStatus,
    Assessment,
    Award,
    AwardSource,
    BudgetKind,
    BudgetLine,
    Decision,
    Frame,
    Payment,
    RepaymentClaim,
    RepaymentReceipt,
    RepaymentStatus,
    RoundStatus,
)
from grants.services import EMBETE_CODES, scheme
from networks.models import GuidelineVersion, LearningNetwork, Membership, MembershipStatus, NetworkStatus
from organisations.models import ChildWelfareService, Embete
from projects.models import Category, DevelopmentProject, Phase, ProjectService

LOAD_DOMAIN = "last.laeringsnett.no"
YEARS = tuple(range(2018, 2026))  # 8 years
OVERDUE_SHARE = 0.05  # of the last year's reporting requirements, whose reports are overdue
NETWORKS_PER_EMBETE = 7
APPLICATIONS_PER_EMBETE_YEAR = 15
AWARD_SHARE = 0.47  # ~70 of ~150
BATCH = 5000
ACCOUNT = "15030100007"


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class LoadBuilder:
    def __init__(self, scale: int, seed: int, out=None):
        if settings.LAERINGSNETT_ENV == "production":
            raise ImproperlyConfigured("generate_load_data skal aldri kjøres i produksjon.")
        self.scale, self.rng, self.out = scale, random.Random(seed), out
        self.counts: dict[str, int] = {}

    def log(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    # --- directory --------------------------------------------------------------------------------

    def ensure_directory(self) -> None:
        from django.core.management import call_command

        if Embete.objects.count() < 10:
            call_command("load_reference_data", verbosity=0)
        if ChildWelfareService.objects.count() < 242:
            from demo.seed import seed_services

            seed_services()
        if LearningNetwork.objects.filter(navn__startswith="Last ").exists():
            raise ImproperlyConfigured(
                "Databasen har allerede lastdata. Bruk en tom database (migrate + generate_load_data)."
            )

    @transaction.atomic
    def build_base(self) -> None:
        self.users = {}
        for embete in Embete.objects.order_by("slug"):
            user, _ = User.objects.get_or_create(
                email=f"sf.{embete.slug}@{LOAD_DOMAIN}", defaults={"first_name": "Last", "last_name": embete.slug}
            )
            self.users[embete.pk] = user
        self.guideline = GuidelineVersion.objects.order_by("-gyldig_fra").first()
        self.scheme = scheme()
        self.embeter = list(Embete.objects.order_by("slug"))
        services = list(ChildWelfareService.objects.select_related("vertskommune").order_by("pk"))
        self.services_by_embete = {
            e.pk: [s for s in services if s.vertskommune.embete_id == e.pk] for e in self.embeter
        }
        networks, memberships = [], []
        for embete in self.embeter:
            for i in range(NETWORKS_PER_EMBETE):
                networks.append(
                    LearningNetwork(
                        embete=embete,
                        navn=f"Last {embete.slug} nettverk {i + 1}",
                        etablert_aar=YEARS[0] - 1,
                        status=NetworkStatus.AKTIV,
                        status_fra=datetime.date(YEARS[0] - 1, 1, 1),
                    )
                )
        LearningNetwork.objects.bulk_create(networks, batch_size=BATCH)
        networks = list(LearningNetwork.objects.filter(navn__startswith="Last ").order_by("pk"))
        self.networks_by_embete: dict[int, list] = {}
        self.members: dict[int, list] = {}
        for network in networks:
            self.networks_by_embete.setdefault(network.embete_id, []).append(network)
            pool = self.services_by_embete[network.embete_id]
            chosen = self.rng.sample(pool, min(len(pool), self.rng.randint(3, 7))) if pool else []
            self.members[network.pk] = chosen
            memberships += [
                Membership(
                    network=network,
                    tjeneste=s,
                    status=MembershipStatus.AKTIV,
                    fra_dato=datetime.date(YEARS[0] - 1, 1, 1),
                )
                for s in chosen
            ]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        figures_changed()
        self.count("nettverk", len(networks))
        self.count("medlemskap", len(memberships))

    # --- one year ---------------------------------------------------------------------------------

    @transaction.atomic
    def build_year(self, year: int) -> None:
        rng, today = self.rng, timezone.localdate()
        figures_changed()  # bulk inserts send no signals (common.versioned_cache)
        rounds = [
            ApplicationRound(
                ordning=self.scheme,
                embete=e,
                aar=year,
                tittel=f"Stimuleringsmidler {year} ({e.slug})",
                apner=datetime.date(year, 1, 10),
                frist=datetime.date(year, 3, 15),
                retningslinjer=self.guideline,
                kriterier="Samarbeid, forankring og realistisk plan.",
                rapportfrist=datetime.date(year + 1, 3, 1),
                status=RoundStatus.AVSLUTTET,
                publisert=_at(datetime.date(year, 1, 10)),
            )
            for e in self.embeter
        ]
        ApplicationRound.objects.bulk_create(rounds, batch_size=BATCH)
        frames = [
            Frame(
                ordning=self.scheme,
                aar=year,
                embete=e,
                kategori=k,
                belop=Decimal(2_500_000 * self.scale),
            )
            for e in self.embeter
            for k in Category.values
        ]
        Frame.objects.bulk_create(frames, batch_size=BATCH)
        frame_of = {(f.embete_id, f.kategori): f for f in Frame.objects.filter(aar=year)}
        round_of = {r.embete_id: r for r in ApplicationRound.objects.filter(aar=year, ordning=self.scheme)}

        projects, plan = [], []
        per_embete = APPLICATIONS_PER_EMBETE_YEAR * self.scale
        for e in self.embeter:
            networks = self.networks_by_embete[e.pk]
            for i in range(per_embete):
                network = networks[i % len(networks)]
                kategori = Category.values[i % 2]
                awarded = rng.random() < AWARD_SHARE
                projects.append(
                    DevelopmentProject(
                        network=network,
                        navn=f"Prosjekt {year}-{e.slug}-{i + 1}",
                        kategori=kategori,
                        fase=rng.choice(Phase.values[:-1]),
                        planlagt_start=datetime.date(year, 1, 1),
                        planlagt_slutt=datetime.date(year + rng.randint(0, 2), 12, 31),
                        beskrivelse="Utviklingsprosjekt om oppfølging av fosterhjem og veiledning.",
                        i_kunnskapsbanken=rng.random() < 0.3,
                    )
                )
                plan.append((e, network, kategori, awarded, i))
        DevelopmentProjects = DevelopmentProject.objects.bulk_create(projects, batch_size=BATCH)  # noqa: N806
        project_services = []
        applications = []
        for project, (e, network, kategori, awarded, i) in zip(DevelopmentProjects, plan, strict=True):
            members = self.members[network.pk][:2]
            project_services += [
                ProjectService(prosjekt=project, tjeneste=s, fra_dato=datetime.date(year, 1, 1)) for s in members
            ]
            budget = Decimal(rng.randrange(150_000, 600_000, 10_000))
            status = (
                rng.choice([ApplicationStatus.INNVILGET, ApplicationStatus.DELVIS_INNVILGET])
                if awarded
                else rng.choice([ApplicationStatus.AVSLATT, ApplicationStatus.AVSLATT, ApplicationStatus.TRUKKET])
            )
            applications.append(
                Application(
                    utlysning=round_of[e.pk],
                    aar=year,
                    prosjekt=project,
                    kategori=kategori,
                    referanse=f"{EMBETE_CODES[e.slug]}-{year}-{i + 1:06d}",
                    status=status,
                    maal="Bedre oppfølging av fosterhjem.",
                    aktiviteter="Samlinger, veiledning og felles rutiner.",
                    tidsplan=f"Mars–desember {year}.",
                    soknadsbelop=budget,
                    opprettet_av=self.users[e.pk],
                    ansvarlig_soker=members[0],
                    saksbehandler=self.users[e.pk],
                    sendt_inn=_at(datetime.date(year, 3, 1)),
                    versjon=1,
                )
            )
        ProjectService.objects.bulk_create(project_services, batch_size=BATCH)
        applications = Application.objects.bulk_create(applications, batch_size=BATCH)
        through = Application.tjenester.through
        links, lines, assessments = [], [], []
        decisions, decided_apps = [], []
        for application, (e, network, kategori, _awarded, i) in zip(applications, plan, strict=True):
            for s in self.members[network.pk][:2]:
                links.append(through(application_id=application.pk, childwelfareservice_id=s.pk))
            half = (application.soknadsbelop / 2).quantize(Decimal("1"))
            lines += [
                BudgetLine(soknad=application, type=BudgetKind.STILLING, belop=half),
                BudgetLine(soknad=application, type=BudgetKind.KOMPETANSE, belop=application.soknadsbelop - half),
            ]
            assessments.append(
                Assessment(soknad=application, rangering=i + 1, foreslatt_belop=application.soknadsbelop)
            )
            if application.status in (
                ApplicationStatus.INNVILGET,
                ApplicationStatus.DELVIS_INNVILGET,
                ApplicationStatus.AVSLATT,
            ):
                amount = (
                    application.soknadsbelop
                    if application.status == ApplicationStatus.INNVILGET
                    else (application.soknadsbelop * Decimal("0.7")).quantize(Decimal("1"))
                    if application.status == ApplicationStatus.DELVIS_INNVILGET
                    else Decimal(0)
                )
                decided_on = datetime.date(year, 5, 20)
                decisions.append(
                    Decision(
                        soknad=application,
                        ramme=frame_of[(e.pk, kategori)] if amount else None,
                        utfall=application.status,
                        belop=amount,
                        begrunnelse="Vurdert etter kriteriene i utlysningen.",
                        rapportfrist=datetime.date(year + 1, 3, 1) if amount else None,
                        klagefrist=decided_on + datetime.timedelta(days=21),
                        vedtatt_av=self.users[e.pk],
                        saksnummer=application.referanse,
                    )
                )
                decided_apps.append((application, e, network, kategori))
        through.objects.bulk_create(links, batch_size=BATCH)
        BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
        Assessment.objects.bulk_create(assessments, batch_size=BATCH)
        decisions = Decision.objects.bulk_create(decisions, batch_size=BATCH)
        with backdating():  # decisions are immutable; only their timestamp may be moved, here and in the demo
            Decision.objects.filter(soknad__utlysning__aar=year).update(vedtatt=_at(datetime.date(year, 5, 20)))

        awards, payments, requirements = [], [], []
        for decision, (application, e, network, kategori) in zip(decisions, decided_apps, strict=True):
            if decision.belop <= 0:
                continue
            awards.append(
                Award(
                    aar=year,
                    embete=e,
                    kategori=kategori,
                    nettverk=network,
                    prosjekt_id=application.prosjekt_id,
                    belop=decision.belop,
                    dato=datetime.date(year, 5, 20),
                    kilde=AwardSource.VEDTAK,
                    vedtak=decision,
                )
            )
            payments.append(
                Payment(
                    vedtak=decision,
                    dato=datetime.date(year, 6, 15),
                    belop=decision.belop,
                    kontonummer=ACCOUNT,
                    registrert_av=self.users[e.pk],
                )
            )
            frist = datetime.date(year + 1, 3, 1)
            requirements.append(
                ReportingRequirement(
                    vedtak=decision,
                    prosjekt_id=application.prosjekt_id,
                    type=ReportKind.AARLIG,
                    aar=year,
                    frist=frist,
                    opprinnelig_frist=frist,
                    levert=frist <= today,  # an approved report is made below for every requirement that is due
                )
            )
        awards = Award.objects.bulk_create(awards, batch_size=BATCH)
        award_links = []
        award_through = Award.tjenester.through
        for award in awards:
            network_members = self.members[award.nettverk_id][:2]
            award_links += [award_through(award_id=award.pk, childwelfareservice_id=s.pk) for s in network_members]
        award_through.objects.bulk_create(award_links, batch_size=BATCH)
        Payment.objects.bulk_create(payments, batch_size=BATCH)
        requirements = ReportingRequirement.objects.bulk_create(requirements, batch_size=BATCH)

        reports, claims = [], []
        amounts = {
            d.pk: (d.belop, self.users[e.pk]) for d, (_a, e, _n, _k) in zip(decisions, decided_apps, strict=True)
        }
        overdue = []
        for krav in requirements:
            if krav.frist > today:
                continue  # this year's reports are not due yet
            if year == YEARS[-1] and rng.random() < OVERDUE_SHARE:
                overdue.append(krav.pk)  # the report is late: the start pages' deadline lists show it
                continue
            tildelt, user = amounts[krav.vedtak_id]
            spent = (tildelt * Decimal(rng.choice(["1", "1", "0.95", "0.8"]))).quantize(Decimal("1"))
            submitted = _at(datetime.date(year + 1, 2, 20))
            reports.append(
                ProgressReport(
                    krav=krav,
                    status=ReportStatus.GODKJENT,
                    aktiviteter="Gjennomført som planlagt.",
                    resultater="Felles rutine for oppfølging av fosterhjem.",
                    tildelt=tildelt,
                    brukt_total=spent,
                    ubrukt=tildelt - spent,
                    versjon=1,
                    opprettet_av=user,
                    sendt_inn=submitted,
                    godkjent=submitted + datetime.timedelta(days=10),
                )
            )
            if tildelt - spent > 5000:
                claims.append(
                    RepaymentClaim(
                        vedtak_id=krav.vedtak_id,
                        belop=tildelt - spent,
                        begrunnelse="Ubrukte midler etter godkjent rapport.",
                        dato=datetime.date(year + 1, 3, 15),
                        forfall=datetime.date(year + 1, 4, 15),
                        status=RepaymentStatus.BETALT,
                        betalt_dato=datetime.date(year + 1, 4, 10),
                        opprettet_av=user,
                    )
                )
        ReportingRequirement.objects.filter(pk__in=overdue).update(levert=False)
        reports = ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
        spending = []
        for report in reports:
            half = (report.brukt_total / 2).quantize(Decimal("1"))
            spending += [
                ReportSpending(rapport=report, type=BudgetKind.STILLING, budsjett=report.tildelt / 2, brukt=half),
                ReportSpending(
                    rapport=report,
                    type=BudgetKind.KOMPETANSE,
                    budsjett=report.tildelt - report.tildelt / 2,
                    brukt=report.brukt_total - half,
                ),
            ]
        ReportSpending.objects.bulk_create(spending, batch_size=BATCH)
        claims = RepaymentClaim.objects.bulk_create(claims, batch_size=BATCH)
        RepaymentReceipt.objects.bulk_create(  # what is paid back is the receipts (grants.ledger)
            [
                RepaymentReceipt(krav=c, dato=c.betalt_dato, belop=c.belop, registrert_av_id=c.opprettet_av_id)
                for c in claims
                if c.status == RepaymentStatus.BETALT
            ],
            batch_size=BATCH,
        )
        for name, n in (
            ("søknader", len(applications)),
            ("vedtak", len(decisions)),
            ("tildelinger", len(awards)),
            ("rapporter", len(reports)),
            ("tilbakebetalingskrav", len(claims)),
        ):
            self.count(name, n)

    def build(self) -> dict[str, int]:
        self.ensure_directory()
        self.build_base()
        for year in YEARS:
            started = timezone.now()
            self.build_year(year)
            self.log(f"{year}: ferdig på {(timezone.now() - started).total_seconds():.1f} s\n")
        return self.counts


BENCH_PASSWORD = "Bench-passord-2026"  # noqa: S105 - load-test logins on a throwaway database only  # nosec B105


def ensure_bench_users() -> dict[str, str]:
    """Logins for bench/run.py on load data: one user per role (and a superuser for the admin baseline).
    Returns {role label: e-mail}; all have BENCH_PASSWORD."""
    from accounts.models import Role, RoleAssignment

    if settings.LAERINGSNETT_ENV == "production":
        raise ImproperlyConfigured("Benchmark-brukere skal aldri lages i produksjon.")
    vestland = Embete.objects.get(slug="vestland")
    network = LearningNetwork.objects.filter(embete=vestland, navn__startswith="Last ").order_by("pk").first()
    service = Membership.objects.filter(network=network).order_by("pk").first().tjeneste
    wanted = {
        "bufdir": (f"bufdir@{LOAD_DOMAIN}", {"rolle": Role.BUFDIR}),
        "statsforvalter": (f"sf.vestland@{LOAD_DOMAIN}", {"rolle": Role.SF_SAKSBEHANDLER, "embete": vestland}),
        "tjenesteleder": (f"leder@{LOAD_DOMAIN}", {"rolle": Role.TJENESTE_LEDER, "tjeneste": service}),
        "superbruker": (f"admin@{LOAD_DOMAIN}", None),
    }
    logins = {}
    for label, (email, role) in wanted.items():
        user, _ = User.objects.get_or_create(email=email, defaults={"first_name": "Bench", "last_name": label})
        user.set_password(BENCH_PASSWORD)
        user.is_superuser = user.is_staff = role is None
        user.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if role is not None and not RoleAssignment.objects.filter(user=user, **role).exists():
            RoleAssignment.objects.create(user=user, gyldig_fra=datetime.date(2017, 1, 1), **role)
        logins[label] = email
    return logins
