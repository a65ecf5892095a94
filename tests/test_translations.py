"""Translations are complete: every message the code and templates use is in the nynorsk (nn) and English (en)
catalogues, translated and not fuzzy; the bokmål (nb) catalogue (msgids are bokmål; it only overrides a few of
Django's and DRF's strings) has nothing fuzzy or empty; and the committed .mo files match their .po files.

The messages in use are extracted with Django's makemessages into a temporary copy (the real catalogues are not
touched). Needs GNU gettext (xgettext, msgfmt); CI installs it (.ci/run); elsewhere the test is skipped without it.
"""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("nb", "nn", "en")
# Not the application's own code: the virtualenv, front-end packages, runtime files, the tests themselves.
IGNORE = [".venv", "node_modules", "var", "staticfiles", "tests", "bench", "laeringsnett.egg-info", "htmlcov"]
# Not our messages either: nynorsk for django-allauth's own (English) msgids, which allauth ships no nn catalogue for
# (a second LOCALE_PATHS entry; Django merges it with locale/). Checked on its own below, not counted as ours.
ALLAUTH_NN = Path(settings.BASE_DIR) / "locale_allauth" / "nn" / "LC_MESSAGES"

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="GNU gettext (xgettext, msgfmt) is not installed: apt-get install gettext",
)


def _catalogue(po: Path, tmp_path: Path) -> dict[tuple[str, str], str | tuple[str, ...]]:
    """{(context, msgid): translation} of the translated, non-fuzzy entries, as msgfmt compiles them."""
    mo = tmp_path / f"{po.parent.parent.name}-{po.stat().st_ino}.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True, capture_output=True)
    return _read_mo(mo)


def _read_mo(mo: Path) -> dict[tuple[str, str], object]:
    with mo.open("rb") as f:
        translations = gettext.GNUTranslations(f)
    result = {}
    for key, value in translations._catalog.items():  # noqa: SLF001 - the parsed catalogue is what we compare
        msgid, index = (key[0], key[1]) if isinstance(key, tuple) else (key, None)
        if msgid == "":
            continue
        context, _sep, msgid = msgid.rpartition("\x04")
        if index is None:
            result[(context, msgid)] = value
        else:
            result.setdefault((context, msgid), {})[index] = value
    return result


def _statistics(po: Path) -> str:
    run = subprocess.run(["msgfmt", "--statistics", "-o", os.devnull, str(po)], capture_output=True, text=True)
    return run.stderr.strip()


def _fuzzy(po: Path) -> list[str]:
    run = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-wrap", str(po)], capture_output=True, text=True, check=True
    )
    return [line[7:-1] for line in run.stdout.splitlines() if line.startswith('msgid "') and line != 'msgid ""']


def _untranslated(po: Path) -> list[str]:
    run = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line[7:-1] for line in run.stdout.splitlines() if line.startswith('msgid "') and line != 'msgid ""']


@pytest.fixture(scope="module")
def used_messages(tmp_path_factory) -> set[tuple[str, str]]:
    """(context, msgid) of every message the application uses, extracted by makemessages from a temporary copy of
    the source (without locale/: makemessages would otherwise write into the real catalogues)."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: apt-get install gettext")
    root = tmp_path_factory.mktemp("i18n")
    source, target = root / "src", root / "out"
    shutil.copytree(
        settings.BASE_DIR,
        source,
        ignore=shutil.ignore_patterns(*IGNORE, "locale", "locale_allauth", ".*", "*.pyc", "__pycache__"),
    )
    cwd = os.getcwd()
    os.chdir(source)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(settings, "LOCALE_PATHS", [str(target)])
            call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    run = subprocess.run(
        ["msgen", "--no-wrap", "-o", str(root / "en.po"), str(target / "en" / "LC_MESSAGES" / "django.po")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return set(_catalogue(root / "en.po", root))


@needs_gettext
@pytest.mark.parametrize("language", ["nn", "en"])
def test_every_message_in_use_is_translated(used_messages, language, tmp_path):
    catalogue = _catalogue(LOCALE / language / "LC_MESSAGES" / "django.po", tmp_path)
    missing = sorted(msgid for context, msgid in used_messages - set(catalogue))
    assert not missing, f"{len(missing)} messages missing or untranslated in locale/{language}: {missing[:20]}"
    assert len(used_messages) > 1000  # the extraction found the application's messages


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_fuzzy_or_empty_entries(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert _fuzzy(po) == [], f"fuzzy entries in locale/{language}"
    assert _untranslated(po) == [], f"untranslated entries in locale/{language}"


@needs_gettext
def test_nynorsk_and_english_have_the_same_messages(tmp_path):
    nn = set(_catalogue(LOCALE / "nn" / "LC_MESSAGES" / "django.po", tmp_path))
    en = set(_catalogue(LOCALE / "en" / "LC_MESSAGES" / "django.po", tmp_path))
    assert sorted(m for _c, m in en - nn) == []
    assert sorted(m for _c, m in nn - en) == []


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_matches_the_po_file(language, tmp_path):
    """compilemessages was run after the last change to the .po file."""
    folder = LOCALE / language / "LC_MESSAGES"
    assert _read_mo(folder / "django.mo") == _catalogue(folder / "django.po", tmp_path), (
        f"run: .venv/bin/python manage.py compilemessages -l {language}"
    )


@needs_gettext
def test_the_allauth_nynorsk_catalogue_is_translated_and_compiled(tmp_path):
    po = ALLAUTH_NN / "django.po"
    assert _fuzzy(po) == []
    assert _untranslated(po) == []
    assert _read_mo(ALLAUTH_NN / "django.mo") == _catalogue(po, tmp_path), (
        "run: .venv/bin/python manage.py compilemessages -l nn --ignore=.venv --ignore=node_modules"
    )


def test_allauth_pages_are_nynorsk_in_nn_and_ours_still_win():
    """Both LOCALE_PATHS catalogues are merged for nn: allauth's strings in nynorsk, ours unchanged."""
    from django.utils import translation

    assert settings.LOCALE_PATHS[-1] == ALLAUTH_NN.parent.parent
    with translation.override("nn"):
        assert translation.gettext("Forgot your password?") == "Gløymt passordet ditt?"
        assert translation.gettext("Are you sure you want to sign out?") == "Er du sikker på at du vil logge ut?"
        assert translation.gettext("Glemt passordet?") == _nn_of("Glemt passordet?")
    with translation.override("nb"):
        assert translation.gettext("Forgot your password?") == "Glemt ditt passord?"  # allauth's own nb
    with translation.override("en"):
        assert translation.gettext("Are you sure you want to sign out?") == "Are you sure you want to sign out?"


def _nn_of(msgid: str) -> str:
    with (LOCALE / "nn" / "LC_MESSAGES" / "django.mo").open("rb") as f:
        return gettext.GNUTranslations(f).gettext(msgid)
