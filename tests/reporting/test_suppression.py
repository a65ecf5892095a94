"""Complementary small-number suppression (reporting.suppression): no hidden cell can be recomputed from the
published totals – the Agder example, and a property test over random tables (hypothesis)."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.suppression import HIDDEN, PRIMARY, SECONDARY, apply, complementary_suppression


def with_totals(inner: list[list[int]]) -> list[list[int]]:
    rows = [[*r, sum(r)] for r in inner]
    return [*rows, [sum(col) for col in zip(*rows, strict=True)]]


def recomputable(published: list[list], original: list[list[int]], *, total_row=True, total_col=True) -> list:
    """Every hidden cell an attacker can compute exactly from one published row or column relation (the line's
    sum minus its visible cells, when it is the line's only hidden cell) – repeated, using cells already
    recovered, until nothing new comes out."""
    n_rows, n_cols = len(published), len(published[0])
    known = [[v if v != HIDDEN else None for v in row] for row in published]
    lines = []
    if total_col:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if total_row:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    found = []
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [c for c in line if known[c[0]][c[1]] is None]
            if len(unknown) != 1:
                continue
            (i, j), *_ = unknown
            *parts, last = line
            if (i, j) == last:
                value = sum(known[a][b] for a, b in parts)
            else:
                value = known[last[0]][last[1]] - sum(known[a][b] for a, b in parts if (a, b) != (i, j))
            assert value == original[i][j]
            known[i][j] = value
            found.append((i, j))
            progress = True
    return found


def test_agder_2021_the_hidden_cell_is_no_longer_total_minus_the_visible_one():
    # egeninitierte | fosterhjem | totalt: «<5 | 5 | 6» gave 6 − 5 = 1.
    table = with_totals([[1, 5], [7, 9], [12, 8]])
    mask = complementary_suppression(table, 5)
    assert mask[0][0] == PRIMARY
    assert mask[0][1] == SECONDARY  # the smallest other cell in the row
    assert mask[0][2] is None  # the row's total stays published
    published = apply(table, mask)
    assert published[0] == [HIDDEN, HIDDEN, 6]  # the same mark for both: «≥5» would give the 1 away again
    assert recomputable(published, table) == []
    # The column of the first hidden cell has a second hidden cell too, and the totals row is whole.
    assert sum(1 for row in mask if row[0]) >= 2
    assert all(m is None for m in mask[-1])


def test_nothing_hidden_without_a_threshold_and_zeros_are_not_small():
    table = with_totals([[0, 3], [4, 0]])
    assert complementary_suppression(table, None) == [[None] * 3 for _ in range(3)]
    mask = complementary_suppression(with_totals([[0, 6], [7, 0]]), 5)
    assert not any(m for row in mask for m in row)


def test_a_single_column_table_hides_a_second_row():
    # One category selected: the column total is the only sum; the smallest other embete is hidden too.
    table = [[2], [9], [6], [17]]
    mask = complementary_suppression(table, 5, total_col=False)
    assert [m[0] for m in mask] == [PRIMARY, None, SECONDARY, None]


TABLES = st.integers(1, 6).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 12), min_size=cols, max_size=cols), min_size=1, max_size=7)
)


@settings(max_examples=400, deadline=None)
@given(inner=TABLES, threshold=st.integers(2, 6))
def test_every_row_and_column_has_no_hidden_cell_or_at_least_two(inner, threshold):
    table = with_totals(inner)
    mask = complementary_suppression(table, threshold)
    # Every small count is hidden, and nothing above the threshold is hidden without a reason.
    for (i, row), j in itertools.product(enumerate(table), range(len(table[0]))):
        if 0 < row[j] < threshold:
            assert mask[i][j] == PRIMARY
    for line in [*mask, *zip(*mask, strict=True)]:
        assert sum(1 for m in line if m) != 1
    assert recomputable(apply(table, mask), table) == []


@settings(max_examples=200, deadline=None)
@given(inner=TABLES, threshold=st.integers(2, 6))
def test_columns_only_tables_are_protected_too(inner, threshold):
    table = [*inner, [sum(col) for col in zip(*inner, strict=True)]]
    mask = complementary_suppression(table, threshold, total_col=False)
    for column in zip(*mask, strict=True):
        assert sum(1 for m in column if m) != 1
    assert recomputable(apply(table, mask), table, total_col=False) == []
