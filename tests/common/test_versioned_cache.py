"""The caching mechanism (common.versioned_cache): what each app declares, that the declared models are connected, one
bump per transaction at commit and none on rollback, and the cache bypassed inside a transaction. What the cached
pages show after a change: tests/test_fragments.py, tests/grants/test_cached_board.py and
tests/reporting/national/test_cache.py."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from common import versioned_cache as versioned
from grants.models import Frame
from grants.services import scheme
from organisations.models import Embete, Partner

# What reporting/cache.py listed before the mechanism moved to common (issue 16): SOURCES bumped both versions,
# VIEW_SOURCES only the views. The declarations in the apps' models.py must say exactly the same.
SOURCES_BEFORE = (
    "grants.Application",
    "grants.Award",
    "grants.Frame",
    "grants.Payment",
    "grants.RepaymentClaim",
    "grants.RepaymentReceipt",  # since issue 17: «tilbakebetalt» is the sum of the receipts
    "grants.Appeal",  # since issue 17: the effective outcome (and Bufdir's amount) shows in lists and counts
    "grants.CarryOver",
    "grants.Decision",
    "grants.ApplicationRound",
    "projects.DevelopmentProject",
    "projects.ProjectPartner",  # since issue 19: partners by type on the national summary
    "followup.ReportingRequirement",
    "followup.ProgressReport",
    "networks.Theme",
    "networks.LearningNetwork",
    "networks.NetworkStatusChange",
    "networks.Membership",
    "networks.NetworkPartner",
    "organisations.Embete",
    "organisations.EmbeteNavn",
    "organisations.Fylke",
    "organisations.Kommune",
    "organisations.ChildWelfareService",
    "organisations.Partner",
)
VIEW_SOURCES_BEFORE = (
    "accounts.User",
    "accounts.RoleAssignment",
    "grants.Assessment",
    "networks.NetworkPerson",
    "projects.Output",
    "projects.ProjectService",
)


def test_the_declared_models_and_versions_are_those_of_before_the_move():
    declared = {(label, name) for label, d in versioned.declared().items() for name in d.versions}
    expected = {(label, versioned.FIGURES) for label in SOURCES_BEFORE}
    expected |= {(label, versioned.VIEWS) for label in (*SOURCES_BEFORE, *VIEW_SOURCES_BEFORE)}
    assert declared == expected
    ignoring = {label: d.ignore_fields for label, d in versioned.declared().items() if d.ignore_fields}
    assert ignoring == {"accounts.User": {"last_login", "password"}}  # a login changes nothing that is cached


def test_every_declared_model_is_connected_to_its_signals():
    for label in versioned.declared():
        model = apps.get_model(label)
        assert versioned._saved in post_save._live_receivers(model)[0], label
        assert versioned._deleted in post_delete._live_receivers(model)[0], label
        for field in model._meta.local_many_to_many:
            assert versioned._m2m_changed in m2m_changed._live_receivers(field.remote_field.through)[0], field


def test_a_declaration_must_name_known_versions_and_views_with_the_figures():
    with pytest.raises(ImproperlyConfigured, match="add VIEWS"):
        versioned.invalidates(Partner, versions=(versioned.FIGURES,))
    with pytest.raises(ImproperlyConfigured, match="must be among"):
        versioned.invalidates(Partner, versions=("andre",))
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        versioned.invalidates(Partner, versions=(versioned.VIEWS,))
    assert versioned.declared()["organisations.Partner"].versions == {versioned.FIGURES, versioned.VIEWS}


@pytest.mark.django_db(transaction=True)
def test_one_bump_per_transaction_at_commit_and_none_on_rollback(reference_data):
    figures, views = versioned.current_version(versioned.FIGURES), versioned.current_version(versioned.VIEWS)
    vestland = Embete.objects.get(slug="vestland")
    with transaction.atomic():
        for year in (2030, 2031, 2032):
            Frame.objects.create(ordning=scheme(), aar=year, embete=vestland, kategori="fosterhjem", belop=1)
        versioned.views_changed()  # within a bump of both already scheduled: nothing more
        assert len(connection.run_on_commit) == 1
        assert versioned.current_version() == figures  # not before the commit
    assert versioned.current_version(versioned.FIGURES) == figures + 1
    assert versioned.current_version(versioned.VIEWS) == views + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        Frame.objects.create(ordning=scheme(), aar=2033, embete=vestland, kategori="fosterhjem", belop=1)
        raise RuntimeError
    assert versioned.current_version(versioned.FIGURES) == figures + 1
    assert versioned.current_version(versioned.VIEWS) == views + 1


@pytest.mark.django_db(transaction=True)
def test_cache_is_bypassed_inside_a_transaction_and_moves_on_with_the_version(locmem_cache):
    calls = []
    with transaction.atomic():
        for _ in range(2):
            versioned.cached(["x"], lambda: calls.append(1) or 1)
    assert len(calls) == 2
    for _ in range(2):
        versioned.cached(["x"], lambda: calls.append(1) or 1)
    assert len(calls) == 3
    versioned.views_changed()  # outside a transaction: at once; the figures keep their entry
    versioned.cached(["x"], lambda: calls.append(1) or 1)
    assert len(calls) == 3
    versioned.cached(["x"], lambda: calls.append(1) or 1, name=versioned.VIEWS)
    assert len(calls) == 4
    versioned.figures_changed()
    versioned.cached(["x"], lambda: calls.append(1) or 1)
    assert len(calls) == 5


def test_only_known_versions_can_be_bumped():
    with pytest.raises(ValueError, match="must be among"):
        versioned.changed("andre")
