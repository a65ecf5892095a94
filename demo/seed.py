"""The demo dataset: believable, deterministic, and safe to build twice.

Everything here is fictional apart from the reference data (kommuner, embeter, partners).
Organisation numbers are generated with a valid MOD11 check digit but do not belong to real
organisations. Later modules add networks, applications, grants and reports here.
"""

import datetime
from collections.abc import Callable

from django.db import transaction

from accounts.models import Role, RoleAssignment, User
from organisations.models import ChildWelfareService, Embete, Kommune, Maalform, Partner

DEMO_PASSWORD = "Demo-passord-2026"  # noqa: S105 - printed demo login, never used in production  # nosec B105
DEMO_DOMAIN = "demo.laeringsnett.no"
ROLES_FROM = datetime.date(2020, 1, 1)  # the demo people's roles are valid from this day
# How many kommuner each generated service covers, in turn: 1, 1, 2, 1, 3 …
GROUP_PATTERN = (1, 1, 2, 1, 3)
# Towns that run their own service are never grouped with neighbours.
STANDALONE = {
    "0301",
    "1103",
    "1106",
    "1108",
    "4601",
    "5001",
    "4204",
    "4203",
    "1804",
    "5501",
    "3301",
    "3201",
    "3203",
    "3107",
    "3105",
    "3905",
    "3907",
    "4001",
    "4003",
    "3403",
    "3405",
    "1508",
    "1506",
    "1505",
    "5503",
    "4205",
}
# Oslo runs child welfare per bydel; the demo has a few of them as separate services.
OSLO_BYDELER = ("Bydel Alna", "Bydel Grorud", "Bydel Frogner", "Bydel Søndre Nordstrand", "Bydel Gamle Oslo")


def demo_orgnr(n: int) -> str:
    """The n-th fictional organisasjonsnummer (9 digits, valid MOD11)."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    base = 910_000_00 + n * 7
    while True:
        digits = [int(d) for d in f"{base:08d}"]
        remainder = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check != 10:
            return f"{base:08d}{check}"
        base += 1


def short_name(kommune: Kommune) -> str:
    return kommune.navn.split(" - ")[0]


def _service_name(kommuner: list[Kommune]) -> str:
    names = [short_name(k) for k in kommuner]
    if len(names) == 1:
        return f"Barneverntjenesten i {names[0]}"
    return f"Barneverntjenesten for {', '.join(names[:-1])} og {names[-1]}"


@transaction.atomic
def seed_services() -> int:
    created = 0
    n = 0
    for embete in Embete.objects.order_by("slug"):
        kommuner = list(Kommune.objects.filter(embete=embete).order_by("nummer"))
        i = 0
        step = 0
        while i < len(kommuner):
            size = GROUP_PATTERN[step % len(GROUP_PATTERN)]
            group = [kommuner[i]]
            i += 1
            while len(group) < size and i < len(kommuner) and kommuner[i].nummer not in STANDALONE:
                if group[0].nummer in STANDALONE:
                    break
                group.append(kommuner[i])
                i += 1
            step += 1
            n += 1
            service, made = ChildWelfareService.objects.get_or_create(
                orgnr=demo_orgnr(n),
                defaults={
                    "navn": _service_name(group),
                    "vertskommune": group[0],
                    "epost": f"postmottak.{n}@{DEMO_DOMAIN}",
                },
            )
            if made:
                service.kommuner.set(group)
                created += 1
    oslo = Kommune.objects.get(nummer="0301")
    for bydel in OSLO_BYDELER:
        n += 1
        service, made = ChildWelfareService.objects.get_or_create(
            orgnr=demo_orgnr(n), defaults={"navn": f"Barneverntjenesten i {bydel}", "vertskommune": oslo}
        )
        if made:
            service.kommuner.set([oslo])
            created += 1
    return created


def seed_maalform() -> None:
    """Most of Vestland and Møre og Romsdal writes nynorsk; Oslo and the big towns bokmål."""
    Kommune.objects.filter(embete__slug__in=["vestland", "more-og-romsdal"], maalform=Maalform.NOYTRAL).exclude(
        nummer__in=["4601", "1508", "1505"]  # Bergen, Ålesund, Kristiansund are nøytral
    ).update(maalform=Maalform.NYNORSK)
    Kommune.objects.filter(nummer__in=["0301", "1103", "4204", "5001", "5501"], maalform=Maalform.NOYTRAL).update(
        maalform=Maalform.BOKMAAL
    )


def _user(email: str, first: str, last: str, stilling: str = "", **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, stilling=stilling, **extra
        )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _role(user: User, rolle: str, **scope) -> None:
    """The demo people have held their roles since ROLES_FROM, so the demo's history (demo.clock) is done by people
    who held the role then."""
    RoleAssignment.objects.get_or_create(user=user, rolle=rolle, **scope, defaults={"gyldig_fra": ROLES_FROM})
    RoleAssignment.objects.filter(user=user, rolle=rolle, gyldig_fra__gt=ROLES_FROM, **scope).update(
        gyldig_fra=ROLES_FROM  # a demo built before the roles were backdated
    )


def _service_in(kommunenummer: str) -> ChildWelfareService:
    return ChildWelfareService.objects.filter(kommuner__nummer=kommunenummer).order_by("id").first()


FIRST_NAMES = ["Ingrid", "Ola", "Kari", "Per", "Silje", "Jonas", "Marte", "Eirik", "Hanne", "Lars"]
LAST_NAMES = ["Haugen", "Berg", "Lien", "Dahl", "Solberg", "Moen", "Strand", "Nilsen", "Aas", "Vik"]


@transaction.atomic
def seed_people() -> list[tuple[str, str]]:
    logins: list[tuple[str, str]] = []
    admin = _user(f"admin@{DEMO_DOMAIN}", "Admin", "Demo", is_staff=True, is_superuser=True)
    logins.append((admin.email, "Superbruker (systemadministrator)"))
    bufdir = _user(f"bufdir@{DEMO_DOMAIN}", "Berit", "Bufdir", "seniorrådgiver")
    _role(bufdir, Role.BUFDIR)
    logins.append((bufdir.email, "Bufdir (leser alt nasjonalt)"))
    for i, embete in enumerate(Embete.objects.order_by("slug")):
        user = _user(f"sf.{embete.slug}@{DEMO_DOMAIN}", FIRST_NAMES[i], LAST_NAMES[i], "rådgiver")
        _role(user, Role.SF_SAKSBEHANDLER, embete=embete)
        logins.append((user.email, f"Statsforvalter, saksbehandler – {embete.navn}"))
    vestland = Embete.objects.get(slug="vestland")
    leder = _user(f"sf.leder.vestland@{DEMO_DOMAIN}", "Solveig", "Fjell", "fagsjef")
    _role(leder, Role.SF_LEDER, embete=vestland)
    logins.append((leder.email, f"Statsforvalter, leder – {vestland.navn}"))
    people = [
        ("leder.bergen", "Astrid", "Brekke", "barnevernsleiar", "4601", Role.TJENESTE_LEDER),
        ("ansatt.bergen", "Håkon", "Lunde", "fagutviklingsansvarleg", "4601", Role.TJENESTE_MEDARBEIDER),
        ("leder.kristiansand", "Nora", "Eide", "barnevernsleder", "4204", Role.TJENESTE_LEDER),
        ("leder.trondheim", "Magnus", "Ryen", "barnevernsleder", "5001", Role.TJENESTE_LEDER),
        ("leder.bodo", "Live", "Hansen", "barnevernsleder", "1804", Role.TJENESTE_LEDER),
    ]
    for local, first, last, stilling, nummer, rolle in people:
        service = _service_in(nummer)
        user = _user(f"{local}@{DEMO_DOMAIN}", first, last, stilling)
        _role(user, rolle, tjeneste=service)
        logins.append((user.email, f"{Role(rolle).label} – {service.navn}"))
    # One person with two roles: leads one service and works in an interkommunal one.
    inter = (
        ChildWelfareService.objects.filter(vertskommune__embete=vestland)
        .exclude(vertskommune__nummer="4601")
        .order_by("id")
    )
    inter = next((s for s in inter.prefetch_related("kommuner") if s.kommuner.count() > 1), None)
    multi = _user(f"to.roller@{DEMO_DOMAIN}", "Terje", "Tveit", "barnevernsleiar")
    _role(multi, Role.TJENESTE_LEDER, tjeneste=inter)
    _role(multi, Role.TJENESTE_MEDARBEIDER, tjeneste=_service_in("4601"))
    logins.append((multi.email, f"To roller: leder i {inter.navn} og medarbeider i Bergen"))
    rkbu = Partner.objects.get(navn__startswith="RKBU Vest")
    partner = _user(f"partner.rkbu@{DEMO_DOMAIN}", "Sigrid", "Nes", "forsker")
    _role(partner, Role.PARTNER, partner=rkbu)
    logins.append((partner.email, f"Partner – {rkbu.navn}"))
    return logins


def reset_demo_mfa() -> int:
    """Removes the second factor (TOTP, recovery codes) of the demo users, so a demo once run with `MFA=true` lets
    them log in with the password again. Only users in the demo domain are touched. Returns how many had one."""
    from allauth.mfa.models import Authenticator

    authenticators = Authenticator.objects.filter(user__email__iendswith=f"@{DEMO_DOMAIN}")
    users = authenticators.values("user").distinct().count()
    authenticators.delete()
    return users


def seed_demo(progress: Callable[[str], None] = lambda stage: None) -> list[tuple[str, str]]:
    """Builds the demo; `progress` is told each stage as it starts (seed_demo prints them)."""
    from .annual import seed_annual
    from .cases import seed_cases
    from .duty import seed_duty
    from .grants import seed_grants
    from .history import seed_history
    from .networks import seed_networks
    from .projects import seed_projects
    from .reports import seed_reports

    progress("Barnevernstjenester og demobrukere …")
    seed_services()
    seed_maalform()
    logins = seed_people()
    progress("Nettverk …")
    seed_networks()
    progress("Søknader og vedtak …")
    seed_grants()
    progress("Tildelingshistorikk 2021–2023 …")
    seed_history()
    progress("Prosjekter, rapporter og påminnelser …")
    seed_projects()
    seed_reports()
    seed_duty()
    progress("Klager, opplysninger, tilbakebetalinger og endringsmeldinger …")
    seed_cases()  # before the annual reports: Vestland's submitted 2025 report freezes its figures
    progress("Årsrapporter …")
    seed_annual()
    return logins
