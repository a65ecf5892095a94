"""The prioritisation board's rows come from the cache (ui.fragments.cached_rows, vary on may_edit): no one's CSRF
token is ever cached, a viewer never gets an editor's forms (nor the reverse), and a saved priority shows at once.
These tests commit (transactional_db): inside a test transaction the cache is bypassed by design."""

import pickle
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _does_token_match
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import Assessment
from tests import factories
from ui import fragments

from .conftest import make_submitted

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # locmem_cache (tests/conftest.py): these tests count queries on cache hits and read the cache's contents.
    pytest.mark.usefixtures("locmem_cache", "tasks", "clock", "no_mfa"),
]

ROW_FORM = re.compile(
    r'<form method="post" action="([^"]+)" id="rad-(\d+)" data-board-row>'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]*)"></form>'
)


@pytest.fixture
def board_apps(leader, rnd, network, bergen, voss, frame):
    return [make_submitted(leader, rnd, network, [bergen, voss], navn=f"Prosjekt {i}") for i in range(2)]


def board_url(rnd) -> str:
    return reverse("grants:board", args=[rnd.pk, "fosterhjem"])


def get_board(client, rnd):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(board_url(rnd))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def tbody(page: str) -> str:
    match = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert match
    return match.group(1)


def cached_values() -> list[str]:
    """Everything in the (local-memory) cache, unpickled, as text."""
    if not hasattr(cache, "_cache"):
        pytest.skip("needs the local-memory cache of the test settings")
    return [str(pickle.loads(raw)) for raw in list(cache._cache.values())]  # noqa: S301 - our own test cache


def test_each_editor_gets_their_own_csrf_token_and_the_cache_holds_none(sf, rnd, board_apps):
    colleague = factories.statsforvalter("vestland")  # a second case officer of the embete: may edit too
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(sf)
    second.force_login(colleague)
    page_1, sql_1 = get_board(first, rnd)
    page_2, sql_2 = get_board(second, rnd)
    assert len(sql_2) < len(sql_1)  # the second editor's rows came from the cache …
    loads_rows = [q for q in sql_1 + sql_2 if q.startswith('SELECT "grants_application"."id", ')]
    assert loads_rows and all(q in sql_1 for q in loads_rows)  # (not loaded for the second)
    assert tbody(page_2).count("data-board-row") == tbody(page_1).count("data-board-row") == len(board_apps)

    tokens = {}
    for client, page in ((first, page_1), (second, page_2)):
        forms = ROW_FORM.findall(tbody(page))
        assert len(forms) == len(board_apps)
        secret = client.cookies[settings.CSRF_COOKIE_NAME].value
        for _action, _pk, token in forms:  # … but each page carries its own client's token
            assert token and fragments.CSRF_PLACEHOLDER not in token
            assert _does_token_match(token, secret)
        tokens[client] = (secret, [token for *_, token in forms])
    assert tokens[first][0] != tokens[second][0]
    assert fragments.CSRF_PLACEHOLDER not in page_1 + page_2

    # The cached rows hold the placeholder and neither client's token (secret nor masked form).
    values = cached_values()
    assert any(fragments.CSRF_PLACEHOLDER in v for v in values)
    for secret, masked in tokens.values():
        for value in values:
            assert secret not in value
            assert not any(token in value for token in masked)

    # Each client's row form posts with the token found in its own page; a token from the other page is refused.
    a = board_apps[0]
    fields = {f"r{a.pk}-rangering": "1", f"r{a.pk}-foreslatt_belop": "100000"}
    action_1, _pk, token_1 = next(f for f in ROW_FORM.findall(page_1) if f[1] == str(a.pk))
    action_2, _pk, token_2 = next(f for f in ROW_FORM.findall(page_2) if f[1] == str(a.pk))
    assert action_1 == action_2 == reverse("grants:board_update", args=[a.pk])
    assert second.post(action_2, {**fields, "csrfmiddlewaretoken": token_1}).status_code == 403
    assert first.post(action_1, {**fields, "csrfmiddlewaretoken": token_1}).status_code == 302
    assert second.post(action_2, {**fields, "csrfmiddlewaretoken": token_2}).status_code == 302


def test_a_viewer_never_gets_an_editors_cached_rows_nor_the_reverse(client, sf, bufdir, rnd, board_apps):
    editor, viewer = Client(), Client()
    editor.force_login(sf)
    viewer.force_login(bufdir)  # Bufdir may view every board (grants.view_frames) but not edit (grants.manage_round)

    editor_page, _sql = get_board(editor, rnd)
    assert tbody(editor_page).count("data-board-row") == len(board_apps)
    viewer_page, _sql = get_board(viewer, rnd)  # the editor's render is in the cache
    assert "data-board-row" not in viewer_page and "<input" not in tbody(viewer_page)
    assert all(a.referanse in viewer_page for a in board_apps)

    cache.clear()
    viewer_page, _sql = get_board(viewer, rnd)  # now the viewer's render is the one in the cache
    assert "data-board-row" not in viewer_page
    editor_page, _sql = get_board(editor, rnd)
    assert tbody(editor_page).count("data-board-row") == len(board_apps)
    # Both renders are cached side by side: asked again, each comes from the cache unchanged.
    assert get_board(viewer, rnd)[0].count("data-board-row") == 0
    again, sql = get_board(editor, rnd)
    assert tbody(again).count("data-board-row") == len(board_apps)
    assert not any(q.startswith('SELECT "grants_application"."id", ') for q in sql)  # rows not loaded


def test_a_saved_priority_shows_on_the_next_board_at_once(client, sf, bufdir, rnd, board_apps):
    a, _b = board_apps
    client.force_login(sf)
    viewer = Client()
    viewer.force_login(bufdir)
    get_board(client, rnd)
    get_board(viewer, rnd)
    page, sql = get_board(client, rnd)  # from the cache now
    assert f'name="r{a.pk}-foreslatt_belop"' in page and f'name="r{a.pk}-foreslatt_belop" value=' not in page
    assert "123\u00a0456\u00a0kr" not in tbody(get_board(viewer, rnd)[0])

    response = client.post(
        reverse("grants:board_update", args=[a.pk]),
        {f"r{a.pk}-rangering": "1", f"r{a.pk}-samlingsrangering": "2", f"r{a.pk}-foreslatt_belop": "123456"},
    )
    assert response.status_code == 302
    assert Assessment.objects.get(soknad=a).foreslatt_belop == 123456

    page, _sql = get_board(client, rnd)
    assert re.search(rf'name="r{a.pk}-foreslatt_belop" value="123456"', page)
    assert re.search(rf'name="r{a.pk}-rangering" value="1"', page)
    assert re.search(rf'name="r{a.pk}-samlingsrangering" value="2"', page)
    shown = tbody(get_board(viewer, rnd)[0])
    assert "123\u00a0456\u00a0kr" in shown
    # Ranked first now: its row comes before the other one.
    assert shown.index(a.referanse) < shown.index(_b.referanse)
