"""Done-when of issue 19: no suppressed cell on the national summary page or in its exports can be recomputed from
any total published beside it (2021 Agder «<5 | 5 | 6» used to give 1). The published tables of 2021–2023, with
suppression on: the page's tables and the overview export parsed back, checked with the same attacker as the unit
tests (tests/reporting/test_suppression.py)."""

import csv
import io

import pytest
from django.urls import reverse

from reporting.selectors import tables
from tests.reporting.test_suppression import recomputable

from .published import published

pytestmark = pytest.mark.django_db
COUNTS = ("egeninitierte_prosjekter", "fosterhjemsprosjekter", "prosjekter_totalt")
PARAMS = {"fra_aar": 2021, "til_aar": 2023, "skjul_sma_tall": "on", "terskel": 5}


def truth(year: int, slugs: list[str]) -> list[list[int]]:
    by_slug = {r["embete"]: r for r in published(year)}
    rows = [[by_slug[s][c] for c in COUNTS] for s in slugs]
    return [*rows, [sum(col) for col in zip(*rows, strict=True)]]


def test_agder_2021_cannot_be_recomputed_on_the_page(client, bufdir, published_awards):
    client.force_login(bufdir)
    response = client.get(reverse("reporting:national_summary"), PARAMS)
    overview = response.context["overview"]
    checked = 0
    for year in overview.years:
        records = [*year.rows, year.total]
        shown = [[r[c] for c in COUNTS] for r in records]
        actual = truth(year.aar, [r["embete"] for r in year.rows])
        assert recomputable(shown, actual) == []
        checked += sum(1 for row in shown for v in row if v == tables.HIDDEN)
        if year.aar == 2021:
            agder = next(r for r in year.rows if r["embete"] == "agder")
            assert [agder[c] for c in COUNTS] == [tables.HIDDEN, tables.HIDDEN, 6]
    assert checked > 0
    # The trends table publishes each year's total as in its year table.
    assert [t.prosjekter for t in overview.trends] == [69, 52, 69]
    # The rule is explained on the page.
    assert "kunne regnes ut fra summene" in response.content.decode()


def test_no_hidden_cell_can_be_recomputed_from_the_export(client, bufdir, published_awards):
    client.force_login(bufdir)
    response = client.get(reverse("reporting:national_export", args=["oversikt", "csv"]), PARAMS)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    for year in (2021, 2022, 2023):
        records = [r for r in rows if int(r["aar"]) == year]
        shown = [[v if v == tables.HIDDEN else int(v) for v in (r[c] for c in COUNTS)] for r in records]
        assert records[-1]["embete"] == "totalt"
        assert recomputable(shown, truth(year, [r["embete"] for r in records[:-1]])) == []
    agder = next(r for r in rows if r["aar"] == "2021" and r["embete"] == "agder")
    assert agder["skjult"].startswith("ja:")
    assert next(r for r in rows if r["embete"] == "totalt")["skjult"].startswith("nei:")
    # The per-grant open data says that it is not suppressed, and why.
    response = client.get(reverse("reporting:national_export", args=["tildelinger", "csv"]), PARAMS)
    awards = list(csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert awards and all(a["skjult"].startswith("nei: tildelinger er offentlige") for a in awards)


def test_long_embete_names_wrap_in_charts_and_are_not_cut_off():
    from reporting.views_national import CHART_WIDTH, bar_chart

    long_name = "Øst-Finnmark, Vest-Finnmark, Troms og Svalbard med Jan Mayen"
    chart = bar_chart("x", "t", "d", [(long_name, 10, "10"), ("Agder", 5, "5")])
    lines = [line["text"] for line in chart["bars"][0]["lines"]]
    assert " ".join(lines) == long_name and len(lines) > 1
    assert all(len(line) <= 24 for line in lines)
    assert chart["x0"] >= max(len(line) for line in lines) * 7  # the label column holds the longest line
    assert all(b["value_x"] < CHART_WIDTH - 20 for b in chart["bars"])
    assert chart["bars"][1]["y"] > chart["bars"][0]["lines"][-1]["y"]  # the next bar starts below the wrapped label
