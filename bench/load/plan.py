"""The Django side of the load test: set up what the clients need, take the row counts before the run, and
afterwards check every write the clients report against the database.

    python bench/load/plan.py setup --service-users 40 --staff-users 10 --embeter 5 --out plan.json
    python bench/load/plan.py verify --plan plan.json --tally tally.json --out verify.json

(run.py calls both with DATABASE_URL pointing at the throwaway database.) `build_plan` works on any database
with reference data, services and learning networks (generate_load_data or the test factories). Everything
goes through the services (create_round, publish_round, set_frame), not raw SQL. Users get one role each:
service users (tjenesteleder/medarbeider) in distinct services spread over several embeter, so that 50 users do
not all write to the same rows, and statsforvalter users (saksbehandler/leder) in the same embeter."""

import datetime
import json
import re
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "lasttest.laeringsnett.no"
MARKER = re.compile(r"\[(LT-[0-9a-z-]+)\]")  # the unique tag each client save writes into «Mål»


def _django() -> None:
    import os

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- setup ----------------------------------------------------------------------------------------


def _user(email: str, password_hash: str, first: str, last: str, role: dict):
    from allauth.account.models import EmailAddress

    from accounts.models import RoleAssignment, User

    user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last})
    user.password = password_hash
    user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if not RoleAssignment.objects.filter(user=user, **role).exists():
        RoleAssignment.objects.create(user=user, gyldig_fra=datetime.date(2017, 1, 1), **role)
    return user


def _candidates():
    """{embete: [(service, [network ids with ≥ 2 active members the service is in])]} for active networks."""
    from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkStatus

    members: dict[int, list] = defaultdict(list)
    for m in (
        Membership.objects.filter(status=MembershipStatus.AKTIV, network__status=NetworkStatus.AKTIV)
        .select_related("tjeneste", "network")
        .order_by("network_id", "tjeneste_id")
    ):
        members[m.network_id].append(m.tjeneste)
    by_embete: dict = defaultdict(dict)
    for network in LearningNetwork.objects.filter(pk__in=members).select_related("embete").order_by("pk"):
        if len(members[network.pk]) < 2:
            continue
        for service in members[network.pk]:
            by_embete[network.embete].setdefault(service, []).append(network.pk)
    return {e: sorted(services.items(), key=lambda kv: kv[0].pk) for e, services in by_embete.items()}


def build_plan(
    *, service_users: int, staff_users: int, embeter: int = 5, frame: Decimal = Decimal("800000"), password: str
) -> dict:
    """Create users, one published round per chosen embete (deadline 30 days ahead) and this year's frames.
    Returns the plan the locust clients read (logins, ids) plus the row baseline taken right after."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.exceptions import ImproperlyConfigured
    from django.utils import timezone

    from accounts.models import Role
    from grants import services
    from grants.models import ApplicationRound, RoundStatus
    from networks.models import GuidelineVersion
    from organisations.models import Partner
    from projects.models import Category

    if settings.LAERINGSNETT_ENV == "production":
        raise ImproperlyConfigured("Lasttesten skal aldri kjøres mot produksjon.")
    today = timezone.localdate()
    year = today.year
    candidates = _candidates()
    # The embeter with the most services in networks, then by slug, so the plan is the same every time.
    chosen = sorted(candidates, key=lambda e: (-len(candidates[e]), e.slug))[:embeter]
    if not chosen:
        raise ImproperlyConfigured("Fant ingen læringsnettverk med minst to aktive tjenester.")
    capacity = sum(len(candidates[e]) for e in chosen)
    if capacity < service_users:
        raise ImproperlyConfigured(
            f"Bare {capacity} tjenester i nettverk i de {len(chosen)} valgte embetene; trenger {service_users}."
        )
    password_hash = make_password(password)  # one hash for all: the PBKDF2 cost is paid at login, not here
    bufdir = _user(f"lt-bufdir@{DOMAIN}", password_hash, "Last", "Bufdir", {"rolle": Role.BUFDIR})
    guideline = GuidelineVersion.objects.filter(gyldig_fra__lte=today).order_by("-gyldig_fra").first()

    staff, rounds = [], {}
    for i in range(max(staff_users, len(chosen))):
        embete = chosen[i % len(chosen)]
        rolle = Role.SF_SAKSBEHANDLER if (i // len(chosen)) % 2 == 0 else Role.SF_LEDER
        user = _user(  # the e-mail names the scope, so a rerun on the same database never moves a role
            f"lt-{rolle}-{embete.slug}-{i // len(chosen) + 1}@{DOMAIN}",
            password_hash,
            "Saksbehandler",
            f"{i + 1}",
            {"rolle": rolle, "embete": embete},
        )
        if i < staff_users:
            staff.append({"email": user.email, "user_id": user.pk, "embete": embete.slug, "rolle": rolle})
        if embete.pk not in rounds:
            rnd = ApplicationRound.objects.filter(ordning=services.scheme(), embete=embete, aar=year).first()
            if rnd is None:
                rnd = services.create_round(
                    user,
                    embete=embete,
                    aar=year,
                    criteria=["Samarbeid mellom tjenestene", "Forankring i ledelsen", "Realistisk plan"],
                    tittel=f"Stimuleringsmidler {year} – lasttest",
                    apner=today,
                    frist=today + datetime.timedelta(days=30),
                    retningslinjer=guideline,
                    kriterier="Samarbeid, forankring og realistisk plan.",
                    egeninitiert=True,
                    fosterhjem=True,
                    maks_belop="500000",
                    dokumentkrav="",
                    rapportfrist=datetime.date(year + 1, 3, 1),
                    tilbakebetaling_terskel="5000",
                    overforing_tillatt=False,
                    # The clients decide while the round is open: only a rolling round allows that (issue 17,
                    # grants.rounds.check_decision_time).
                    rullerende=True,
                )
            elif not rnd.rullerende and not rnd.deadline_passed():  # a round reused from an earlier run or the demo
                ApplicationRound.objects.filter(pk=rnd.pk).update(rullerende=True)
                rnd.refresh_from_db()
            if rnd.status == RoundStatus.UTKAST:
                rnd = services.publish_round(user, rnd)
            rounds[embete.pk] = rnd
            for kategori in Category.values:
                services.set_frame(
                    bufdir, embete=embete, aar=year, kategori=kategori, belop=frame, begrunnelse="Lasttest"
                )

    applicants = []
    pools = {e.pk: list(candidates[e]) for e in chosen}
    spread = (e for _round in range(service_users) for e in chosen if pools[e.pk])  # round robin over embeter
    for i in range(service_users):
        embete = next(spread)
        service, networks = pools[embete.pk].pop(0)
        rolle = Role.TJENESTE_LEDER if i % 2 == 0 else Role.TJENESTE_MEDARBEIDER
        user = _user(
            f"lt-{rolle}-{service.pk}@{DOMAIN}",
            password_hash,
            "Tjeneste",
            f"{i + 1}",
            {"rolle": rolle, "tjeneste": service},
        )
        applicants.append(
            {
                "email": user.email,
                "user_id": user.pk,
                "tjeneste_id": service.pk,
                "embete": embete.slug,
                "rolle": rolle,
                "round_id": rounds[embete.pk].pk,
                "networks": networks,
            }
        )
    knowledge = list(
        Partner.objects.filter(aktiv=True, type__in=services.KNOWLEDGE_PARTNER_TYPES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {
        "year": year,
        "password": password,
        "frame_per_category": str(frame),
        "rounds": {e.slug: rounds[e.pk].pk for e in chosen},
        "service_users": applicants,
        "staff_users": staff,
        "knowledge_partners": knowledge,
        "baseline": baseline(),
    }


# --- counting ------------------------------------------------------------------------------------


def _models():
    from audit.models import AuditEvent
    from grants.models import (
        Application,
        ApplicationVersion,
        Assessment,
        Award,
        BudgetLine,
        Decision,
        ImpartialityDeclaration,
    )
    from projects.models import DevelopmentProject

    return {
        "soknader": Application,
        "soknadsversjoner": ApplicationVersion,
        "budsjettlinjer": BudgetLine,
        "habilitetserklaeringer": ImpartialityDeclaration,
        "vurderinger": Assessment,
        "vedtak": Decision,
        "tildelinger": Award,
        "prosjekter": DevelopmentProject,
        "revisjonsspor": AuditEvent,
    }


def baseline() -> dict:
    """Row count and highest id per table; rows with a higher id were written during the run."""
    from django.db.models import Max

    return {
        name: {"rader": model.objects.count(), "maks_id": model.objects.aggregate(m=Max("pk"))["m"] or 0}
        for name, model in _models().items()
    }


# --- verification ----------------------------------------------------------------------------------


def _events(tally: dict, kind: str, ok: bool | None = True) -> list[dict]:
    return [e for e in tally.get("writes", []) if e["kind"] == kind and (ok is None or e["ok"] == ok)]


def verify(plan: dict, tally: dict) -> dict:
    """Compare the writes the clients saw succeed (and fail) with the rows written after the baseline.

    Lost write: a client saw it succeed, the database does not have it. Ghost write: the database has it, but no
    client saw it succeed (a failed or refused request that still wrote something, or half of a write)."""
    from django.db.models import Sum

    from audit.models import AuditEvent
    from grants import ledger
    from grants.models import (
        AWARDED,
        Application,
        ApplicationStatus,
        ApplicationVersion,
        Assessment,
        Award,
        Decision,
        Frame,
        ImpartialityDeclaration,
    )
    from projects.models import DevelopmentProject

    base = plan["baseline"]
    lost: list[str] = []
    ghost: list[str] = []
    broken: list[str] = []  # rows that exist but break an invariant (half-written)

    def compare(label: str, seen: set, stored: set) -> None:
        lost.extend(f"{label}: {x} (klienten fikk OK, finnes ikke i databasen)" for x in sorted(seen - stored))
        ghost.extend(f"{label}: {x} (i databasen, men ingen klient fikk OK)" for x in sorted(stored - seen))

    new_apps = {a.pk: a for a in Application.objects.filter(pk__gt=base["soknader"]["maks_id"])}
    audit = AuditEvent.objects.filter(pk__gt=base["revisjonsspor"]["maks_id"], content_type__model="application")

    # Drafts: one application (and one new project) per successful «Opprett utkast».
    created = {e["app"]: e for e in _events(tally, "utkast")}
    compare("utkast", set(created), set(new_apps))
    for pk, event in created.items():
        app = new_apps.get(pk)
        if app and (app.opprettet_av_id != event["user_id"] or app.prosjekt.navn != event["prosjekt"]):
            broken.append(f"utkast {pk}: opprettet av/prosjekt stemmer ikke med klienten")
    refused_names = {e["prosjekt"] for e in _events(tally, "utkast", ok=False) if e.get("prosjekt")}
    for name in sorted(
        refused_names & set(DevelopmentProject.objects.filter(navn__in=refused_names).values_list("navn", flat=True))
    ):
        ghost.append(f"utkast: prosjektet «{name}» finnes, men opprettingen feilet for klienten")

    # Draft saves (form and autosave): each save wrote a unique tag into «Mål». A save by the button is audited
    # every time, so its event carries the tag; an autosave only when it opens the user's editing session
    # (audit.services.AUTOSAVE_WINDOW), so an autosave's tag may be missing from the trail, never a ghost.
    saves = [e for e in tally.get("writes", []) if e["kind"] in ("lagre", "autolagre") and e["ok"]]  # in order
    stored_tags = Counter()
    for event in audit.filter(handling__in=("soknad.utkast_lagret", "soknad.utkast_autolagret")):
        new = (event.endringer.get("maal") or [None, ""])[1] or ""
        for tag in MARKER.findall(new):
            stored_tags[tag] += 1
    autosaved = {e["marker"] for e in saves if e["kind"] == "autolagre"}
    compare("lagret utkast", {e["marker"] for e in saves} - (autosaved - set(stored_tags)), set(stored_tags))
    broken += [f"lagret utkast: {t} står {n} ganger i revisjonssporet" for t, n in stored_tags.items() if n > 1]
    last_tag: dict[int, str] = {}
    for e in saves:
        last_tag[e["app"]] = e["marker"]
    for pk, tag in last_tag.items():
        app = new_apps.get(pk)
        if app is not None and tag not in app.maal:
            broken.append(f"lagret utkast {pk}: siste lagring {tag} er ikke det som står i søknaden")

    # Submissions: status, reference, locked version 1, the receipt e-mail marked once.
    submitted = {e["app"]: e for e in _events(tally, "send_inn")}
    stored_submitted = {pk for pk, a in new_apps.items() if a.sendt_inn is not None}
    compare("innsending", set(submitted), stored_submitted)
    versions = Counter(
        ApplicationVersion.objects.filter(soknad_id__in=stored_submitted, nummer=1).values_list("soknad_id", flat=True)
    )
    receipts = Counter(
        AuditEvent.objects.filter(
            handling="soknad.kvittering_sendt", object_id__in=[str(p) for p in stored_submitted]
        ).values_list("object_id", flat=True)
    )
    for pk in sorted(stored_submitted):
        app = new_apps[pk]
        if versions[pk] != 1:
            broken.append(f"innsending {pk}: {versions[pk]} låste versjoner (skal være 1)")
        if not app.referanse:
            broken.append(f"innsending {pk}: mangler referanse")
        elif pk in submitted and submitted[pk].get("referanse") not in (None, app.referanse):
            broken.append(f"innsending {pk}: klienten fikk {submitted[pk]['referanse']}, databasen har {app.referanse}")
        if receipts[str(pk)] != 1:
            broken.append(f"innsending {pk}: kvittering merket sendt {receipts[str(pk)]} ganger (skal være 1)")

    # Case work: officer, impartiality, recommendation; then the decision.
    def per_app(kind: str) -> Counter:
        return Counter(e["app"] for e in _events(tally, kind))

    for kind, action in (("saksbehandler", "soknad.saksbehandler"), ("anbefaling", "soknad.anbefaling")):
        seen = per_app(kind)
        stored = Counter(int(x) for x in audit.filter(handling=action).values_list("object_id", flat=True))
        compare(kind, {f"{k}×{n}" for k, n in seen.items()}, {f"{k}×{n}" for k, n in stored.items()})
    declared = {(e["app"], e["user_id"]) for e in _events(tally, "habilitet")}
    stored_declared = set(
        ImpartialityDeclaration.objects.filter(pk__gt=base["habilitetserklaeringer"]["maks_id"]).values_list(
            "soknad_id", "vurderer_id"
        )
    )
    compare("habilitet", declared, stored_declared)
    recommended = set(per_app("anbefaling"))
    have_assessment = set(Assessment.objects.filter(soknad_id__in=recommended).values_list("soknad_id", flat=True))
    broken += [f"anbefaling {pk}: ingen vurdering lagret" for pk in sorted(recommended - have_assessment)]

    decided = {e["app"]: e for e in _events(tally, "vedtak")}
    decisions = {d.soknad_id: d for d in Decision.objects.filter(pk__gt=base["vedtak"]["maks_id"])}
    compare(
        "vedtak",
        {(pk, e["utfall"], Decimal(e["belop"] or 0), e["user_id"]) for pk, e in decided.items()},
        {(pk, d.utfall, d.belop, d.vedtatt_av_id) for pk, d in decisions.items()},
    )
    awards = {a.vedtak_id: a for a in Award.objects.filter(vedtak__in=list(decisions.values()))}
    mailed = Counter(
        AuditEvent.objects.filter(
            handling="vedtak.epost_sendt", object_id__in=[str(d.pk) for d in decisions.values()]
        ).values_list("object_id", flat=True)
    )
    for pk, d in decisions.items():
        app = new_apps.get(pk) or Application.objects.get(pk=pk)
        if app.status != d.utfall:
            broken.append(f"vedtak {pk}: søknaden har status {app.status}, vedtaket {d.utfall}")
        if d.utfall in AWARDED and (d.pk not in awards or awards[d.pk].belop != d.belop):
            broken.append(f"vedtak {pk}: tildelingsregisteret stemmer ikke med vedtaket")
        if d.utfall not in AWARDED and d.pk in awards:
            broken.append(f"vedtak {pk}: avslag har tildeling")
        if not d.brev:
            broken.append(f"vedtak {pk}: mangler vedtaksbrev")
        if mailed[str(d.pk)] != 1:
            broken.append(f"vedtak {pk}: vedtaksbrev merket sendt {mailed[str(d.pk)]} ganger (skal være 1)")
    frames = Frame.objects.filter(aar=plan["year"], embete__slug__in=list(plan["rounds"]))
    frame_use = []
    for frame in frames.select_related("embete"):
        used = ledger.awarded_total(frame)
        frame_use.append(
            {"embete": frame.embete.slug, "kategori": frame.kategori, "ramme": str(frame.belop), "tildelt": str(used)}
        )
        if used > frame.belop:
            broken.append(f"ramme {frame.embete.slug}/{frame.kategori}: tildelt {used} er over rammen {frame.belop}")

    after = baseline()
    statuses = Counter(a.status for a in Application.objects.filter(pk__gt=base["soknader"]["maks_id"]))
    return {
        "ok": not (lost or ghost or broken),
        "tapte_skrivinger": lost,
        "spokelsesskrivinger": ghost,
        "brudd": broken,
        "rader": {
            name: {
                "for": base[name]["rader"],
                "etter": after[name]["rader"],
                "nye": after[name]["rader"] - base[name]["rader"],
            }
            for name in after
        },
        "nye_soknader_per_status": dict(sorted(statuses.items())),
        "klientenes_skrivinger": dict(sorted(Counter(e["kind"] for e in tally.get("writes", []) if e["ok"]).items())),
        "databasens_skrivinger": {
            "utkast": len(new_apps),
            "lagre+autolagre": sum(stored_tags.values()),
            "send_inn": len(stored_submitted),
            "saksbehandler": audit.filter(handling="soknad.saksbehandler").count(),
            "habilitet": len(stored_declared),
            "anbefaling": audit.filter(handling="soknad.anbefaling").count(),
            "vedtak": len(decisions),
        },
        "vedtak_per_utfall": dict(sorted(Counter(d.utfall for d in decisions.values()).items())),
        "tildelt_sum": str(sum((d.belop for d in decisions.values()), Decimal(0))),
        "rammer": frame_use,
        "aapne_soknader_sokt_kr": Application.objects.filter(
            pk__gt=base["soknader"]["maks_id"],
            status__in=[ApplicationStatus.SENDT_INN, ApplicationStatus.UNDER_BEHANDLING],
        ).aggregate(n=Sum("soknadsbelop"))["n"],
    }


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--service-users", type=int, required=True)
    s.add_argument("--staff-users", type=int, required=True)
    s.add_argument("--embeter", type=int, default=5)
    s.add_argument("--frame", default="800000")
    s.add_argument("--password", required=True)
    s.add_argument("--out", required=True)
    v = sub.add_parser("verify")
    v.add_argument("--plan", required=True)
    v.add_argument("--tally", required=True)
    v.add_argument("--out", required=True)
    options = parser.parse_args(argv)
    _django()
    if options.command == "setup":
        result = build_plan(
            service_users=options.service_users,
            staff_users=options.staff_users,
            embeter=options.embeter,
            frame=Decimal(options.frame),
            password=options.password,
        )
    else:
        plan = json.loads(Path(options.plan).read_text(encoding="utf-8"))
        tally = json.loads(Path(options.tally).read_text(encoding="utf-8"))
        result = verify(plan, tally)
    Path(options.out).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
