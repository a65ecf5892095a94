"""The layers of docs/architecture.md hold inside functions too.

`make lint` runs import-linter (the contract in pyproject.toml). This test is the same rule in the test suite,
for the imports that used to hold cycles together: an import inside a function (or method) of a module of a
higher layer than the module's own is refused, unless the contract lists it under ignore_imports (each with
its reason). The layers and the exceptions are read from pyproject.toml, so there is one list.

Below that, every import of a project module inside a function (any direction) must be moved to module level or
listed in FUNCTION_IMPORTS_ALLOWED with its reason (AppConfig.ready() is always allowed)."""

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
    assert ranks["accounts"] < ranks["api"] < ranks["privacy"]  # privacy reads every app; accounts is at the bottom


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


# --- every function-level import of a project module is justified ------------------------------------------------
#
# An import inside a function hides a dependency from import-linter's picture of the module and was how the grants ↔
# projects cycle was held together. So each one is either at module level or listed here with its reason, and the
# list holds only imports that still exist. Upward imports are refused above, whether listed here or not.
#
# Always allowed: AppConfig.ready() in apps.py, where an app connects its receivers and fills the registries of the
# layers below (its models, and those of other apps, cannot be imported while apps.py itself is being imported).

FUNCTION_IMPORTS_ALLOWED = {
    # (importing module, function, imported module): reason
    **{
        ("common.outbox", function, "common.models"): (
            "common.outbox is Celery's task base class (config/celery.py task_cls), loaded when config is imported, "
            "before the app registry is ready; the outbox model is imported when first used"
        )
        for function in ("enqueue", "_broken", "publish", "dispatch", "retry_given_up", "mark_done", "_record_error")
    },
    ("followup.services.duty", "decide_postponement", "followup.tasks"): (
        "a cycle inside followup: followup.tasks imports DONE, is_done and reminder_recipients from this module; it "
        "goes when those reads move to followup.selectors.duty"
    ),
    ("reporting.views", "_celery_round_trip", "config.celery"): (
        "/healthz sends the ping task through the project's Celery app, which config (the composition above every "
        "app, outside the layers) defines; imported only when the check runs"
    ),
}


def _project_packages() -> set[str]:
    """Top-level names that are this project's code (apps, config, demo, bench), not third-party packages."""
    return {p.parent.name for p in ROOT.glob("*/__init__.py")}


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a (possibly relative) `from … import` names."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()  # a module's relative imports start from its package
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports_by_function(tree: ast.AST, path: Path):
    """(innermost function, imported module) for each import inside a function or method."""

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(child, child.name)
                continue
            if function is not None and isinstance(child, ast.Import):
                for alias in child.names:
                    yield function, alias.name
            elif function is not None and isinstance(child, ast.ImportFrom):
                base = _resolve(path, child)
                for alias in child.names:  # `from followup import tasks` imports the module followup.tasks
                    yield function, f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base
            yield from visit(child, function)

    yield from visit(tree, None)


def function_level_imports() -> set[tuple[str, str, str]]:
    """(module, function, imported module) for each import of a project module inside a function of an app."""
    contract_config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    project = _project_packages()
    found = set()
    for app in contract_config["root_packages"]:
        for path in sorted((ROOT / app).rglob("*.py")):
            module = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for function, imported in _imports_by_function(tree, path):
                if path.name == "apps.py" and function == "ready":
                    continue
                if imported.split(".")[0] in project:
                    found.add((module, function, imported))
    return found


def test_every_function_level_import_is_listed_with_its_reason():
    unlisted = sorted(function_level_imports() - FUNCTION_IMPORTS_ALLOWED.keys())
    assert unlisted == [], "move these imports to module level, or list them with a reason"


def test_the_list_of_function_level_imports_holds_only_ones_that_exist():
    gone = sorted(FUNCTION_IMPORTS_ALLOWED.keys() - function_level_imports())
    assert gone == [], "these imports are at module level now (or gone): take them off FUNCTION_IMPORTS_ALLOWED"


def test_the_listed_function_level_imports_stay_within_the_layers():
    ranks = _ranks(_contract())
    for module, function, imported in FUNCTION_IMPORTS_ALLOWED:
        if imported.split(".")[0] in ranks:  # config is outside the layers: its one entry says why
            assert ranks[imported.split(".")[0]] <= ranks[module.split(".")[0]], (module, function, imported)


def test_the_scan_finds_function_level_imports(tmp_path, monkeypatch):
    """Relative and absolute, module or name, innermost function; AppConfig.ready() and third-party packages not."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    for app in _contract()["layers"]:
        for name in app.replace("|", ":").split(":"):
            (tmp_path / name.strip()).mkdir()
            (tmp_path / name.strip() / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "grants" / "tasks.py").write_text("", encoding="utf-8")
    (tmp_path / "grants" / "services.py").write_text(
        "def submit():\n    from . import tasks\n\n"
        "def decide():\n    def later():\n        from accounts.models import User\n    import json\n",
        encoding="utf-8",
    )
    (tmp_path / "grants" / "apps.py").write_text("def ready():\n    from . import services\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert function_level_imports() == {
        ("grants.services", "submit", "grants.tasks"),
        ("grants.services", "later", "accounts.models"),
    }
