"""Browser walk in each language: a statsforvalter and a barnevernstjeneste leader switch to bokmål, nynorsk and
English with the language switcher and open the main pages; no page shows a word that belongs to another language.

The data the users see is built with neutral names (Q7 …) so that only the application's own text is checked:
data users type stays as typed and is not translated. Leftovers are found with short lists of words that exist in
one language only (Norwegian words in English, bokmål-only words in nynorsk, English words in bokmål)."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import User
from grants.models import Application
from networks.models import GuidelineVersion, LearningNetwork, NetworkStatus
from organisations.models import Embete, EmbeteNavn, Kommune, Partner
from tests import factories
from tests.grants.conftest import make_round, make_submitted, member

from .test_journey_mfa import log_in

pytestmark = pytest.mark.browser
PASSWORD = "Testpassord-123"

# Words that must not appear in a page in the given language.
FOREIGN_WORDS = {
    "en": ["ikke", "og", "på", "søknad", "Søknad", "søknader", "Lagre", "Totalt", "eller", "valgfritt", "tilskudd"],
    "nn": [
        "ikke",
        "hva",
        "hvordan",
        "hvis",
        "hvilke",
        "tilskudd",
        "Statsforvalteren",
        "noen",
        "ble",
        "dere",
        "Dere",
        "fra",
        "Fra",
    ],
    "nb": ["Save", "Application", "Applications", "Network", "Networks", "Total", "the", "and", "Cancel", "Submit"],
}
SWITCH_BUTTON = {"nb": "Bytt språk", "nn": "Byt språk", "en": "Change language"}


def proper_names(language: str) -> list[str]:
    """Names from the reference data, which are proper names in every language: kommuner, partners (e.g. «RBUP Øst
    og Sør», «Høgskulen på Vestlandet») and, outside nynorsk, the embeter's bokmål names. In nynorsk the embete's
    nynorsk name must be shown, so the bokmål one is not removed there."""
    names = [*Kommune.objects.values_list("navn", flat=True), *Partner.objects.values_list("navn", flat=True)]
    if language == "nn":
        names += Embete.objects.exclude(navn_nynorsk="").values_list("navn_nynorsk", flat=True)
    else:
        names += [*Embete.objects.values_list("navn", flat=True), *EmbeteNavn.objects.values_list("navn", flat=True)]
    return sorted(set(names), key=len, reverse=True)


def foreign_words(text: str, language: str, names: list[str]) -> list[str]:
    """Each foreign word found, with the words around it (to find the string in the code)."""
    for name in names:
        text = text.replace(name, "·")
    found = []
    for word in FOREIGN_WORDS[language]:
        for match in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text):
            found.append(" ".join(text[max(0, match.start() - 40) : match.end() + 40].split()))
    return found


@pytest.fixture
def setup(reference_data, no_mfa):
    g2021 = GuidelineVersion.objects.get(gyldig_fra=datetime.date(2021, 1, 1))
    vestland = factories.embete("vestland")
    kommune = Kommune.objects.get(nummer="4601")
    service = factories.ServiceFactory(navn="BVT Q7", vertskommune=kommune)
    sf = factories.statsforvalter("vestland")
    leader = factories.service_user(service)
    User.objects.filter(pk__in=[sf.pk, leader.pk]).update(first_name="Ada", last_name="Q7")
    network = LearningNetwork.objects.create(
        embete=vestland, navn="Q7 Net", etablert_aar=2022, status=NetworkStatus.AKTIV
    )
    other = factories.ServiceFactory(navn="BVT Q8", vertskommune=Kommune.objects.get(nummer="4621"))
    member(network, service)
    member(network, other)
    today = timezone.localdate()
    rnd = make_round(
        sf,
        g2021,
        aar=today.year,
        tittel="Q7 2026",
        apner=today - datetime.timedelta(days=1),
        frist=today + datetime.timedelta(days=30),
        rapportfrist=today + datetime.timedelta(days=365),
        kriterier="Q7",
    )
    application = make_submitted(
        leader,
        rnd,
        network,
        [service, other],
        navn="Q7 Proj",
        maal="Q7",
        budsjett=[{"type": "stilling", "beskrivelse": "Q7", "belop": "300000"}],
    )
    Application.objects.filter(pk=application.pk).update(aktiviteter="Q7", tidsplan="Q7")
    return {"sf": sf, "leader": leader, "application": application}


def pages_for(role: str, application) -> list[str]:
    """Start page, network list, the application, the profile; the statsforvalter also the application list and
    the national summary (a leader finds the service's applications on the start page)."""
    common = ["/", "/nettverk/", f"/midler/soknader/{application.pk}/", "/konto/email/"]
    return [*common, "/midler/soknader/", "/rapportering/nasjonalt/"] if role == "sf" else common


@pytest.mark.parametrize("role", ["sf", "leader"])
def test_each_language_shows_no_words_from_another(browser_page, setup, role):
    page = browser_page
    user = setup[role]
    page.goto("/konto/login/")
    log_in(page, user.email, PASSWORD)
    found = {}
    names = {language: proper_names(language) for language in FOREIGN_WORDS}
    for language in ("nn", "en", "nb"):
        page.locator("#sprak").select_option(language)
        page.locator("form[action$='/i18n/setlang/'] button").click()
        page.wait_for_load_state("load")
        user.refresh_from_db()
        assert user.sprak == language  # the choice is remembered on the user
        for path in pages_for(role, setup["application"]):
            response = page.goto(path)
            assert response.ok, (path, response.status)
            assert page.locator("html").get_attribute("lang") == language
            words = foreign_words(page.locator("body").inner_text(), language, names[language])
            if words:
                found[(language, path)] = words
    assert not found, f"words from another language: {found}"
