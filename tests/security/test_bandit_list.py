"""docs/security.md lists every bandit finding that has been accepted, and only those: one table row per line of
project code that carries `# nosec` (in the files .ci/run's bandit call scans), naming the file, a piece of the
line and the same bandit codes. A new `# nosec` without a row, a row left behind by a removed one, or a row whose
codes differ from the line's fails here."""

import fnmatch
import os
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
CI = ROOT / ".ci" / "run"
NOSEC = re.compile(r"#\s*nosec\b(.*)$")
CODE = re.compile(r"\bB\d{3}\b")


def bandit_exclusions() -> list[str]:
    """The -x list of the bandit call in .ci/run (so the test scans exactly what CI scans)."""
    text = CI.read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"bandit -r \. [^\n]*?-x '([^']+)'", text)
    assert match, "fant ikke bandit-kallet med -x i .ci/run"
    return [p.strip() for p in match.group(1).split(",") if p.strip()]


def _excluded(rel: str, patterns: list[str]) -> bool:
    path = f"./{rel}"
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path + "/", pattern):
                return True
        elif path == pattern or path.startswith(pattern.rstrip("/") + "/"):
            return True
    return False


def nosec_lines() -> list[tuple[str, tuple[str, ...], str]]:
    """(file, codes, line) for every `# nosec` line bandit would read."""
    patterns = bandit_exclusions()
    found = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel_dir = os.path.relpath(dirpath, ROOT)
        rel_dir = "" if rel_dir == "." else rel_dir
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in (".git", "__pycache__", ".ruff_cache") and not _excluded(os.path.join(rel_dir, d), patterns)
        )
        for name in sorted(filenames):
            rel = os.path.join(rel_dir, name)
            if not name.endswith(".py") or _excluded(rel, patterns):
                continue
            for line in (ROOT / rel).read_text(encoding="utf-8").splitlines():
                match = NOSEC.search(line)
                if match:
                    found.append((rel, tuple(sorted(CODE.findall(match.group(1)))), line.strip()))
    return found


def documented() -> list[tuple[str, tuple[str, ...], list[str]]]:
    """(file, codes, pieces of the line) for each row of the table of accepted findings in docs/security.md."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("### CI: bandit og pip-audit")
    section = text[start : text.index("\n## ", start)] if "\n## " in text[start:] else text[start:]
    table = section[section.index("| Sted | Funn |") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        assert len(cells) >= 3, f"rad uten tre kolonner: {line}"
        pieces = re.findall(r"`([^`]+)`", cells[0])
        assert len(pieces) >= 2, f"første kolonne må være `fil` `del av linjen`: {line}"
        rows.append((pieces[0], tuple(sorted(CODE.findall(cells[1]))), pieces[1:]))
    return rows


def test_the_table_can_be_read_and_is_not_empty():
    rows = documented()
    assert rows and all(codes for _file, codes, _pieces in rows)


def test_every_nosec_line_has_exactly_one_row_and_every_row_a_line():
    lines = nosec_lines()
    rows = documented()
    assert lines, "ingen # nosec-linjer funnet: feil i skanningen?"
    assert all(codes for _file, codes, _line in lines), [x for x in lines if not x[1]]  # a bare nosec hides all

    unmatched_rows = []
    remaining = list(lines)
    for file, codes, pieces in rows:
        match = next(
            (x for x in remaining if x[0] == file and x[1] == codes and all(p in x[2] for p in pieces)),
            None,
        )
        if match is None:
            unmatched_rows.append((file, codes, pieces))
        else:
            remaining.remove(match)
    assert not unmatched_rows and not remaining, (
        f"Rader i docs/security.md uten # nosec-linje: {unmatched_rows}\n"
        f"# nosec-linjer uten rad i docs/security.md: {remaining}"
    )


def test_the_counts_per_code_match():
    """The same per code (a summary that reads well when the test above fails)."""
    in_code = Counter(code for _file, codes, _line in nosec_lines() for code in codes)
    in_doc = Counter(code for _file, codes, _pieces in documented() for code in codes)
    assert in_code == in_doc
