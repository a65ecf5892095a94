"""The inventory of personal data covers every column that could hold it, so a new field cannot escape export and
anonymisation without someone deciding what happens to it. Each app declares its own models in
`<app>/personal_data.py` (common/personal_data.py); privacy.registry collects them."""

from django.apps import apps
from django.contrib.auth import get_user_model

from common.personal_data import PersonalData
from privacy import registry


def candidate_fields() -> set[str]:
    """Every text, JSON and file column, and every foreign key to the user, of every installed model."""
    user_model = get_user_model()
    found = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.get_internal_type() in registry.CLASSIFIED_TYPES or (f.is_relation and f.related_model is user_model):
                found.add(f"{model._meta.label}.{f.name}")
    return found


def classified() -> list[str]:
    return (
        [e.field for e in registry.inventory()]
        + list(registry.free_text_fields())
        + [label for _app, declared in registry.declarations() for label in declared.not_personal_fields]
    )


def _labels(declared: PersonalData) -> list[str]:
    """Every "app_label.Model[.field]" a declaration names."""
    return (
        [e.field for e in declared.entries]
        + list(declared.free_text)
        + list(declared.not_personal_models)
        + list(declared.not_personal_fields)
    )


def test_every_column_that_could_hold_personal_data_is_classified():
    covered = set(classified())
    not_personal = registry.not_personal_models()
    missing = sorted(
        label for label in candidate_fields() if label not in covered and label.rsplit(".", 1)[0] not in not_personal
    )
    assert missing == [], f"Classify these fields in the app's personal_data.py (common/personal_data.py): {missing}"


def test_no_field_is_classified_twice_and_none_is_stale():
    labels = classified()
    assert len(labels) == len(set(labels))
    stale = sorted(set(labels) - candidate_fields())
    assert stale == [], f"No such field (renamed or removed?): {stale}"
    declared_models = [m for _app, declared in registry.declarations() for m in declared.not_personal_models]
    assert len(declared_models) == len(set(declared_models))
    models = {m._meta.label for m in apps.get_models()}
    assert set(declared_models) <= models
    assert not {label.rsplit(".", 1)[0] for label in labels} & set(declared_models)


def test_each_app_declares_only_its_own_models():
    """An app's personal_data.py names only its own models; privacy's names only those of apps that declare
    nothing themselves (Django's and allauth's)."""
    declaring = {app.label for app, _declared in registry.declarations()}
    for app, declared in registry.declarations():
        owners = {label.split(".", 1)[0] for label in _labels(declared)}
        if app.name == "privacy":
            assert owners and not owners & declaring, owners & declaring
        else:
            assert owners == {app.label}, (app.label, owners)


def test_every_project_app_with_models_declares():
    """Every app of this project that has models has a personal_data.py (the check above only reads those that do)."""
    declaring = {app.label for app, _declared in registry.declarations()}
    ours = {
        app.label
        for app in apps.get_app_configs()
        if not app.name.startswith(("django.", "allauth")) and list(app.get_models())
    }
    assert ours <= declaring, ours - declaring


def test_the_table_for_the_documentation_lists_every_entry():
    table = registry.markdown_table()
    assert all(f"`{e.field}`" in table for e in registry.inventory())
