"""Demo learning networks, shaped like the real variety the evaluation describes:
one big network with sub-groups (Vestland), many small 2–3 service networks (Vestfold og Telemark),
five geographic networks with coordinators (Trøndelag), and 5–7 service networks elsewhere."""

import datetime

from django.db import transaction

from accounts.models import RoleAssignment
from networks.models import (
    LearningNetwork,
    Membership,
    MembershipStatus,
    NetworkPartner,
    NetworkPerson,
    NetworkStatus,
    NetworkStatusChange,
    Orientation,
    PersonRole,
    Theme,
)
from organisations.models import ChildWelfareService, Embete, Partner

THEME_CYCLE = [
    ["Oppfølging av fosterhjem", "Rekruttering av fosterhjem"],
    ["Opplæring og kompetanseutvikling", "Lederutvikling"],
    ["Oppfølging av fosterhjem", "Medvirkning"],
    ["Utvikling av lokale tiltak", "Foreldreveiledning"],
    ["Høykonflikt", "Opplæring og kompetanseutvikling"],
    ["Minoriteter", "Akuttberedskap"],
]
DEFAULT_DESCRIPTION = "samler barnevernstjenester som vil utvikle praksis sammen, med samlinger og erfaringsdeling."
DEFAULT_GOAL = "Styrke oppfølgingen av sårbare barn, unge og familier gjennom felles kompetanse- og tiltaksutvikling."
LEADER_NAMES = ["Gunn Rønning", "Arne Sletten", "Tove Myhre", "Bjørn Kvam", "Liv Hauge", "Odd Solli", "Anne Bø"]


def _services(embete: Embete) -> list[ChildWelfareService]:
    return list(ChildWelfareService.objects.filter(vertskommune__embete=embete, aktiv=True).order_by("id"))


def _network(
    embete, navn, *, year, status=NetworkStatus.AKTIV, themes=(), orientation=Orientation.BEGGE, parent=None, desc=""
):
    network, created = LearningNetwork.objects.get_or_create(
        embete=embete,
        navn=navn,
        defaults={
            "etablert_aar": year,
            "status": status,
            "status_fra": datetime.date(year, 9, 1),
            "orientering": orientation,
            "overordnet": parent,
            "beskrivelse": desc or f"{navn} {DEFAULT_DESCRIPTION}",
            "maal": DEFAULT_GOAL,
        },
    )
    if created:
        network.temaer.set(Theme.objects.filter(navn__in=themes))
        NetworkStatusChange.objects.create(network=network, status=status, fra_dato=network.status_fra)
    return network, created


def _members(network, services, year):
    for i, service in enumerate(services):
        Membership.objects.get_or_create(
            network=network,
            tjeneste=service,
            status=MembershipStatus.AKTIV,
            defaults={"fra_dato": datetime.date(year, 9, 1 + (i % 20))},
        )


def _person(network, rolle, navn, year, tjeneste=None, kommuneledelse=False, user=None):
    NetworkPerson.objects.get_or_create(
        network=network,
        rolle=rolle,
        navn="" if user else navn,
        user=user,
        defaults={
            "tjeneste": tjeneste,
            "kommuneledelse": kommuneledelse,
            "fra_dato": datetime.date(year, 9, 1),
            "stilling": "kommunalsjef oppvekst" if kommuneledelse else "fagleder",
        },
    )


def _partner(network, name_start, rolle, year):
    partner = Partner.objects.filter(navn__startswith=name_start).first()
    if partner:
        NetworkPartner.objects.get_or_create(
            network=network,
            partner=partner,
            til_dato=None,
            defaults={"rolle": rolle, "fra_dato": datetime.date(year, 9, 1)},
        )


def _staff_roles(network, services, year, leader_role=PersonRole.LEDER, idx=0):
    leader_service = services[0]
    _person(network, leader_role, LEADER_NAMES[idx % len(LEADER_NAMES)], year, tjeneste=leader_service)
    _person(
        network,
        PersonRole.STYRINGSGRUPPE,
        f"Kommunalsjef i {leader_service.vertskommune.navn.split(' - ')[0]}",
        year,
        tjeneste=leader_service,
        kommuneledelse=True,
    )
    for service in services[:4]:
        _person(
            network,
            PersonRole.KONTAKTPERSON,
            f"Kontaktperson {service.vertskommune.navn.split(' - ')[0]}",
            year,
            tjeneste=service,
        )


@transaction.atomic
def seed_networks() -> int:
    created_count = 0
    embeter = {e.slug: e for e in Embete.objects.all()}

    # Vestland: one big network for all services, with sub-groups that work like networks of their own.
    vl = embeter["vestland"]
    vl_services = _services(vl)
    big, created = _network(
        vl,
        "Læringsnettverk Vestland",
        year=2018,
        themes=THEME_CYCLE[0] + THEME_CYCLE[1],
        desc="Ett felles nettverk for alle barneverntenestene i Vestland, med regionale undergrupper.",
    )
    created_count += created
    if created:
        _members(big, vl_services, 2018)
        _staff_roles(big, vl_services, 2018)
        _partner(big, "RKBU Vest", "Fagleg støtte og evaluering av prosjekta.", 2018)
        _partner(big, "Høgskulen på Vestlandet", "Vidareutdanning og forskingssamarbeid.", 2019)
        _partner(big, "Bufetat region vest", "Fosterheimsrekruttering og rettleiing.", 2019)
    third = len(vl_services) // 3
    for i, (name, chunk) in enumerate(
        [
            ("Vestland nord", vl_services[:third]),
            ("Vestland midt", vl_services[third : 2 * third]),
            ("Vestland sør", vl_services[2 * third :]),
        ]
    ):
        sub, created = _network(vl, f"{name} (undergruppe)", year=2019, parent=big, themes=THEME_CYCLE[i + 2])
        created_count += created
        if created:
            _members(sub, chunk, 2019)
            _staff_roles(sub, chunk, 2019, idx=i + 1)

    # Vestfold og Telemark: many small networks of 2–3 services.
    vt = embeter["vestfold-og-telemark"]
    vt_services = _services(vt)
    sizes = [2, 3, 2, 3, 2, 3]
    start = 0
    for i, size in enumerate(sizes):
        chunk = vt_services[start : start + size]
        start += size
        if len(chunk) < 2:
            break
        status = NetworkStatus.PAUSE if i == 4 else NetworkStatus.AKTIV
        net, created = _network(
            vt,
            f"Samarbeid {' – '.join(s.vertskommune.navn for s in chunk)}",
            year=2020 + i % 3,
            status=status,
            themes=THEME_CYCLE[i % len(THEME_CYCLE)],
            orientation=Orientation.TILTAK,
        )
        created_count += created
        if created:
            _members(net, chunk, 2020 + i % 3)
            _staff_roles(net, chunk, 2020 + i % 3, idx=i)
            _partner(net, "RBUP Øst og Sør", "Veiledning i modellutvikling.", 2021)

    # Trøndelag: five geographic networks with a coordinator (flat structure), not a leader.
    tr = embeter["trondelag"]
    tr_services = _services(tr)
    regions = ["Namdal", "Innherred", "Trondheimsregionen", "Fosen", "Orkdal og Gauldal"]
    per = max(2, len(tr_services) // len(regions))
    for i, region in enumerate(regions):
        chunk = tr_services[i * per : (i + 1) * per] if i < len(regions) - 1 else tr_services[i * per :]
        net, created = _network(
            tr, f"Læringsnettverk {region}", year=2019, themes=THEME_CYCLE[(i + 1) % len(THEME_CYCLE)]
        )
        created_count += created
        if created:
            _members(net, chunk, 2019)
            _staff_roles(net, chunk, 2019, leader_role=PersonRole.KOORDINATOR, idx=i)
            _partner(net, "RKBU Midt-Norge", "Kompetansepartner for nettverket.", 2019)

    # The other embeter: two or three networks of 5–7 services.
    for k, slug in enumerate(
        [
            "agder",
            "innlandet",
            "more-og-romsdal",
            "nordland",
            "ostfold-buskerud-oslo-akershus",
            "rogaland",
            "troms-og-finnmark",
        ]
    ):
        embete = embeter[slug]
        services = _services(embete)
        offset = 0
        for j, size in enumerate([6, 5, 7]):
            chunk = services[offset : offset + size]
            offset += size
            if len(chunk) < 2:
                break
            status = NetworkStatus.AVSLUTTET if (k + j) % 7 == 6 else NetworkStatus.AKTIV
            net, created = _network(
                embete,
                f"Læringsnettverk {embete.navn.replace('Statsforvalteren i ', '')} {j + 1}",
                year=2018 + (k + j) % 5,
                status=status,
                themes=THEME_CYCLE[(k + j) % len(THEME_CYCLE)],
            )
            created_count += created
            if created:
                _members(net, chunk, 2018 + (k + j) % 5)
                if j != 2:
                    _staff_roles(net, chunk, 2018 + (k + j) % 5, idx=k + j)
                _partner(net, "Bufetat", "Fosterhjemstjenesten deltar på samlingene.", 2020)
        # One network still being established, waiting for services to accept.
        _network(
            embete,
            f"Nytt nettverk om medvirkning – {embete.navn.replace('Statsforvalteren i ', '')}",
            year=2026,
            status=NetworkStatus.ETABLERING,
            themes=["Medvirkning"],
        )

    _demo_invitations()
    return created_count


def _demo_invitations():
    """The demo leader in Kristiansand has an invitation to answer; Bodø has a pending request."""
    agder_new = LearningNetwork.objects.filter(embete__slug="agder", status=NetworkStatus.ETABLERING).first()
    kristiansand = ChildWelfareService.objects.filter(kommuner__nummer="4204").first()
    if agder_new and kristiansand:
        Membership.objects.get_or_create(network=agder_new, tjeneste=kristiansand, status=MembershipStatus.INVITERT)
    nordland_new = LearningNetwork.objects.filter(embete__slug="nordland", status=NetworkStatus.ETABLERING).first()
    bodo = ChildWelfareService.objects.filter(kommuner__nummer="1804").first()
    if nordland_new and bodo:
        Membership.objects.get_or_create(
            network=nordland_new,
            tjeneste=bodo,
            status=MembershipStatus.SOKT,
            defaults={"begrunnelse": "Vi ønsker å utvikle medvirkning sammen med nabokommunene."},
        )
    # The Bergen leader is named as a participant (a person with an account) in the Vestland network.
    leader = (
        RoleAssignment.objects.filter(user__email__startswith="leder.bergen@")
        .select_related("user", "tjeneste")
        .first()
    )
    big = LearningNetwork.objects.filter(navn="Læringsnettverk Vestland").first()
    if leader and big:
        _person(big, PersonRole.DELTAKER, "", 2018, tjeneste=leader.tjeneste, user=leader.user)
