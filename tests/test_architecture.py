"""The layers of docs/architecture.md hold inside functions too.

`make lint` runs import-linter (the contract in pyproject.toml). This test is the same rule in the test suite,
for the imports that used to hold cycles together: an import inside a function (or method) of a module of a
higher layer than the module's own is refused, unless the contract lists it under ignore_imports (each with
its reason). The layers and the exceptions are read from pyproject.toml, so there is one list."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")


def _ranks(contract) -> dict[str, int]:
    """app -> layer number, 0 at the bottom; siblings in a layer ("a : b", "a | b") share it."""
    ranks = {}
    for height, layer in enumerate(reversed(contract["layers"])):
        for app in layer.replace("|", ":").split(":"):
            ranks[app.strip()] = height
    return ranks


def _exceptions(contract) -> list[tuple[str, str]]:
    pairs = []
    for entry in contract.get("ignore_imports", []):
        importer, imported = (part.strip() for part in entry.split("->"))
        pairs.append((importer, imported))
    return pairs


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _function_imports(tree: ast.AST):
    """(line, imported module or name) for every absolute import inside a function or method body."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    for alias in inner.names:
                        yield inner.lineno, alias.name
                elif isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    for alias in inner.names:  # `from reporting import cache` imports reporting.cache
                        yield inner.lineno, f"{inner.module}.{alias.name}"


def upward_function_imports() -> list[str]:
    contract = _contract()
    ranks = _ranks(contract)
    exceptions = _exceptions(contract)
    found = set()
    for app, rank in ranks.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            module = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, imported in _function_imports(tree):
                target = imported.split(".")[0]
                if ranks.get(target, -1) <= rank:
                    continue
                if any(
                    module == importer and (imported == allowed or imported.startswith(allowed + "."))
                    for importer, allowed in exceptions
                ):
                    continue
                found.add(f"{module}:{line} imports {imported} ({app} is below {target})")
    return sorted(found)


def test_the_layers_are_read_from_the_contract():
    ranks = _ranks(_contract())
    assert ranks["common"] == ranks["audit"] == ranks["ui"] == 0
    assert ranks["projects"] < ranks["grants"] < ranks["followup"] < ranks["reporting"] < ranks["api"]


def test_no_function_level_import_reaches_a_higher_layer():
    assert upward_function_imports() == []


def test_the_scan_finds_an_upward_import(tmp_path, monkeypatch):
    """The scan itself works: a function in grants that imports followup is found."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    for app in _ranks(_contract()):
        (tmp_path / app).mkdir()
    (tmp_path / "grants" / "services.py").write_text(
        "def sync():\n    from followup.services.duty import on_award\n", encoding="utf-8"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert upward_function_imports() == [
        "grants.services:2 imports followup.services.duty.on_award (grants is below followup)"
    ]
