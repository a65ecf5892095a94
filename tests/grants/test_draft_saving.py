"""Issue 17, «nothing typed is lost»: a draft is saved field by field (grants/drafts.py). One invalid field never
blocks the others; saves carry the revision and base values they started from, so changes to different fields
merge and a conflicting change to the same field comes back with both texts, saving nothing for that field."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from grants import drafts
from grants.models import Application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "no_mfa")]

NBSP = "\u00a0"


def loaded(application) -> dict:
    """What the edit page gives a user who opens the draft now: its revision and base values."""
    application = Application.objects.get(pk=application.pk)
    return {"revisjon": application.utkast_revisjon, "base": drafts.current(application)}


def form_data(state: dict, **changes) -> dict:
    """A full POST of the draft form from a loaded state, with some fields changed (html field names)."""
    values = state["base"]
    data = {
        "utkast_revisjon": str(state["revisjon"]),
        "utkast_base": json.dumps(state["base"]),
        "maal": values["maal"],
        "aktiviteter": values["aktiviteter"],
        "tidsplan": values["tidsplan"],
        "tjenester": values["tjenester"],
        "ansvarlig_soker": values["ansvarlig_soker"] or "",
        "egeninnsats": values["egeninnsats"],
        "annen_finansiering": values["annen_finansiering"],
        "budsjett-TOTAL_FORMS": str(len(values["budsjett"])),
        "budsjett-INITIAL_FORMS": str(len(values["budsjett"])),
        "partnere-TOTAL_FORMS": "0",
        "partnere-INITIAL_FORMS": "0",
    }
    for i, (kind, text, amount) in enumerate(values["budsjett"]):
        data.update({f"budsjett-{i}-type": kind, f"budsjett-{i}-beskrivelse": text, f"budsjett-{i}-belop": amount})
    data.update(changes)
    return data


def autosave(client, user, application, data):
    client.force_login(user)
    return client.post(reverse("grants:application_autosave", args=[application.pk]), data)


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def test_one_invalid_field_does_not_block_the_others(client, draft, leader):
    state = loaded(draft)
    response = autosave(
        client, leader, draft, form_data(state, maal="Nytt mål", tidsplan="Hele 2026", egeninnsats="100000,50")
    )
    assert response.status_code == 400
    data = response.json()
    assert data["errors"] == {"egeninnsats": ["Skriv hele kroner, uten øre."]}
    assert data["saved"] is False and data["lagrede_felt"] == ["maal", "tidsplan"]
    saved = fresh(draft)
    assert (saved.maal, saved.tidsplan, saved.egeninnsats) == ("Nytt mål", "Hele 2026", Decimal("0"))
    assert saved.utkast_revisjon == state["revisjon"] + 1
    assert data["revisjon"] == saved.utkast_revisjon
    assert data["base"]["egeninnsats"] == "0"  # the refused field keeps its base: it is still unsaved


def test_a_service_rule_refuses_only_its_fields(client, draft, leader):
    """Other funding above the budget's sum: the amount (and the budget it is checked against) is not saved, the
    text is."""
    response = autosave(client, leader, draft, form_data(loaded(draft), maal="Mål", annen_finansiering="900 000"))
    assert response.status_code == 400
    assert "kan ikke være større enn budsjettets sum" in response.json()["errors"]["annen_finansiering"][0]
    saved = fresh(draft)
    assert (saved.maal, saved.annen_finansiering) == ("Mål", Decimal("50000"))


def test_the_save_button_saves_the_valid_fields_and_lists_the_error_at_the_top(client, draft, leader):
    client.force_login(leader)
    page = client.post(
        reverse("grants:application_edit", args=[draft.pk]),
        form_data(loaded(draft), maal="Lagret likevel", annen_finansiering="1,5 mill"),
    )
    assert page.status_code == 200
    html = page.content.decode()
    summary = html.index('id="feiloppsummering"')
    assert summary < html.index('name="maal"')  # at the top of the form, not at the bottom
    assert f"Skriv beløpet med sifre, for eksempel 1{NBSP}500{NBSP}000." in html
    assert 'href="#id_annen_finansiering"' in html
    assert "1,5 mill" in html  # what was typed is shown again
    assert fresh(draft).maal == "Lagret likevel"


def test_changes_to_different_fields_merge(client, draft, leader, colleague):
    first, second = loaded(draft), loaded(draft)
    response = autosave(client, leader, draft, form_data(first, maal="Ledernes mål"))
    assert response.status_code == 200, response.json()
    response = autosave(client, colleague, draft, form_data(second, aktiviteter="Kollegaens aktiviteter"))
    assert response.status_code == 200
    data = response.json()
    assert data["konflikter"] == []
    saved = fresh(draft)
    assert (saved.maal, saved.aktiviteter) == ("Ledernes mål", "Kollegaens aktiviteter")
    # The colleague's page is told about the leader's change and takes it in; it keeps its revision until then.
    assert data["oppdatert"] == {"maal": "Ledernes mål"}
    assert data["revisjon"] == second["revisjon"]
    assert data["base"]["maal"] == second["base"]["maal"]


def test_a_conflict_on_the_same_field_returns_both_texts_and_saves_nothing_for_it(client, draft, leader, colleague):
    first, second = loaded(draft), loaded(draft)
    assert autosave(client, leader, draft, form_data(first, maal="Lederens tekst")).status_code == 200
    revision = fresh(draft).utkast_revisjon
    response = autosave(
        client, colleague, draft, form_data(second, maal="Kollegaens tekst", tidsplan="Kollegaens tidsplan")
    )
    assert response.status_code == 409
    data = response.json()
    [conflict] = data["konflikter"]
    assert (conflict["felt"], conflict["min"], conflict["lagret"]) == ("maal", "Kollegaens tekst", "Lederens tekst")
    saved = fresh(draft)
    assert saved.maal == "Lederens tekst"  # nothing of the leader's is overwritten
    assert saved.tidsplan == "Kollegaens tidsplan"  # the other field is saved
    assert saved.utkast_revisjon == revision + 1
    # Saving again as before (nothing chosen) is still a conflict: nothing is discarded without a choice.
    again = {**form_data(second, maal="Kollegaens tekst"), "utkast_base": json.dumps(data["base"])}
    again["utkast_revisjon"] = str(data["revisjon"])
    response = autosave(client, colleague, draft, again)
    assert response.status_code == 409 and fresh(draft).maal == "Lederens tekst"
    # The colleague chooses their own text.
    base = {**data["base"], "maal": conflict["verdi"]}
    chosen = {**again, "utkast_base": json.dumps(base)}
    assert autosave(client, colleague, draft, chosen).status_code == 200
    assert fresh(draft).maal == "Kollegaens tekst"


def test_the_save_button_shows_a_conflict_with_both_texts(client, draft, leader, colleague):
    first, second = loaded(draft), loaded(draft)
    assert autosave(client, leader, draft, form_data(first, maal="Lederens tekst")).status_code == 200
    client.force_login(colleague)
    url = reverse("grants:application_edit", args=[draft.pk])
    page = client.post(url, form_data(second, maal="Kollegaens tekst"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lederens tekst" in html and "Kollegaens tekst" in html
    assert 'name="behold_min" value="maal"' in html
    assert fresh(draft).maal == "Lederens tekst"
    # «Behold min tekst» posts the form with the choice.
    response = client.post(url, {**form_data(second, maal="Kollegaens tekst"), "behold_min": "maal"})
    assert response.status_code == 302 and fresh(draft).maal == "Kollegaens tekst"


def test_budget_lines_are_one_field_for_conflicts(client, draft, leader, colleague):
    first, second = loaded(draft), loaded(draft)
    assert autosave(client, leader, draft, form_data(first, **{"budsjett-0-belop": "310 000"})).status_code == 200
    response = autosave(client, colleague, draft, form_data(second, **{"budsjett-1-belop": "1.000"}))
    assert response.status_code == 409
    [conflict] = response.json()["konflikter"]
    assert conflict["felt"] == "budsjett"
    assert f"310{NBSP}000{NBSP}kr" in conflict["lagret"] and f"1{NBSP}000{NBSP}kr" in conflict["min"]
    assert sorted(fresh(draft).budsjett.values_list("belop", flat=True)) == [Decimal("100000"), Decimal("310000")]


def test_a_stale_revision_without_base_values_cannot_overwrite(client, draft, leader, colleague):
    old = loaded(draft)
    assert autosave(client, leader, draft, form_data(old, maal="Lederens tekst")).status_code == 200
    data = form_data(old, maal="Gammel side")
    del data["utkast_base"]  # a page that sends only its (old) revision
    response = autosave(client, colleague, draft, data)
    assert response.status_code == 409
    assert fresh(draft).maal == "Lederens tekst"
    # Without base values every field that differs from the saved one is a conflict (it cannot be told apart
    # from a change); the same values as saved are no conflict.
    data = form_data(old, maal="Lederens tekst")
    del data["utkast_base"]
    assert autosave(client, colleague, draft, data).status_code == 200


def test_the_same_change_by_both_is_no_conflict(client, draft, leader, colleague):
    first, second = loaded(draft), loaded(draft)
    assert autosave(client, leader, draft, form_data(first, maal="Samme")).status_code == 200
    assert autosave(client, colleague, draft, form_data(second, maal="Samme")).status_code == 200


def test_outsiders_cannot_save_and_nothing_changes(client, draft, askoy, sf):
    from tests import factories

    before = (fresh(draft).maal, fresh(draft).utkast_revisjon)
    for outsider in (factories.service_user(askoy), sf):
        response = autosave(client, outsider, draft, form_data(loaded(draft), maal="Innbrudd"))
        assert response.status_code == 404
    assert (fresh(draft).maal, fresh(draft).utkast_revisjon) == before


def test_the_edit_page_carries_the_revision_and_base(client, draft, leader):
    client.force_login(leader)
    page = client.get(reverse("grants:application_edit", args=[draft.pk]))
    html = page.content.decode()
    assert f'name="utkast_revisjon" value="{fresh(draft).utkast_revisjon}"' in html
    assert 'name="utkast_base"' in html and "data-autosave-summary" in html
