"""The audit event registry (audit.events): every code the source records is declared with a Norwegian sentence,
record() refuses an undeclared code in the tests (and records it with a logged error in production), and the
audit views show the sentence (the code only to staff), falling back to the code for old rows."""

import ast
import logging
import pathlib

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from audit import events
from audit import services as audit
from audit.models import AuditEvent
from tests import factories

ROOT = pathlib.Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", "tests", "bench", "migrations"}
# Calls whose action argument is a variable, each a thin wrapper whose own callers pass literal codes.
# remove_draft records the code its callers pass (deleting a draft, withdrawing one that was never sent in).
WRAPPERS = {("audit/services.py", "record"), ("grants/tasks.py", "record"), ("grants/drafts_lifecycle.py", "record")}
# name of the called function -> position of the action code among its arguments
ACTION_ARG = {"record": 1, "record_autosave": 1, "_mark": 0, "remove_draft": 2}


def _codes_in(node) -> list[str] | None:
    """The string literals an action argument can take (both branches of `a if c else b`), None if not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _codes_in(node.body), _codes_in(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


def recorded_codes() -> tuple[dict[str, list[str]], list[str]]:
    """{code: [file:line, ...]} of every audit record call in the source, and the calls whose code is not literal."""
    codes: dict[str, list[str]] = {}
    unknown: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIP & set(relative.parts):
            continue
        source = path.read_text(encoding="utf-8")
        if "audit" not in source and "_mark(" not in source:  # grants.tasks._mark records an audit event too
            continue
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            position = ACTION_ARG.get(name)
            if position is None or len(node.args) <= position:
                continue
            found = _codes_in(node.args[position])
            where = f"{relative.as_posix()}:{node.lineno}"
            if found is None:
                if (relative.as_posix(), name) not in WRAPPERS and name != "_mark":
                    unknown.append(f"{where} {ast.unparse(node.args[position])}")
                continue
            for code in found:
                codes.setdefault(code, []).append(where)
    return codes, unknown


def test_every_recorded_code_is_registered():
    codes, unknown = recorded_codes()
    assert len(codes) > 80  # the scan found the call sites
    assert unknown == [], "an audit code that is not a literal cannot be checked; add it to WRAPPERS with a reason"
    missing = {code: where for code, where in codes.items() if events.get(code) is None or events.get(code).retired}
    assert missing == {}


def test_every_registered_code_is_recorded_somewhere_and_has_a_sentence():
    codes, _ = recorded_codes()
    registered = events.registered()
    current = {code for code, t in registered.items() if not t.retired}
    assert current - set(codes) == set(), "a registered code that nothing records: mark it retired"
    for code, event_type in registered.items():
        assert event_type.code == code
        assert str(event_type.sentence).strip(), code
        assert str(event_type.sentence) != code


def test_sentences_are_translated_to_english():
    with translation.override("en"):
        untranslated = [code for code, t in events.registered().items() if str(t.sentence) == _bokmaal(t.sentence)]
    assert untranslated == []
    with translation.override("nb"):
        assert events.sentence("soknad.sendt_inn") == "Søknaden ble sendt inn"


def _bokmaal(sentence) -> str:
    with translation.override("nb"):
        return str(sentence)


def test_register_refuses_a_second_different_sentence(monkeypatch):
    monkeypatch.setattr(events, "_REGISTRY", dict(events._REGISTRY))
    events.register("soknad.sendt_inn", "Søknaden ble sendt inn")  # the same again is harmless
    with pytest.raises(ValueError):
        events.register("soknad.sendt_inn", "Noe annet")
    with pytest.raises(ValueError):
        events.register("ny.kode", "")


@pytest.mark.django_db
def test_record_refuses_an_unregistered_code_in_development_and_tests(settings):
    settings.DEBUG = False  # the tests alone (settings.TESTING) make it strict
    with pytest.raises(events.UnknownEventType):
        audit.record(None, "finnes.ikke")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_retired_code_is_not_recorded_but_old_rows_read(settings):
    retired = [t for t in events.registered().values() if t.retired]
    assert retired  # nettverk.medlemskap_dato
    with pytest.raises(events.UnknownEventType):
        audit.record(None, retired[0].code)
    with translation.override("nb"):
        assert events.sentence(retired[0].code) == str(retired[0].sentence)


@pytest.mark.django_db
def test_in_production_an_unregistered_code_is_logged_and_still_recorded(settings, caplog):
    settings.DEBUG = False
    settings.TESTING = False
    with caplog.at_level(logging.ERROR, logger="audit.events"):
        event = audit.record(None, "finnes.ikke")
    assert AuditEvent.objects.get().handling == "finnes.ikke"
    assert "finnes.ikke" in caplog.text
    assert event.beskrivelse == "finnes.ikke"  # shown with its code


@pytest.mark.django_db
def test_the_views_show_the_sentence_and_the_code_only_to_staff(reference_data, settings):
    settings.TESTING = False  # an old row, written before its code was registered
    actor = factories.UserFactory()
    new = audit.record(actor, "soknad.sendt_inn", actor)
    old = audit.record(actor, "gammel.kode", actor)
    request = RequestFactory().get("/")
    for user, shows_code in ((actor, False), (factories.UserFactory(is_staff=True), True)):
        request.user = user
        with translation.override("nb"):
            html = render_to_string("audit/_action.html", {"e": new, "request": request})
            old_html = render_to_string("audit/_action.html", {"e": old, "request": request})
        assert "Søknaden ble sendt inn" in html
        assert ("soknad.sendt_inn" in html) is shows_code
        assert "gammel.kode" in old_html
