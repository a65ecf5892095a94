"""Cached parts of pages (ui.fragments): filter options and rendered rows of long lists come from the cache under the
VIEWS version of common.versioned_cache, and every committed change to what they show appears at once. These tests
commit (transactional_db): inside a test transaction the cache is bypassed by design."""

import datetime
import re

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import versioned_cache as versioned
from common.models import FiguresVersion
from networks.models import NetworkPerson, PersonRole, Theme
from organisations.models import Partner
from projects.models import DevelopmentProject, Output
from tests import factories
from tests.grants.conftest import *  # noqa: F403 - the grant fixtures (sf, leader, rnd, network …)
from tests.grants.conftest import make_assessed, make_round, make_submitted
from ui.pagination import DeferredJoinPaginator

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # locmem_cache (tests/conftest.py): these tests count queries on cache hits.
    pytest.mark.usefixtures("locmem_cache", "tasks", "clock", "no_mfa"),
]

LIST = reverse("grants:application_list")
SINCE = datetime.date(2024, 1, 1)  # before the frozen clock of the grant fixtures (2 February 2026)


def get(client, url, params=None):
    """(response, the SQL it ran)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def rows(response, start="<tbody>", end="</tbody>") -> str:
    """The rows of the page's list (the rest of the page holds per-request tokens)."""
    match = re.search(re.escape(start) + "(.*?)" + re.escape(end), response.content.decode(), re.S)
    assert match, f"no {start} in the page"
    return match.group(1)


def bank(response) -> str:
    return rows(response, '<ul class="ds-list stack" aria-label="Prosjekter i kunnskapsbanken">', "</ul>")


def select(response, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', response.content.decode(), re.S)
    assert match, f"no select {name}"
    return match.group(1)


def version(name: str) -> int:
    return versioned.current_version(name)


@pytest.fixture
def applications(sf, leader, rnd, network, bergen, voss):
    """Two submitted applications of Vestland, one with sf as case officer (under behandling)."""
    a = make_submitted(leader, rnd, network, [bergen, voss], navn="Fosterhjem i fellesskap")
    b = make_submitted(leader, rnd, network, [bergen, voss], navn="Tidlig innsats", kategori="egeninitiert")
    return make_assessed(sf, a), b


# --- 1. the application list ---------------------------------------------------------------------


def test_application_rows_come_from_the_cache_and_a_change_shows_at_once(client, sf, applications):
    a, b = applications
    sf.first_name, sf.last_name = "Kari", "Saksbehandler"
    sf.save()
    client.force_login(sf)
    cold, cold_sql = get(client, LIST)
    warm, warm_sql = get(client, LIST)
    first = rows(cold)
    assert a.referanse in first and b.referanse in first and "Kari Saksbehandler" in first
    assert rows(warm) == first
    assert len(warm_sql) < len(cold_sql)
    # On a hit neither the rows nor their services are loaded: only the narrow key query touches the table.
    assert any("grants_application_tjenester" in q for q in cold_sql)
    assert not any("grants_application_tjenester" in q for q in warm_sql)
    assert not any(q.startswith('SELECT "grants_application"."id", ') for q in warm_sql)
    assert any(q.startswith('SELECT "grants_application"."id", ') for q in cold_sql)

    # A name shown in a row (accounts.User, declared to bump VIEWS) …
    sf.first_name = "Kari-Marie"
    sf.save()
    changed = rows(client.get(LIST))
    assert "Kari-Marie Saksbehandler" in changed and "Kari Saksbehandler" not in changed
    # … and the project's name (declared to bump FIGURES and VIEWS) show at once.
    project = DevelopmentProject.objects.get(pk=b.prosjekt_id)
    project.navn = "Tidlig innsats i hele fylket"
    project.save()
    assert "Tidlig innsats i hele fylket" in rows(client.get(LIST))
    # A status change through the ORM (the status label is in the row).
    b.status = "trukket"
    b.save()
    page = rows(client.get(LIST))
    assert "Trukket" in page and "Sendt inn" not in page


# --- 2. what moves which version -----------------------------------------------------------------


def test_logins_do_not_bump_the_views_version_but_names_do(client, reference_data):
    user = factories.statsforvalter("vestland")
    before = version(versioned.VIEWS), version(versioned.FIGURES)
    update_last_login(None, user)  # what a login saves
    user.set_password("Nytt-passord-123")
    user.save(update_fields=["password"])
    client.force_login(user)
    assert (version(versioned.VIEWS), version(versioned.FIGURES)) == before
    user.last_name = "Nyttnavn"
    user.save()
    assert version(versioned.VIEWS) == before[0] + 1
    assert version(versioned.FIGURES) == before[1]  # names are not in the figures
    user.save(update_fields=["first_name", "last_login"])  # a name among the fields: bumps
    assert version(versioned.VIEWS) == before[0] + 2


def test_figures_sources_bump_both_versions_and_views_sources_only_the_views(sf, network):
    views, figures = version(versioned.VIEWS), version(versioned.FIGURES)
    partner = factories.PartnerFactory(navn="RKBU Vest")  # organisations.Partner: bumps FIGURES and VIEWS
    assert (version(versioned.VIEWS), version(versioned.FIGURES)) == (views + 1, figures + 1)
    person = NetworkPerson.objects.create(network=network, rolle=PersonRole.LEDER, navn="Ola Leder", fra_dato=SINCE)
    assert (version(versioned.VIEWS), version(versioned.FIGURES)) == (views + 2, figures + 1)
    project = DevelopmentProject.objects.create(network=network, navn="Prosjekt", kategori="fosterhjem")
    assert (version(versioned.VIEWS), version(versioned.FIGURES)) == (views + 3, figures + 2)
    output = Output.objects.create(prosjekt=project, type="modell", tittel="Modell", beskrivelse="…", opprettet_av=sf)
    assert (version(versioned.VIEWS), version(versioned.FIGURES)) == (views + 4, figures + 2)
    output.delete()
    person.delete()
    assert (version(versioned.VIEWS), version(versioned.FIGURES)) == (views + 6, figures + 2)
    partner.delete()
    assert (version(versioned.VIEWS), version(versioned.FIGURES)) == (views + 7, figures + 3)


# --- 3. filter options ---------------------------------------------------------------------------


def _plain(sql) -> list[str]:
    """The statements without PostgreSQL's server-side cursor prefix (ModelChoiceIterator uses .iterator())."""
    return [re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH HOLD FOR ', "", q) for q in sql]


def _round_options(sql) -> list[str]:
    """The query for the options of the round filter (not the lookup of the chosen round, which ends LIMIT 21)."""
    return [q for q in _plain(sql) if q.startswith('SELECT "grants_applicationround"."id", ') and "LIMIT" not in q]


def _officer_options(sql) -> list[str]:
    return [q for q in _plain(sql) if q.startswith('SELECT DISTINCT "accounts_user"."id", ')]


def test_filter_options_come_from_the_cache_and_new_choices_show_at_once(client, sf, g2021, applications):
    client.force_login(sf)
    cold, cold_sql = get(client, LIST)
    warm, warm_sql = get(client, LIST)
    assert _round_options(cold_sql) and _officer_options(cold_sql)
    assert not _round_options(warm_sql) and not _officer_options(warm_sql)
    assert select(warm, "utlysning") == select(cold, "utlysning")
    assert select(warm, "saksbehandler") == select(cold, "saksbehandler")

    later = make_round(sf, g2021, aar=2027, tittel="Stimuleringsmidler 2027")
    assert f'<option value="{later.pk}">Stimuleringsmidler 2027</option>' in select(client.get(LIST), "utlysning")
    colleague = factories.statsforvalter("vestland")
    colleague.first_name, colleague.last_name = "Åse", "Kollega"
    colleague.save()
    assert f'<option value="{colleague.pk}">Åse Kollega</option>' in select(client.get(LIST), "saksbehandler")
    other = factories.statsforvalter("agder")  # another embete's officer is no choice
    assert f'<option value="{other.pk}"' not in select(client.get(LIST), "saksbehandler")


def test_the_chosen_option_is_marked_when_the_options_come_from_the_cache(client, sf, g2021, rnd, applications):
    later = make_round(sf, g2021, aar=2027, tittel="Stimuleringsmidler 2027")
    client.force_login(sf)

    def marked(params) -> list[str]:
        response, sql = get(client, LIST, params)
        return re.findall(r'<option value="([^"]*)" selected>', select(response, "utlysning")), sql

    assert marked({})[0] == [""]  # nothing chosen: "Alle"
    for _ in range(2):  # the second time the options come from the cache
        chosen, sql = marked({"utlysning": rnd.pk})
        assert chosen == [str(rnd.pk)]
    assert not _round_options(sql)
    assert marked({"utlysning": later.pk})[0] == [str(later.pk)]  # the cache holds no one's choice
    assert marked({})[0] == [""]


# --- 4. language ---------------------------------------------------------------------------------


def test_rows_and_options_are_cached_per_language(client, sf, applications):
    client.force_login(sf)
    norwegian = client.get(LIST)
    assert "Sendt inn" in rows(norwegian) and "Submitted" not in rows(norwegian)
    assert '<option value="" selected>Alle</option>' in select(norwegian, "utlysning")
    response = client.post(reverse("set_language"), {"language": "en", "next": LIST})
    assert response.status_code == 302
    english = client.get(LIST)
    assert "Submitted" in rows(english) and "Sendt inn" not in rows(english)
    assert '<option value="" selected>All</option>' in select(english, "utlysning")
    client.post(reverse("set_language"), {"language": "nb", "next": LIST})
    assert rows(client.get(LIST)) == rows(norwegian)


# --- 5. knowledge bank and network directory -----------------------------------------------------


def test_a_new_result_shows_in_the_knowledge_bank_at_once(client, sf, network):
    project = DevelopmentProject.objects.create(
        network=network, navn="Fosterhjem sammen", kategori="fosterhjem", i_kunnskapsbanken=True
    )
    theme = Theme.objects.create(navn="Ettervern")
    url = reverse("projects:knowledge_bank")
    client.force_login(sf)
    cold, cold_sql = get(client, url)
    warm, warm_sql = get(client, url)
    assert "Fosterhjem sammen" in bank(cold) and bank(warm) == bank(cold) and "Ettervern" not in bank(cold)
    assert any("projects_output" in q for q in cold_sql) and not any("projects_output" in q for q in warm_sql)
    Output.objects.create(
        prosjekt=project, type="rutine", tittel="Rutine for oppfølging", beskrivelse="…", opprettet_av=sf
    )
    assert "Rutine for oppfølging (rutine)" in bank(client.get(url))
    # A theme added to the project (a many-to-many change) shows at once too.
    project.temaer.add(theme)
    assert "Ettervern" in bank(client.get(url))


def test_a_new_leader_shows_in_the_network_directory_at_once(client, sf, network):
    url = reverse("networks:list")
    leader_user = factories.UserFactory(first_name="Liv", last_name="Ledersen")
    client.force_login(sf)
    cold, cold_sql = get(client, url)
    warm, warm_sql = get(client, url)
    assert "Læringsnettverk Vest" in rows(cold) and rows(warm) == rows(cold)
    assert any("networks_networkperson" in q for q in cold_sql)
    assert not any("networks_networkperson" in q for q in warm_sql)
    assert "Liv Ledersen" not in rows(warm)
    NetworkPerson.objects.create(network=network, rolle=PersonRole.LEDER, user=leader_user, fra_dato=SINCE)
    assert "Liv Ledersen" in rows(client.get(url))
    leader_user.last_name = "Leder-Berg"  # the leader's name comes from the user (bumps VIEWS)
    leader_user.save()
    page = rows(client.get(url))
    assert "Liv Leder-Berg" in page and "Liv Ledersen" not in page


# --- 6. the version is read once per request -----------------------------------------------------


def test_the_version_is_read_once_per_request_and_on_every_call_outside_one(client, sf, applications):
    client.force_login(sf)
    client.get(LIST)
    _response, sql = get(client, LIST)  # rows, options and count from the cache: three lookups, two names
    reads = [q for q in sql if "reporting_figuresversion" in q]  # common.FiguresVersion kept its table
    assert len(reads) <= 2
    assert sum(f"'{versioned.VIEWS}'" in q for q in reads) == 1
    assert sum(f"'{versioned.FIGURES}'" in q for q in reads) == 1

    # Outside a request (a worker, a command): every call reads the table, and sees a bump by anyone.
    now = version(versioned.VIEWS)
    with CaptureQueriesContext(connection) as ctx:
        assert version(versioned.VIEWS) == now
        assert version(versioned.VIEWS) == now
    assert len(ctx) == 2
    FiguresVersion.objects.filter(navn=versioned.VIEWS).update(versjon=F("versjon") + 1)  # no signal: "another process"
    assert version(versioned.VIEWS) == now + 1


def test_a_bump_by_another_process_shows_in_the_next_request(client, sf, applications):
    a, _b = applications
    client.force_login(sf)
    client.get(LIST)
    first = rows(client.get(LIST))
    # Another process changes the data and bumps (here: without signals, as a bulk write followed by a bump).
    type(a).objects.filter(pk=a.pk).update(soknadsbelop=123456)
    assert rows(client.get(LIST)) == first  # no bump yet: the cached rows (by design)
    FiguresVersion.objects.filter(navn=versioned.VIEWS).update(versjon=F("versjon") + 1)
    assert "123\u00a0456\u00a0kr" in rows(client.get(LIST))


# --- 7. DeferredRows -----------------------------------------------------------------------------


def test_deferred_rows_know_their_keys_at_once_and_load_in_key_order(reference_data):
    for name in ("Delta", "Alfa", "Echo", "Charlie", "Bravo"):
        factories.PartnerFactory(navn=name)
    partners = Partner.objects.filter(navn__in=["Delta", "Alfa", "Echo", "Charlie", "Bravo"]).order_by("navn")
    page = DeferredJoinPaginator(partners, 4).page(1)
    expected = list(partners.values_list("pk", flat=True)[:4])
    with CaptureQueriesContext(connection) as ctx:
        assert list(page.object_list.keys) == expected
        assert len(page) == 4
    assert len(ctx) == 0
    Partner.objects.filter(pk=expected[1]).delete()  # "Bravo", between the key query and the loading
    with CaptureQueriesContext(connection) as ctx:
        names = [p.navn for p in page]
    assert len(ctx) == 1
    assert names == ["Alfa", "Charlie", "Delta"]
    assert [p.navn for p in page] == names  # loaded once
    assert len(page) == 3


# --- every table behind a cached filter list invalidates ------------------------------------------


def test_a_renamed_fylke_shows_in_the_kommune_filter_at_once(client, sf):
    from organisations.models import Fylke

    url = reverse("organisations:kommune_list")
    client.force_login(sf)
    fylke = Fylke.objects.get(nummer="46")
    assert f'<option value="{fylke.pk}">46 Vestland</option>' in select(client.get(url), "fylke")
    fylke.navn = "Vestland fylke"
    fylke.save()
    assert f'<option value="{fylke.pk}">46 Vestland fylke</option>' in select(client.get(url), "fylke")


def test_every_model_choice_filter_reads_a_table_that_invalidates():
    """The options of every model choice filter are cached (ui.fragments.model_choices): the model they list must
    be declared to bump the VIEWS version (common.versioned_cache.invalidates). Filters whose queryset is set per
    request are covered by the tests above (rounds, officers)."""
    import importlib
    from pathlib import Path

    import django_filters
    from django.conf import settings

    checked = 0
    for app in settings.INSTALLED_APPS:
        if not (Path(settings.BASE_DIR) / app / "filters.py").exists():
            continue
        module = importlib.import_module(f"{app}.filters")
        for filterset in vars(module).values():
            if not (isinstance(filterset, type) and issubclass(filterset, django_filters.FilterSet)):
                continue
            for name, declared in filterset.base_filters.items():
                queryset = declared.extra.get("queryset")
                if isinstance(declared, django_filters.ModelChoiceFilter) and queryset is not None:
                    if callable(queryset) and not hasattr(queryset, "model"):
                        continue
                    model = queryset.model
                    assert versioned.bumps(model, versioned.VIEWS), (filterset, name, model._meta.label)
                    checked += 1
    assert checked >= 5


def test_an_anonymised_leader_is_gone_from_the_cached_network_directory(client, sf, network):
    """anonymise_user changes network people with .update() (no signals): it bumps the versions itself, so the
    cached rows of the directory never go on showing the person."""
    from privacy import services as privacy_services

    url = reverse("networks:list")
    kari = factories.UserFactory(first_name="Kari", last_name="Anonymsen", email="kari.anonymsen@example.no")
    NetworkPerson.objects.create(
        network=network, rolle=PersonRole.LEDER, navn="Kari Anonymsen", epost=kari.email, fra_dato=SINCE
    )
    client.force_login(sf)
    assert "Kari Anonymsen" in rows(client.get(url))
    assert "Kari Anonymsen" in rows(client.get(url))  # from the cache
    views_before, figures_before = version(versioned.VIEWS), version(versioned.FIGURES)

    privacy_services.anonymise_user(None, kari)

    assert version(versioned.VIEWS) > views_before and version(versioned.FIGURES) > figures_before
    assert "Kari Anonymsen" not in rows(client.get(url))
