"""Issue 17, «nothing typed is lost», in Chromium: text typed just before clicking «Vedlegg» or leaving the page
is saved; two people editing the same field see a conflict with both texts; an invalid amount is shown in a
summary at the top while the other fields are saved (static/js/autosave.js, grants/drafts.py)."""

import datetime
import time
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from grants import services
from grants.models import Application, ApplicationRound, RoundStatus
from grants.services import scheme
from networks.models import GuidelineVersion, LearningNetwork, Membership, MembershipStatus, NetworkStatus
from organisations.models import Kommune
from tests import factories

from .test_journey_mfa import log_in

pytestmark = pytest.mark.browser
PASSWORD = "Testpassord-123"


@pytest.fixture
def setup(reference_data, no_mfa):
    vestland = factories.embete("vestland")
    bergen = factories.ServiceFactory(navn="Barneverntjenesten i Bergen")
    askoy = factories.ServiceFactory(navn="Barneverntjenesten i Askøy", vertskommune=Kommune.objects.get(nummer="4627"))
    network = LearningNetwork.objects.create(
        embete=vestland, navn="Fosterhjemsnettverket Vest", etablert_aar=2024, status=NetworkStatus.AKTIV
    )
    for service in (bergen, askoy):
        Membership.objects.create(
            network=network, tjeneste=service, status=MembershipStatus.AKTIV, fra_dato=datetime.date(2024, 1, 1)
        )
    today = timezone.localdate()
    rnd = ApplicationRound.objects.create(
        ordning=scheme(),
        embete=vestland,
        aar=today.year,
        tittel=f"Stimuleringsmidler {today.year}",
        apner=today - datetime.timedelta(days=5),
        frist=today + datetime.timedelta(days=30),
        retningslinjer=GuidelineVersion.objects.order_by("-gyldig_fra").first(),
        kriterier="Samarbeid mellom tjenester.",
        status=RoundStatus.PUBLISERT,
        publisert=timezone.now(),
    )
    leader = factories.UserFactory(email="leder@bergen.example.no")
    RoleAssignment.objects.create(user=leader, rolle=Role.TJENESTE_LEDER, tjeneste=bergen)
    colleague = factories.UserFactory(email="kollega@bergen.example.no")
    RoleAssignment.objects.create(user=colleague, rolle=Role.TJENESTE_MEDARBEIDER, tjeneste=bergen)
    application = services.create_application(
        leader, rnd, kategori="fosterhjem", network=network, prosjektnavn="Felles veiledning"
    )
    services.save_draft(
        leader,
        application,
        maal="Første mål.",
        aktiviteter="Samlinger.",
        tidsplan="Hele året.",
        budsjett=[{"type": "stilling", "beskrivelse": "Prosjektleder", "belop": Decimal("300000")}],
        tjenester=[bergen, askoy],
    )
    return {"application": application, "leader": leader, "colleague": colleague}


def edit_url(application) -> str:
    return f"/midler/soknader/{application.pk}/endre/"


def saved(application) -> Application:
    """The draft as saved. The live server shares the SQLite test database: a read while it writes is retried."""
    for _attempt in range(50):
        try:
            return Application.objects.get(pk=application.pk)
        except OperationalError:  # "database table is locked" while the server thread writes
            time.sleep(0.1)
    return Application.objects.get(pk=application.pk)


def eventually(check, seconds: float = 8.0):
    """Poll the database until check() is true (a keepalive save may land just after the page is gone)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def open_draft(page, user, application):
    page.set_default_timeout(60_000)  # the journeys share a busy machine; a slow page is not a failure here
    page.goto("/konto/login/")
    log_in(page, user.email, PASSWORD)
    page.goto(edit_url(application))
    page.wait_for_load_state("load")


def test_text_typed_just_before_clicking_vedlegg_is_saved(browser_page, setup):
    page, application = browser_page, setup["application"]
    open_draft(page, setup["leader"], application)
    page.get_by_label("Mål").fill("Skrevet rett før klikket.")
    page.get_by_role("link", name="Vedlegg").click()  # no pause: the page saves first, then navigates
    page.wait_for_url(f"**/soknader/{application.pk}/vedlegg/")
    assert saved(application).maal == "Skrevet rett før klikket."


def test_text_typed_just_before_leaving_the_page_is_saved(browser_page, setup):
    page, application = browser_page, setup["application"]
    open_draft(page, setup["leader"], application)
    page.get_by_label("Planlagte aktiviteter").fill("Skrevet rett før siden ble forlatt.")
    page.goto("/")  # away at once, through the address bar
    assert eventually(lambda: saved(application).aktiviteter == "Skrevet rett før siden ble forlatt.")


def test_an_invalid_amount_is_listed_at_the_top_and_the_rest_is_saved(browser_page, setup):
    page, application = browser_page, setup["application"]
    open_draft(page, setup["leader"], application)
    page.get_by_label("Tidsplan").fill("Mars til desember.")
    page.get_by_label("Egeninnsats (kr)").fill("100000,50")
    summary = page.locator("[data-autosave-summary]")
    summary.wait_for(state="visible")
    assert "Skriv hele kroner, uten øre." in summary.inner_text()
    # The summary is above the fields, and its link leads to the field.
    box, field = summary.bounding_box(), page.get_by_label("Mål").bounding_box()
    assert box["y"] < field["y"]
    assert summary.get_by_role("link").first.get_attribute("href") == "#id_egeninnsats"
    assert page.get_by_label("Egeninnsats (kr)").get_attribute("aria-invalid") == "true"
    assert eventually(lambda: saved(application).tidsplan == "Mars til desember.")
    assert saved(application).egeninnsats == 0
    assert page.get_by_label("Egeninnsats (kr)").input_value() == "100000,50"  # nothing typed is lost


def test_two_people_editing_the_same_field_see_a_conflict_with_both_texts(browser, browser_page, setup, live_server):
    application = setup["application"]
    first = browser_page
    open_draft(first, setup["leader"], application)
    context = browser.new_context(locale="nb-NO", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    second = context.new_page()
    open_draft(second, setup["colleague"], application)

    first.get_by_label("Mål").fill("Lederens mål.")
    first.get_by_role("button", name="Lagre utkast").click()
    first.wait_for_load_state("load")
    assert saved(application).maal == "Lederens mål."

    second.get_by_label("Mål").fill("Kollegaens mål.")
    second.get_by_label("Tidsplan").fill("Kollegaens tidsplan.")
    conflict = second.locator("[data-conflict='maal']")
    conflict.wait_for(state="visible")
    assert conflict.locator("[data-conflict-mine]").inner_text() == "Kollegaens mål."
    assert conflict.locator("[data-conflict-theirs]").inner_text() == "Lederens mål."
    assert saved(application).maal == "Lederens mål."  # nothing overwritten
    assert eventually(lambda: saved(application).tidsplan == "Kollegaens tidsplan.")  # the other field merged
    assert second.get_by_label("Mål").input_value() == "Kollegaens mål."  # nothing discarded

    conflict.get_by_role("button", name="Behold min tekst").click()
    assert eventually(lambda: saved(application).maal == "Kollegaens mål.")
    context.close()
