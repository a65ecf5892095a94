"""The demo grants (demo.grants): frames, rounds and applications in every state, within the frames, and safe
to build twice."""

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.models import RoleAssignment, User
from audit.models import AuditEvent
from demo.seed import seed_demo
from grants import ledger
from grants.models import (
    Appeal,
    Application,
    ApplicationRound,
    ApplicationStatus,
    Assessment,
    Decision,
    Frame,
    ImpartialityDeclaration,
    Payment,
    RepaymentClaim,
    RepaymentStatus,
    RoundStatus,
    Score,
)
from organisations.models import Embete
from projects.models import DevelopmentProject

BERGEN_LEADER = "leder.bergen@demo.laeringsnett.no"
MODELS = (
    Frame,
    ApplicationRound,
    Application,
    DevelopmentProject,
    ImpartialityDeclaration,
    Score,
    Assessment,
    Decision,
    Appeal,
    Payment,
    RepaymentClaim,
    AuditEvent,
    User,
    RoleAssignment,
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seeded once for the module (the demo is large); each test only reads."""
    from pathlib import Path

    from django.conf import settings

    from organisations.services import load_reference_data

    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            base = Path(settings.REFERENCE_DATA_DIR)
            load_reference_data(base / "embeter.csv", base / "kommuner.csv")
            seed_demo()
            counts = {m.__name__: m.objects.count() for m in MODELS}
            seed_demo()
            second = {m.__name__: m.objects.count() for m in MODELS}
            snapshot = {
                "statuses": dict(Application.objects.values_list("pk", "status")),
                "decisions": list(Decision.objects.order_by("pk").values("pk", "belop", "utfall", "vedtatt")),
            }
            yield {"first": counts, "second": second, "snapshot": snapshot}
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_seeding_twice_changes_nothing(demo):
    assert demo["first"]["Application"] > 50
    assert demo["second"] == demo["first"]
    assert dict(Application.objects.values_list("pk", "status")) == demo["snapshot"]["statuses"]


def test_every_embete_has_frames_for_three_years_and_both_categories(demo):
    per_embete = Frame.objects.values("embete").annotate(n=Count("id"))
    assert per_embete.count() == Embete.objects.count() == 10
    assert {row["n"] for row in per_embete} == {6}
    assert set(Frame.objects.values_list("aar", flat=True)) == {2024, 2025, 2026}
    for frame in Frame.objects.all():
        assert 1_000_000 <= frame.belop <= 3_500_000


def test_no_frame_is_exceeded(demo):
    for frame in Frame.objects.all():
        assert ledger.awarded_total(frame) <= frame.belop, frame
    assert not Decision.objects.exclude(utfall="avslatt").filter(ramme__isnull=True).exists()


def test_rounds_for_each_year_and_the_current_one_is_open(demo):
    assert ApplicationRound.objects.count() == 30
    today = timezone.localdate()
    current = ApplicationRound.objects.filter(aar=2026)
    assert current.count() == 10
    for rnd in current:
        assert rnd.status == RoundStatus.PUBLISERT
        assert rnd.apner <= today < rnd.frist
    assert set(ApplicationRound.objects.filter(aar__lt=2026).values_list("status", flat=True)) == {"avsluttet"}


def test_every_state_is_present(demo):
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {
        ApplicationStatus.UTKAST,
        ApplicationStatus.SENDT_INN,
        ApplicationStatus.UNDER_BEHANDLING,
        ApplicationStatus.INNVILGET,
        ApplicationStatus.DELVIS_INNVILGET,
        ApplicationStatus.AVSLATT,
    } <= statuses
    assert Application.objects.filter(status="under_behandling", saksbehandler__isnull=False).exists()
    assert Appeal.objects.filter(utfall="").exists()  # appealed
    assert Payment.objects.exists()  # paid
    assert RepaymentClaim.objects.filter(status=RepaymentStatus.KRAV_SENDT).exists()  # repayment due
    # Decisions went through the services: an audit trail for each.
    for decision in Decision.objects.all()[:5]:
        assert AuditEvent.objects.filter(handling="soknad.vedtak", object_id=str(decision.soknad_id)).exists()


def test_applications_are_in_the_demo_networks_of_their_embete(demo):
    for a in Application.objects.select_related("utlysning", "prosjekt__network").prefetch_related("tjenester"):
        assert a.prosjekt.network.embete_id == a.utlysning.embete_id
        assert all(s.vertskommune.embete_id == a.utlysning.embete_id for s in a.tjenester.all())


def test_bergen_leader_has_a_draft_and_a_partly_approved_application(demo):
    leader = User.objects.get(email=BERGEN_LEADER)
    service_id = leader.roller.get().tjeneste_id
    mine = Application.objects.filter(tjenester=service_id)
    assert mine.filter(status=ApplicationStatus.UTKAST).exists()
    partly = mine.filter(status=ApplicationStatus.DELVIS_INNVILGET).first()
    assert partly is not None
    # Still open to appeal, so the demo can show the appeal form.
    assert partly.vedtak.klagefrist >= timezone.localdate()
    assert not partly.vedtak.klager.exists()
