"""Cached figures for the national summary page, the API summary and the live figures of annual reports, with
invalidation on every change.

The figures aggregate the whole award ledger and the money tables, which at national scale over ten years costs far
more than a page may take (docs/benchmarks.md). They change rarely (decisions, payments, approved reports,
imports) and are read often, so the results are cached under a key that includes a version number kept in the
database (reporting.FiguresVersion). After a transaction that changed any of the source tables commits, the
version is bumped in one short statement of its own, so:

- a cached result is never served for data other than what it was computed from (the key moves on at commit);
- every web process and worker sees the same version (it lives in the database, not in a per-process cache);
- writers never wait for each other on the version row (the bump runs after their commit, outside their locks).

The sources are connected through model signals (post_save, post_delete, m2m_changed), which catch every save
through the ORM, the admin included. Bulk writes that bypass signals (bulk_create, QuerySet.update) call
figures_changed() themselves: the allocation import and the load-data generator. If a process dies between a
commit and the bump, the entry expires after TTL at the latest.

A second version, VIEWS ("visning"), keys what pages render from the same data and a little more: the options of
filter lists and rendered table rows (ui.fragments). It moves with every change to SOURCES and also with changes to
VIEW_SOURCES, which the figures do not read (people's names, roles, results, partners, network leaders), so that
case work on those tables does not throw away the expensive national figures.

Inside a transaction the cache is bypassed: the transaction may see its own uncommitted changes, which must
neither be served to others nor be hidden from itself."""

import hashlib
import json
import threading

from django.apps import apps
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

NAME = "tall"
TTL = 15 * 60  # seconds; bounds staleness only if a process dies between a commit and its bump
SOURCES = (
    "grants.Application",
    "grants.Award",
    "grants.Frame",
    "grants.Payment",
    "grants.RepaymentClaim",
    "grants.CarryOver",
    "grants.Decision",
    "grants.ApplicationRound",
    "projects.DevelopmentProject",
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

VIEWS = "visning"
VIEW_SOURCES = (
    "accounts.User",  # names of case officers and network leaders (not logins: see _user_changed)
    "accounts.RoleAssignment",  # who is a case officer in the filter lists
    "grants.Assessment",
    "networks.NetworkPerson",
    "projects.Output",
    "projects.ProjectPartner",
    "projects.ProjectService",
)


_request = threading.local()  # the versions read during the current web request (None outside a request)


def _request_started(**kwargs) -> None:
    _request.versions = {}


def _request_finished(**kwargs) -> None:
    _request.versions = None


def current_version(name: str = NAME) -> int:
    """The version now. Read once per web request (a page may look it up for several fragments); outside a request
    (workers, commands) every call reads it. A bump in this process forgets what was read."""
    from .models import FiguresVersion

    memo = getattr(_request, "versions", None)
    if memo is not None and name in memo:
        return memo[name]
    version = FiguresVersion.objects.filter(navn=name).values_list("versjon", flat=True).first() or 0
    if memo is not None:
        memo[name] = version
    return version


def _bump_names(names) -> None:
    from .models import FiguresVersion

    if getattr(_request, "versions", None):
        _request.versions.clear()
    for name in names:
        if not FiguresVersion.objects.filter(navn=name).update(versjon=F("versjon") + 1):
            try:
                with transaction.atomic():
                    FiguresVersion.objects.create(navn=name, versjon=1)
            except IntegrityError:  # created by a concurrent bump
                FiguresVersion.objects.filter(navn=name).update(versjon=F("versjon") + 1)


def _bump() -> None:
    _bump_names((NAME, VIEWS))


def _bump_views() -> None:
    _bump_names((VIEWS,))


def _schedule(bump) -> None:
    """Run `bump` once the current transaction commits (at once outside a transaction), once per transaction."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is bump or func is _bump for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(bump)


def figures_changed(*args, **kwargs) -> None:
    """Bump both versions once the current transaction commits (at once outside a transaction). Registered once per
    transaction however many rows change. Signature fits the model signals."""
    _schedule(_bump)


def views_changed(*args, **kwargs) -> None:
    """Bump only the VIEWS version (a change the figures do not read). Signature fits the model signals."""
    _schedule(_bump_views)


def _user_changed(sender, instance=None, update_fields=None, **kwargs) -> None:
    """A login saves last_login (and a password change the hash): neither is shown anywhere that is cached."""
    if update_fields and set(update_fields) <= {"last_login", "password"}:
        return
    views_changed()


def cached(parts, compute, *, name: str = NAME):
    """compute() cached under the current version `name` and parts (a JSON-serialisable description of everything
    the result depends on besides the data: parameters, scope, language, day)."""
    if transaction.get_connection().in_atomic_block:
        return compute()
    raw = json.dumps([current_version(name), *parts], sort_keys=True, default=str)
    key = f"lnett:{name}:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value


def _connect(labels, receiver, prefix) -> None:
    for label in labels:
        model = apps.get_model(label)
        uid = f"{prefix}.{label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ".delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                receiver, sender=field.remote_field.through, weak=False, dispatch_uid=f"{uid}.{field.name}"
            )


def connect() -> None:
    """Called from ReportingConfig.ready()."""
    request_started.connect(_request_started, weak=False, dispatch_uid="reporting.cache.request_started")
    request_finished.connect(_request_finished, weak=False, dispatch_uid="reporting.cache.request_finished")
    _connect(SOURCES, figures_changed, "reporting.cache")
    _connect([label for label in VIEW_SOURCES if label != "accounts.User"], views_changed, "reporting.cache.views")
    user = apps.get_model("accounts.User")
    post_save.connect(_user_changed, sender=user, weak=False, dispatch_uid="reporting.cache.views.user.save")
    post_delete.connect(views_changed, sender=user, weak=False, dispatch_uid="reporting.cache.views.user.delete")
