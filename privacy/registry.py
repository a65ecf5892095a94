"""The inventory of where personal data is stored, collected from every app's declaration.

Each installed app with models declares its own columns in `<app>/personal_data.py` (`PERSONAL_DATA =
PersonalData(...)`, see common/personal_data.py); privacy/personal_data.py declares the tables of Django and
allauth, which have no such module. This module collects them: privacy's own first, then the apps in
INSTALLED_APPS order, each in the order it declares. Nothing below privacy imports privacy: the apps only
declare, privacy reads.

The table in docs/security.md is generated from here: `python -m privacy.registry`.
"""

from functools import cache

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string, module_has_submodule

from common.personal_data import KEEP_TEXT, MENTION, Entry, PersonalData

MODULE = "personal_data"

# Column types that may hold personal data: each such column of each model must be classified.
CLASSIFIED_TYPES = ("CharField", "TextField", "EmailField", "JSONField", "FileField", "URLField", "SlugField")


def _declaring_configs() -> list[AppConfig]:
    configs = [c for c in apps.get_app_configs() if module_has_submodule(c.module, MODULE)]
    own = [c for c in configs if c.name == __package__]
    return own + [c for c in configs if c.name != __package__]


@cache
def declarations() -> tuple[tuple[AppConfig, PersonalData], ...]:
    """(app, its declaration) for every installed app with a personal_data module, privacy's own first."""
    found = []
    for config in _declaring_configs():
        declared = import_string(f"{config.name}.{MODULE}.PERSONAL_DATA")
        if not isinstance(declared, PersonalData):
            raise ImproperlyConfigured(
                f"{config.name}.{MODULE}.PERSONAL_DATA must be a common.personal_data.PersonalData"
            )
        found.append((config, declared))
    return tuple(found)


def inventory() -> tuple[Entry, ...]:
    """Every column that holds personal data, with what export and anonymisation do with it."""
    return tuple(entry for _app, declared in declarations() for entry in declared.entries)


def free_text_fields() -> tuple[str, ...]:
    return tuple(label for _app, declared in declarations() for label in declared.free_text)


def not_personal_models() -> dict[str, str]:
    return {label: why for _app, declared in declarations() for label, why in declared.not_personal_models.items()}


def not_personal_fields() -> frozenset[str]:
    return frozenset(label for _app, declared in declarations() for label in declared.not_personal_fields)


def markdown_table() -> str:
    """The inventory as a Markdown table (for docs/security.md)."""
    lines = [
        "| Modell.felt | Type | Hva/hvorfor | Eksport | Ved anonymisering |",
        "|---|---|---|---|---|",
    ]
    for e in inventory():
        lines.append(f"| `{e.field}` | {e.kind} | {e.purpose} | {e.export} | {e.anonymise} |")
    lines.append(
        f"| {len(free_text_fields())} fritekstfelt (begrunnelser, kommentarer, rapporttekster, vedlegg) | {MENTION} "
        f"| kan nevne personer fordi noen skrev navnet | nei (søk med `--omtaler`) | {KEEP_TEXT} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(markdown_table())
