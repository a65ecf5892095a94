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

Inside a transaction the cache is bypassed: the transaction may see its own uncommitted changes, which must
neither be served to others nor be hidden from itself."""

import hashlib
import json

from django.apps import apps
from django.core.cache import cache
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
    "projects.ReportingRequirement",
    "projects.ProgressReport",
    "networks.Theme",
    "networks.LearningNetwork",
    "networks.NetworkStatusChange",
    "networks.Membership",
    "networks.NetworkPartner",
    "organisations.Embete",
    "organisations.EmbeteNavn",
    "organisations.Kommune",
    "organisations.ChildWelfareService",
    "organisations.Partner",
)


def current_version() -> int:
    from .models import FiguresVersion

    return FiguresVersion.objects.filter(navn=NAME).values_list("versjon", flat=True).first() or 0


def _bump() -> None:
    from .models import FiguresVersion

    if not FiguresVersion.objects.filter(navn=NAME).update(versjon=F("versjon") + 1):
        try:
            with transaction.atomic():
                FiguresVersion.objects.create(navn=NAME, versjon=1)
        except IntegrityError:  # created by a concurrent bump
            FiguresVersion.objects.filter(navn=NAME).update(versjon=F("versjon") + 1)


def figures_changed(*args, **kwargs) -> None:
    """Bump the version once the current transaction commits (at once outside a transaction). Registered once per
    transaction however many rows change. Signature fits the model signals."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_bump)


def cached(parts, compute):
    """compute() cached under the current version and parts (a JSON-serialisable description of everything the
    result depends on besides the data: parameters, scope, language, day)."""
    if transaction.get_connection().in_atomic_block:
        return compute()
    raw = json.dumps([current_version(), *parts], sort_keys=True, default=str)
    key = "lnett:tall:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value


def connect() -> None:
    """Called from ReportingConfig.ready()."""
    for label in SOURCES:
        model = apps.get_model(label)
        uid = f"reporting.cache.{label}"
        post_save.connect(figures_changed, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(figures_changed, sender=model, weak=False, dispatch_uid=uid + ".delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                figures_changed, sender=field.remote_field.through, weak=False, dispatch_uid=f"{uid}.{field.name}"
            )
