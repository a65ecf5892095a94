"""The inventory of personal data (accounts/personal_data.py) covers every column that could hold it, so a new
field cannot escape export and anonymisation without someone deciding what happens to it."""

from django.apps import apps
from django.contrib.auth import get_user_model

from accounts.personal_data import (
    CLASSIFIED_TYPES,
    FREE_TEXT_FIELDS,
    INVENTORY,
    NOT_PERSONAL_FIELDS,
    NOT_PERSONAL_MODELS,
    markdown_table,
)


def candidate_fields() -> set[str]:
    """Every text, JSON and file column, and every foreign key to the user, of every installed model."""
    user_model = get_user_model()
    found = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.get_internal_type() in CLASSIFIED_TYPES or (f.is_relation and f.related_model is user_model):
                found.add(f"{model._meta.label}.{f.name}")
    return found


def classified() -> list[str]:
    return [e.field for e in INVENTORY] + list(FREE_TEXT_FIELDS) + list(NOT_PERSONAL_FIELDS)


def test_every_column_that_could_hold_personal_data_is_classified():
    covered = set(classified())
    missing = sorted(
        label
        for label in candidate_fields()
        if label not in covered and label.rsplit(".", 1)[0] not in NOT_PERSONAL_MODELS
    )
    assert missing == [], f"Classify these fields in accounts/personal_data.py: {missing}"


def test_no_field_is_classified_twice_and_none_is_stale():
    labels = classified()
    assert len(labels) == len(set(labels))
    stale = sorted(set(labels) - candidate_fields())
    assert stale == [], f"No such field (renamed or removed?): {stale}"
    models = {m._meta.label for m in apps.get_models()}
    assert set(NOT_PERSONAL_MODELS) <= models
    assert not {label.rsplit(".", 1)[0] for label in labels} & set(NOT_PERSONAL_MODELS)


def test_the_table_for_the_documentation_lists_every_entry():
    table = markdown_table()
    assert all(f"`{e.field}`" in table for e in INVENTORY)
