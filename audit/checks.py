"""Database check (runs with `manage.py check --database default` and before `migrate`): every guard whose
migration is applied has its triggers in the database."""

from django.core import checks
from django.db import connections

from . import immutability


@checks.register(checks.Tags.database)
def immutability_triggers(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        for guard in immutability.missing_guards(connections[alias]):
            errors.append(
                checks.Error(
                    f"The immutability triggers of {guard.table} are missing in database '{alias}'.",
                    hint="Run `manage.py migrate`: its post_migrate step puts them back.",
                    id="audit.E001",
                )
            )
    return errors
