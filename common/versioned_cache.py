"""Results cached until the data behind them changes: a version number per kind of result, bumped at the commit of
every change to the models declared as its sources.

The national figures aggregate the whole award ledger and the money tables, which at national scale over ten years
costs far more than a page may take (docs/benchmarks.md), and long lists spend their time rendering rows. They change
rarely (decisions, payments, approved reports, imports) and are read often, so the results are cached under a key
that includes a version number kept in the database (common.FiguresVersion). After a transaction that changed any
of the source tables commits, the version is bumped in one short statement of its own, so:

- a cached result is never served for data other than what it was computed from (the key moves on at commit);
- every web process and worker sees the same version (it lives in the database, not in a per-process cache);
- writers never wait for each other on the version row (the bump runs after their commit, outside their locks).

Two versions:

- FIGURES ("tall"): the national summary, the API summary, the live figures of annual reports and the cached
  counts of long lists (ui.pagination);
- VIEWS ("visning"): what pages render from the same data and a little more: the options of filter lists and
  rendered table rows (ui.fragments). It moves with every change to a FIGURES source, and also with changes to
  models only pages read (people's names, roles, results, partners, network leaders), so that case work on those
  tables does not throw away the expensive national figures.

**Declaring.** This module knows no app's models. Each app declares, in its models.py next to its models, which of
them bump which versions:

    versioned_cache.invalidates(Award, Frame, …, versions=(versioned_cache.FIGURES, versioned_cache.VIEWS))
    versioned_cache.invalidates(Assessment, versions=(versioned_cache.VIEWS,))

A FIGURES source must name VIEWS too (pages render the same data). `ignore_fields` names fields whose saves alone
change nothing that is cached (a login saves accounts.User.last_login). The declared models are connected here
through model signals (post_save, post_delete, m2m_changed of their own many-to-many fields), which catch every save
through the ORM, the admin included. Bulk writes that bypass signals (bulk_create, QuerySet.update) call
figures_changed() themselves: the allocation import, the load-data generator and anonymisation. If a process dies
between a commit and the bump, the entry expires after TTL at the latest.

Inside a transaction the cache is bypassed: the transaction may see its own uncommitted changes, which must neither
be served to others nor be hidden from itself. The versions are read once per web request (a memo cleared at the
start and end of each request and by a bump in this process); outside a request every call reads them. The cache
itself is Django's default cache: Redis in production (common.cache), local memory without REDIS_URL."""

import hashlib
import json
import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import FiguresVersion

FIGURES = "tall"
VIEWS = "visning"
VERSIONS = (FIGURES, VIEWS)
TTL = 15 * 60  # seconds; bounds staleness only if a process dies between a commit and its bump


@dataclass(frozen=True)
class Declaration:
    versions: frozenset[str]
    ignore_fields: frozenset[str] = frozenset()


_declared: dict[type, Declaration] = {}  # model class -> what its writes bump
_through: dict[type, frozenset[str]] = {}  # many-to-many table of a declared model -> what its changes bump
_connected = False  # connect() has run: later declarations are connected at once


def invalidates(*models, versions, ignore_fields=()) -> None:
    """Declare that every committed save or delete of `models` (and change of their own many-to-many fields) bumps
    `versions`; a save whose update_fields all lie in `ignore_fields` bumps nothing. Called by the app that owns the
    models, in its models.py."""
    versions = frozenset(versions)
    if not versions or not versions <= set(VERSIONS):
        raise ImproperlyConfigured(f"versioned_cache.invalidates: versions must be among {VERSIONS}, not {versions}")
    if FIGURES in versions and VIEWS not in versions:
        raise ImproperlyConfigured("versioned_cache.invalidates: a FIGURES source is shown on pages too: add VIEWS")
    for model in models:
        if model in _declared:
            raise ImproperlyConfigured(f"versioned_cache.invalidates: {model._meta.label} is declared twice")
        _declared[model] = Declaration(versions, frozenset(ignore_fields))
        if _connected:
            _connect_model(model)


def declared() -> dict[str, Declaration]:
    """Model label -> its declaration (for tests and checks)."""
    return {model._meta.label: declaration for model, declaration in _declared.items()}


def bumps(model, version: str) -> bool:
    """Whether writes to `model` bump `version`."""
    declaration = _declared.get(model)
    return declaration is not None and version in declaration.versions


_request = threading.local()  # the versions read during the current web request (None outside a request)


def _request_started(**kwargs) -> None:
    _request.versions = {}


def _request_finished(**kwargs) -> None:
    _request.versions = None


def current_version(name: str = FIGURES) -> int:
    """The version now. Read once per web request (a page may look it up for several fragments); outside a request
    (workers, commands) every call reads it. A bump in this process forgets what was read."""
    memo = getattr(_request, "versions", None)
    if memo is not None and name in memo:
        return memo[name]
    version = FiguresVersion.objects.filter(navn=name).values_list("versjon", flat=True).first() or 0
    if memo is not None:
        memo[name] = version
    return version


def _bump_names(names) -> None:
    if getattr(_request, "versions", None):
        _request.versions.clear()
    for name in sorted(names, key=VERSIONS.index):
        if not FiguresVersion.objects.filter(navn=name).update(versjon=F("versjon") + 1):
            try:
                with transaction.atomic():
                    FiguresVersion.objects.create(navn=name, versjon=1)
            except IntegrityError:  # created by a concurrent bump
                FiguresVersion.objects.filter(navn=name).update(versjon=F("versjon") + 1)


class _Bump:
    """The on-commit callback that bumps `names` (one per set of names, so a transaction can see it is scheduled)."""

    def __init__(self, names: frozenset[str]):
        self.names = names

    def __call__(self) -> None:
        _bump_names(self.names)


_BUMPS = {names: _Bump(names) for names in (frozenset(VERSIONS), frozenset((VIEWS,)))}


def changed(*versions: str) -> None:
    """Bump `versions` once the current transaction commits (at once outside a transaction), once per transaction
    however many rows change: nothing is scheduled when a bump of the same versions or more already is."""
    names = frozenset(versions)
    bump = _BUMPS.get(names)
    if bump is None:
        if not names or not names <= set(VERSIONS):
            raise ValueError(f"versioned_cache.changed: versions must be among {VERSIONS}, not {versions}")
        bump = _BUMPS.setdefault(names, _Bump(names))
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(func, _Bump) and names <= func.names for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(bump)


def figures_changed(*args, **kwargs) -> None:
    """Bump both versions after commit: for bulk writes that send no model signals. Signature fits the signals."""
    changed(*VERSIONS)


def views_changed(*args, **kwargs) -> None:
    """Bump only the VIEWS version after commit (a change the figures do not read)."""
    changed(VIEWS)


def cached(parts, compute, *, name: str = FIGURES):
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


# --- the signal wiring -----------------------------------------------------------------------------------------


def _saved(sender, update_fields=None, **kwargs) -> None:
    declaration = _declared[sender]
    if update_fields and declaration.ignore_fields and set(update_fields) <= declaration.ignore_fields:
        return
    changed(*declaration.versions)


def _deleted(sender, **kwargs) -> None:
    changed(*_declared[sender].versions)


def _m2m_changed(sender, **kwargs) -> None:
    changed(*_through[sender])


def _connect_model(model) -> None:
    uid = f"common.versioned_cache.{model._meta.label}"
    post_save.connect(_saved, sender=model, weak=False, dispatch_uid=uid + ".save")
    post_delete.connect(_deleted, sender=model, weak=False, dispatch_uid=uid + ".delete")
    for field in model._meta.local_many_to_many:
        through = field.remote_field.through
        _through[through] = _through.get(through, frozenset()) | _declared[model].versions
        m2m_changed.connect(_m2m_changed, sender=through, weak=False, dispatch_uid=f"{uid}.{field.name}")


def connect() -> None:
    """Called from CommonConfig.ready(), when every app's models (and so their declarations) are loaded."""
    global _connected
    request_started.connect(_request_started, weak=False, dispatch_uid="common.versioned_cache.request_started")
    request_finished.connect(_request_finished, weak=False, dispatch_uid="common.versioned_cache.request_finished")
    for model in _declared:
        _connect_model(model)
    _connected = True
