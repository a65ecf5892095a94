import copy
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test.utils import override_settings
from django.utils import translation

from config.celery import app as celery_app
from organisations.services import load_reference_data

from . import factories

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _redis_database(url: str, database: int) -> str:
    """The same Redis URL with another database number (redis://h:6379/1 → redis://h:6379/<database>)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@pytest.fixture(scope="session", autouse=True)
def _own_redis_database_per_worker(worker_id):
    """`make test` runs the suite in parallel (pytest-xdist: workers gw0, gw1 …). On Redis (CI) each worker gets
    its own database (10 + the worker's number: 2 and 9 belong to the Celery worker and smoke-script tests), so one
    worker's cache.clear() (FLUSHDB) never empties another's cache mid-test. Subprocesses keep their REDIS_URL."""
    if not worker_id.startswith("gw") or "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        yield
        return
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = _redis_database(caches["default"]["LOCATION"], 10 + int(worker_id[2:]))
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _clean_cache_and_mfa(settings):
    """Each test starts with an empty cache (rate limits) and the production default: MFA required.
    Passwords are hashed with a fast hasher: the production one is slow on purpose."""
    cache.clear()
    settings.LAERINGSNETT_REQUIRE_MFA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (bokmål). A request through the test client activates the user's or
    the cookie's language in this thread and Django does not switch it back, so without this a test that ran a
    request in nynorsk would leave the next test's messages in nynorsk."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tests run tasks in-process, whatever REDIS_URL the environment sets (the worker test starts its own)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


# Rows made by data migrations (guideline versions, themes, the grant scheme). A transactional test (live_server,
# django_db(transaction=True)) ends with a flush that also removes them, so every later test would miss them.
DATA_MIGRATIONS = ("networks.migrations.0002_seed_guidelines_and_themes", "grants.migrations.0002_seed_scheme")


def _is_transactional(request) -> bool:
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        return True
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's teardown (its flush included), put the data-migration rows back (their seed
    functions are idempotent), so the order tests run in never matters. A hook, not a fixture: fixture teardown
    would run before pytest-django's flush."""
    yield
    request = getattr(item, "_request", None)
    if request is None or nextitem is None or not _is_transactional(request):
        return  # the last test: no later test needs the rows, and the test database is already gone
    import importlib

    from django.apps import apps
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for module in DATA_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)


@pytest.fixture
def reference_data(db):
    base = Path(settings.REFERENCE_DATA_DIR)
    load_reference_data(base / "embeter.csv", base / "kommuner.csv")


@pytest.fixture
def no_mfa(settings):
    """For tests about something else than MFA: staff may reach data without TOTP."""
    settings.LAERINGSNETT_REQUIRE_MFA = False


@pytest.fixture
def locmem_cache(settings):
    """An empty local-memory cache whatever the machine has (CI has Redis, shared by the whole run), for tests
    that count queries on cache hits or read the cache's contents (common.versioned_cache, ui.fragments)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragmenter"}
    }
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def vestland_service(reference_data):
    return factories.ServiceFactory(navn="Barneverntjenesten i Bergen")


@pytest.fixture
def agder_service(reference_data):
    from organisations.models import Kommune

    return factories.ServiceFactory(
        navn="Barneverntjenesten i Kristiansand", vertskommune=Kommune.objects.get(nummer="4204")
    )
