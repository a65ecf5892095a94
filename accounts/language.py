"""The user's interface language: chosen with the language switcher, remembered on the user (User.sprak), and the
language of every e-mail to them. Blank means not chosen: the default language (settings.LANGUAGE_CODE, bokmål).

One place for the rule, used by the middleware (remember and activate), accounts.services (a new user's first
language) and every e-mail task (in_language_of)."""

from django.conf import settings
from django.utils import translation

from .models import User


def known_languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def language_of(user) -> str:
    """The language to address this user in: the one they chose, else the default."""
    chosen = getattr(user, "sprak", "") or ""
    return chosen if chosen in known_languages() else settings.LANGUAGE_CODE


def in_language_of(user):
    """Context manager: render (e-mails, PDFs) in the user's language. No user: the default language."""
    if user is None:
        return translation.override(settings.LANGUAGE_CODE)
    return translation.override(language_of(user))


def remember_language(user, code: str) -> bool:
    """Store the language the user chose. True when it changed."""
    if code not in known_languages() or user.sprak == code:
        return False
    user.sprak = code
    User.objects.filter(pk=user.pk).update(sprak=code)
    return True


def starting_language(*, tjeneste=None) -> str:
    """The first language of a person invited to a barnevernstjeneste: nynorsk when the service's vertskommune
    writes nynorsk (målform), else blank (the default, bokmål)."""
    kommune = getattr(tjeneste, "vertskommune", None)
    # Kommune.letter_language: the one rule for which kommuner write nynorsk (organisations sits above accounts,
    # so the kommune is reached through the invitation's service, not imported).
    if kommune is not None and kommune.letter_language == "nynorsk":
        return "nn"
    return ""


def addresses_by_language(addresses) -> dict[str, list[str]]:
    """E-mail addresses grouped by the language of their owner (the default for an address without a user), for
    mails sent to several people at once: one message per language."""
    chosen = dict(User.objects.filter(email__in=list(addresses)).values_list("email", "sprak"))
    groups: dict[str, list[str]] = {}
    for address in addresses:
        groups.setdefault(language_of(User(sprak=chosen.get(address, ""))), []).append(address)
    return groups
