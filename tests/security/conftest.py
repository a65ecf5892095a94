"""The "world" the access matrix runs in: two embeter (Vestland is the "right" one, Agder the other), services
and one user per role, and one object of every kind that a URL takes as a parameter, all owned by Vestland and
its service Bergen.

The world is built once per test module, inside a transaction that is rolled back when the module is done;
each test runs in a savepoint inside it (pytest-django's `db`), so a test that changes something leaves the
world as it was for the next one. Files go to a throw-away MEDIA_ROOT, the clock stands still at the grant
tests' "now" (2 February 2026, the round is open), and every Bufdir/statsforvalter user has an active TOTP
authenticator, so the matrix runs with the production default LAERINGSNETT_REQUIRE_MFA=True.
"""

import datetime
from http.cookies import SimpleCookie
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from accounts import services as account_services
from accounts.models import Role
from api import services as api_services
from followup.models import ReportingRequirement, ReportKind
from followup.services import changes as change_services
from followup.services import duty as duty_services
from followup.services import reports as report_services
from grants import information as grant_information
from grants import services as grant_services
from networks import services as network_services
from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkStatus, PersonRole
from organisations.models import Kommune, PartnerType
from organisations.services import load_reference_data
from projects.models import DevelopmentProject, ProjectContact, ProjectPartner, ProjectService
from projects.services import projects as project_services
from reporting.services import allocations
from reporting.services import annual as annual_services
from tests import factories
from tests.followup.reports.conftest import fill
from tests.grants.conftest import NOW, make_assessed, make_draft, make_round, set_frame
from tests.networks.conftest import PDF_BYTES, upload
from tests.projects.conftest import award

DAY = datetime.date(2024, 1, 15)
ALLOCATION_CSV = (
    b"aar,embete,nettverk,prosjekt,kategori,tildelt_kr\n2022,vestland,Nettverk Matrise,Prosjekt M,fosterhjem,1000\n"
)


def _service(navn: str, kommunenummer: str):
    return factories.ServiceFactory(navn=navn, vertskommune=Kommune.objects.get(nummer=kommunenummer))


def _with_totp(user):
    TOTP.activate(user, generate_totp_secret())
    return user


def build_world() -> SimpleNamespace:
    base = Path(settings.REFERENCE_DATA_DIR)
    load_reference_data(base / "embeter.csv", base / "kommuner.csv")
    vestland, agder = factories.embete("vestland"), factories.embete("agder")
    bergen = _service("Barneverntjenesten i Bergen", "4601")  # the right service
    voss = _service("Barnevernstenesta i Voss", "4621")  # co-member of the network, co-applicant
    sogndal = _service("Barnevernstenesta i Sogndal", "4640")  # another service in the same embete
    kristiansand = _service("Barneverntjenesten i Kristiansand", "4204")  # a service in the other embete
    rkbu = factories.PartnerFactory(navn="RKBU Vest (matrise)", type=PartnerType.RKBU)

    users = {
        "anon": None,
        "svc_other": factories.service_user(sogndal),
        "svc_leader": factories.service_user(bergen),
        "svc_staff": factories.service_user(bergen, leder=False),
        "sf_other": _with_totp(factories.statsforvalter("agder")),
        "sf": _with_totp(factories.statsforvalter("vestland")),
        "sf_leader": _with_totp(factories.statsforvalter("vestland", leder=True)),
        "bufdir": _with_totp(factories.bufdir_user()),
        "partner": factories.user_with_role(Role.PARTNER, partner=rkbu),
    }
    sf, leader, bufdir = users["sf"], users["svc_leader"], users["bufdir"]
    voss_leader = factories.service_user(voss)
    agder_leader = factories.service_user(kristiansand)
    bufdir_colleague = _with_totp(factories.bufdir_user())

    # --- networks: N (active; Bergen and Voss take part; RKBU is a partner), N2 (Bergen invited, Voss asks)
    network = LearningNetwork.objects.create(
        embete=vestland, navn="Læringsnettverk Vest (matrise)", etablert_aar=2022, status=NetworkStatus.AKTIV
    )
    membership = Membership.objects.create(
        network=network, tjeneste=bergen, status=MembershipStatus.AKTIV, fra_dato=DAY
    )
    Membership.objects.create(network=network, tjeneste=voss, status=MembershipStatus.AKTIV, fra_dato=DAY)
    network2 = LearningNetwork.objects.create(
        embete=vestland, navn="Læringsnettverk Sunnhordland (matrise)", etablert_aar=2024, status=NetworkStatus.AKTIV
    )
    invited = network_services.invite_service(sf, network2, bergen)
    requested = network_services.request_to_join(voss_leader, network2, voss, "Vi vil gjerne være med.")
    person = network_services.add_person(
        sf,
        network,
        rolle=PersonRole.KONTAKTPERSON,
        navn="Kari Kontakt",
        epost="kari@example.no",
        tjeneste=bergen,
        fra_dato=DAY,
    )
    network_partner = network_services.add_partner(sf, network, rkbu, "Fagleg støtte", DAY)
    document = network_services.upload_document(
        sf, network, type="overordnet_plan", tittel="Overordnet plan", fil=upload("plan.pdf", PDF_BYTES)
    )
    agder_network = LearningNetwork.objects.create(
        embete=agder, navn="Læringsnettverk Agder (matrise)", etablert_aar=2022, status=NetworkStatus.AKTIV
    )
    Membership.objects.create(network=agder_network, tjeneste=kristiansand, status=MembershipStatus.AKTIV, fra_dato=DAY)

    # --- grants: a published round and a draft round; frame; three applications from Bergen
    from networks.models import GuidelineVersion

    g2021 = GuidelineVersion.objects.get(gyldig_fra=datetime.date(2021, 1, 1))
    rnd = make_round(sf, g2021)
    draft_round = make_round(sf, g2021, publish=False, aar=2027, tittel="Utlysning under arbeid")
    set_frame(bufdir, vestland, "2000000")
    app_draft = make_draft(leader, rnd, network, navn="Utkast i Bergen", tjenester=[bergen, voss])
    draft_attachment = grant_services.add_attachment(
        leader, app_draft, tittel="Skisse", fil=upload("skisse.pdf", PDF_BYTES, "application/pdf")
    )
    app_review = make_assessed(
        sf,
        grant_services.submit(
            leader, make_draft(leader, rnd, network, navn="Til behandling", tjenester=[bergen, voss])
        ),
    )
    # sent back to the applicants for more information (grants.information)
    app_waiting = grant_services.submit(
        leader, make_draft(leader, rnd, network, navn="Venter på opplysninger", tjenester=[bergen, voss])
    )
    grant_information.request_information(
        sf, app_waiting, melding="Send et oppdatert budsjett.", frist=datetime.date(2026, 2, 20)
    )
    decided = make_draft(leader, rnd, network, navn="Fosterhjem i fellesskap", tjenester=[bergen, voss])
    attachment = grant_services.add_attachment(
        leader, decided, tittel="Prosjektplan", fil=upload("prosjektplan.pdf", PDF_BYTES, "application/pdf")
    )
    decided = grant_services.submit(leader, decided)
    decision = award(sf, make_assessed(sf, decided))
    decision.brev.save("vedtak-matrise.pdf", ContentFile(PDF_BYTES), save=True)
    appeal = grant_services.file_appeal(leader, decision, "Vi mener beløpet er for lavt.")
    appeal.brev.save("klage-matrise.pdf", ContentFile(PDF_BYTES), save=True)  # a letter on the appeal (set once)
    app_decided = decision.soknad
    # a repayment claim on the award (paid out in full by award()), with its letter (grants.repayments)
    claim = grant_services.create_repayment_claim(
        sf, decision, belop="500", begrunnelse="Ubrukt.", forfall=datetime.date(2026, 6, 1), kontonummer="76940512057"
    )
    claim.brev.save("krav-matrise.pdf", ContentFile(PDF_BYTES), save=True)

    # --- projects: the awarded project P (Bergen, Voss; RKBU partner; a contact; an output with a file) and a
    # second project listed in the knowledge bank
    project = app_decided.prosjekt
    project_service = ProjectService.objects.filter(prosjekt=project, tjeneste=bergen).first()
    contact = project_services.add_contact(leader, project, leader, "Kontakt i Bergen")
    project_partner = project_services.add_partner(leader, project, rkbu, "Veileder", project_service.fra_dato)
    output = project_services.add_output(
        leader, project, fil=upload("modell.pdf", PDF_BYTES), type="modell", tittel="Modell", beskrivelse="Modellen."
    )
    listed = DevelopmentProject.objects.create(
        network=network,
        navn="Delt prosjekt (matrise)",
        kategori="fosterhjem",
        beskrivelse="Et prosjekt andre kan lære av.",
    )
    project_services.set_listing(sf, listed, True)
    assert ProjectContact.objects.filter(pk=contact.pk).exists()
    assert ProjectPartner.objects.filter(pk=project_partner.pk).exists()

    # --- reporting duty: the award's requirement has a submitted report; a final-report requirement has a draft
    # report and a pending postponement
    krav = decision.rapportkrav.get()
    submitted_report = report_services.submit(leader, fill(leader, report_services.start_report(leader, krav)))
    final_krav = ReportingRequirement.objects.create(
        vedtak=decision,
        prosjekt=project,
        type=ReportKind.SLUTT,
        aar=krav.aar,
        frist=krav.frist,
        opprinnelig_frist=krav.frist,
    )
    draft_report = report_services.start_report(leader, final_krav)
    postponement = duty_services.request_postponement(
        leader, final_krav, final_krav.frist + datetime.timedelta(days=60), "Prosjektet er forsinket."
    )
    # --- a change notice (endringsmelding) waiting for the statsforvalter
    change_notice = change_services.send_notice(
        leader, app_decided, type="ubrukt", beskrivelse="Samlingene ble billigere.", forventet_ubrukt="1000"
    )

    # --- annual report, invitation, API key, historical allocation import
    annual = annual_services.create_report(sf, vestland, 2025)
    invitation, invitation_token = account_services.invite(
        sf, email="ny.leder@example.no", rolle=Role.TJENESTE_LEDER, tjeneste=bergen
    )
    token, _secret = api_services.create_token(sf, "Statistikk")
    import_id, import_state = allocations.check_upload(bufdir, ALLOCATION_CSV, "tildelinger.csv", None)
    assert import_state["status"] == "kontrollert", import_state

    return SimpleNamespace(
        users=users,
        extra_users={"voss_leader": voss_leader, "agder_leader": agder_leader, "bufdir_colleague": bufdir_colleague},
        vestland=vestland,
        agder=agder,
        bergen=bergen,
        voss=voss,
        sogndal=sogndal,
        kristiansand=kristiansand,
        rkbu=rkbu,
        kommune=bergen.vertskommune,
        network=network,
        network2=network2,
        agder_network=agder_network,
        membership=membership,
        invited=invited,
        requested=requested,
        person=person,
        network_partner=network_partner,
        document=document,
        round=rnd,
        draft_round=draft_round,
        app_draft=app_draft,
        app_review=app_review,
        app_waiting=app_waiting,
        app_decided=app_decided,
        attachment=attachment,
        draft_attachment=draft_attachment,
        decision=decision,
        appeal=appeal,
        claim=claim,
        project=project,
        project_service=project_service,
        contact=contact,
        project_partner=project_partner,
        output=output,
        listed=listed,
        krav=krav,
        final_krav=final_krav,
        submitted_report=submitted_report,
        draft_report=draft_report,
        postponement=postponement,
        change_notice=change_notice,
        annual=annual,
        invitation=invitation,
        invitation_token=invitation_token,
        token=token,
        import_id=import_id,
        import_state=import_state,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module inside a transaction that is rolled back afterwards."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("security-media"))
    clock = time_machine.travel(NOW, tick=True)
    media.enable()
    clock.start()
    try:
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                # Tasks the services queue (e-mails, letters) never run: the transaction is never committed.
                with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                    built = build_world()
                    built.sessions = {}
                    for role, user in {**built.users, **built.extra_users}.items():
                        if user is not None:
                            client = Client()
                            client.force_login(user)
                            built.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
                yield built
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
    finally:
        clock.stop()
        media.disable()


@pytest.fixture
def w(world, db, _clean_cache_and_mfa):
    """The world for one test: the pending allocation import lives in the cache, which every test empties."""
    allocations.set_state(world.import_id, dict(world.import_state))
    yield world
    cache.clear()


_CLIENT: list[Client] = []


def client_for(world, role: str) -> Client:
    """A test client with no cookies but the session of the role's user (made with the world), or anonymous.

    One Client is reused: every new Client loads the middleware again, and WhiteNoise scans the static files
    each time it is loaded, which would make the matrix several times slower."""
    if not _CLIENT:
        _CLIENT.append(Client())
    client = _CLIENT[0]
    client.cookies = SimpleCookie()
    user = world.users[role] if role in world.users else world.extra_users[role]
    if user is None:
        return client
    key = world.sessions[role]
    if import_module(settings.SESSION_ENGINE).SessionStore().exists(key):
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    else:  # a session engine that keeps sessions in the cache, which every test empties
        client.force_login(user)
    return client


def login(client, user):
    """Log the given test client in as user (None: stay anonymous). Other security tests use this."""
    if user is not None:
        client.force_login(user)
    return client
