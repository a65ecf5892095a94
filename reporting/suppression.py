"""Small-number suppression that cannot be undone from the published totals (complementary suppression).

One rule for the national summary page, its exports and the API: a count above 0 and below the threshold is
hidden (primary suppression). A hidden cell that is the only hidden one in a row or column could be computed as
the total minus the visible cells (2021 Agder «<5 | 5 | 6» gives 1), so the smallest other cell of that row or
column is hidden too (complementary suppression), repeated until no row or column has exactly one hidden cell.
Totals stay published where they can: the cell hidden second is an inner cell when there is one, a total only
when the line has nothing else left, the grand total last.

Every hidden cell is shown with the same mark (HIDDEN), whether it was small or hidden to protect another one:
a different mark for the second kind would tell that it is at least the threshold, and «<5 | ≥5 | 6» gives 1
again. Zeros are never hidden for being small; they are chosen as the second cell only when nothing else is left.
"""

from collections.abc import Sequence

HIDDEN = ":"  # Statistics Norway's mark for «not published, to protect confidentiality»
PRIMARY = "primary"
SECONDARY = "secondary"


def _lines(n_rows: int, n_cols: int, total_row: bool, total_col: bool) -> list[list[tuple[int, int]]]:
    """The additive relations: with a total column every row sums to its last cell, with a total row every column
    sums to its last cell."""
    lines = []
    if total_col:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if total_row:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return lines


def complementary_suppression(
    table: Sequence[Sequence[int]], threshold: int | None, *, total_row: bool = True, total_col: bool = True
) -> list[list[str | None]]:
    """The suppression mask of a table of counts: None (published), PRIMARY (0 < count < threshold) or SECONDARY
    (hidden so that no hidden cell can be computed). table includes its totals: the last row when total_row, the
    last column when total_col. threshold None (or 0): nothing is hidden.

    Afterwards every row (with total_col) and every column (with total_row) has no hidden cell or at least two."""
    n_rows = len(table)
    n_cols = len(table[0]) if n_rows else 0
    mask: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    if not threshold or not n_cols:
        return mask
    for i, row in enumerate(table):
        for j, value in enumerate(row):
            if 0 < value < threshold:
                mask[i][j] = PRIMARY
    last_row, last_col = n_rows - 1, n_cols - 1

    def cost(cell: tuple[int, int]) -> tuple:
        i, j = cell
        margins = int(total_row and i == last_row) + int(total_col and j == last_col)
        value = table[i][j]
        # inner cells before totals, the grand total last; a non-zero cell before a zero; then the smallest
        return (margins, value == 0, value, i, j)

    lines = _lines(n_rows, n_cols, total_row, total_col)
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [c for c in line if mask[c[0]][c[1]]]
            if len(hidden) != 1:
                continue
            visible = [c for c in line if not mask[c[0]][c[1]]]
            if not visible:  # a line of one cell: nothing else to hide
                continue
            i, j = min(visible, key=cost)
            mask[i][j] = SECONDARY
            changed = True
    return mask


def apply(table: Sequence[Sequence[int]], mask: Sequence[Sequence[str | None]]) -> list[list]:
    """The table as published: every hidden cell replaced by HIDDEN."""
    return [
        [HIDDEN if m else v for v, m in zip(row, mask_row, strict=True)]
        for row, mask_row in zip(table, mask, strict=True)
    ]


def any_hidden(mask: Sequence[Sequence[str | None]]) -> bool:
    return any(m for row in mask for m in row)
