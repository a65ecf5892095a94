"""Input that must never be stored (issue 20): identity numbers of children and families in free text and
uploaded documents, amounts too large for a money column (a 500 on PostgreSQL), and dates far outside what
the grant scheme can mean (a 500 on the postponement page). Refused with a Norwegian message; nothing saved."""

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from grants import services
from grants.models import Application, Attachment, Decision
from tests.common.test_sensitive import ACCOUNT, DNR, FNR, MESSAGE, NOT_FNR, docx_with, pdf_with

from .test_views_applicant import draft_post, html, login, snapshot_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]

LARGEST = "999\u00a0999\u00a0999\u00a0999\u00a0kr"  # written with non-breaking spaces, as amounts are
TOO_LARGE = f"Beløpet er for stort. Det største beløpet Læringsnett kan lagre, er {LARGEST}."


# --- identity numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [FNR, f"{FNR[:6]} {FNR[6:]}", DNR, f"{DNR[:6]}.{DNR[6:]}"])
@pytest.mark.parametrize("field", ["maal", "aktiviteter", "budsjett-0-beskrivelse"])
def test_identity_number_in_the_application_is_refused_and_nothing_saved(client, draft, leader, number, field):
    """Issue 17: the field with the number is refused and not saved (nor audited); the other fields are saved."""
    before = services.snapshot(Application.objects.get(pk=draft.pk))
    refused = "budsjett" if field.startswith("budsjett") else field  # the budget lines are one field
    login(client, leader)
    typed = f"Gjelder barnet med nummer {number} i Bergen."
    data = draft_post(draft, **{field: typed})
    response = client.post(reverse("grants:application_autosave", args=[draft.pk]), data)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [MESSAGE]
    assert refused not in response.json()["lagrede_felt"]
    page = client.post(reverse("grants:application_edit", args=[draft.pk]), data)
    assert page.status_code == 200
    assert MESSAGE in html(page)
    assert escape(typed) in html(page), "what was typed comes back in the form"
    after = services.snapshot(Application.objects.get(pk=draft.pk))
    assert after[refused] == before[refused], "the refused field keeps its saved value"
    assert after["tidsplan"] == "Mars–desember." != before["tidsplan"], "the valid fields are saved"
    digits = re.sub(r"\D", "", number)
    assert not any(digits in re.sub(r"\D", "", json.dumps(e.endringer)) for e in AuditEvent.objects.all()), (
        "no audit row holds the refused number"
    )
    assert number not in json.dumps(after, ensure_ascii=False)


@pytest.mark.parametrize("number", [NOT_FNR, ACCOUNT, "1503.12.34567", "+47 912 34 567"])
def test_other_eleven_digit_numbers_are_accepted(client, draft, leader, number):
    login(client, leader)
    text = f"Kontakt oss på {number}."
    response = client.post(reverse("grants:application_autosave", args=[draft.pk]), draft_post(draft, maal=text))
    assert response.status_code == 200, response.content
    assert Application.objects.get(pk=draft.pk).maal == text


def test_the_application_form_reminds_the_leader(client, draft, leader):
    page = html(login(client, leader).get(reverse("grants:application_edit", args=[draft.pk])))
    assert "Ikke skriv opplysninger om enkeltbarn eller familier (navn, fødselsnummer, saksdetaljer)." in page


def test_identity_number_in_an_appeal_is_refused(client, sf, leader, assessed, frame):
    from grants import services

    services.decide(sf, assessed, utfall="delvis_innvilget", belop="300000", begrunnelse="For høyt budsjett.")
    login(client, leader)
    detail = html(client.get(reverse("grants:application_detail", args=[assessed.pk])))
    assert 'name="klage-begrunnelse"' in detail
    assert "Ikke skriv opplysninger om enkeltbarn eller familier" in detail
    response = client.post(
        reverse("grants:appeal_create", args=[assessed.pk]), {"klage-begrunnelse": f"Saken gjelder {FNR}."}
    )
    assert response.status_code == 400
    assert MESSAGE in html(response)
    assert not Decision.objects.get().klager.exists()


@pytest.mark.parametrize(("name", "build"), [("vedtak.pdf", pdf_with), ("plan.docx", docx_with)])
def test_attachment_with_an_identity_number_is_refused(client, draft, leader, name, build):
    login(client, leader)
    url = reverse("grants:application_attachment", args=[draft.pk])
    response = client.post(url, {"tittel": "Plan", "fil": SimpleUploadedFile(name, build(f"Barn {FNR}"))})
    assert response.status_code == 200
    assert "Dokumentet ser ut til å inneholde et fødselsnummer eller D-nummer." in html(response)
    assert not Attachment.objects.exists()
    response = client.post(url, {"tittel": "Plan", "fil": SimpleUploadedFile(name, build(f"Konto {ACCOUNT}"))})
    assert response.status_code == 302
    assert Attachment.objects.count() == 1


# --- amounts ----------------------------------------------------------------------------------------


def test_budget_lines_summing_past_what_a_money_column_holds_are_refused(client, draft, leader):
    """Each line is below the bound, but their sum (the amount applied for) is not: a 500 on PostgreSQL."""
    before = snapshot_of(draft)
    login(client, leader)
    data = draft_post(draft, **{"budsjett-0-belop": "999999999999", "budsjett-1-belop": "999 999 999 999"})
    response = client.post(reverse("grants:application_autosave", args=[draft.pk]), data)
    assert response.status_code == 400
    message = response.json()["errors"]["budsjett"][0]
    assert message.startswith("Budsjettets sum er for stor")
    assert f"Det største beløpet Læringsnett kan lagre, er {LARGEST}." in message
    page = client.post(reverse("grants:application_edit", args=[draft.pk]), data)
    assert page.status_code == 200 and "Budsjettets sum er for stor" in html(page)
    assert 'value="999 999 999 999"' in html(page), "what was typed comes back"
    after = services.snapshot(Application.objects.get(pk=draft.pk))
    # Issue 17: the budget (and annen finansiering, checked against its sum) keeps its saved value; the rest is saved.
    for name in ("budsjett", "budsjett_sum", "soknadsbelop", "annen_finansiering"):
        assert after[name] == before[0][name]
    assert after["tidsplan"] == "Mars–desember." != before[0]["tidsplan"]


def test_a_huge_budget_line_is_a_form_error(client, draft, leader):
    before = snapshot_of(draft)
    login(client, leader)
    data = draft_post(draft, **{"budsjett-0-belop": "99 999 999 999 999 999 999"})
    response = client.post(reverse("grants:application_autosave", args=[draft.pk]), data)
    assert response.status_code == 400
    assert response.json()["errors"]["budsjett-0-belop"] == [TOO_LARGE]
    assert "budsjett" not in response.json()["lagrede_felt"]
    after = services.snapshot(Application.objects.get(pk=draft.pk))
    assert after["budsjett"] == before[0]["budsjett"] and after["soknadsbelop"] == before[0]["soknadsbelop"]
    assert after["tidsplan"] == "Mars–desember." != before[0]["tidsplan"], "the valid fields are saved (issue 17)"


def test_staff_amount_fields_carry_the_bound(client, sf, assessed, frame):
    login(client, sf)
    response = client.post(
        reverse("grants:decide", args=[assessed.pk]),
        {"vedtak-utfall": "delvis_innvilget", "vedtak-belop": "1e20", "vedtak-begrunnelse": "Delvis."},
    )
    assert response.status_code == 400
    assert TOO_LARGE in html(response)
    assert not Decision.objects.exists()


# --- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "31.12.9999", "1900-01-01"])
def test_decision_with_an_absurd_report_deadline_is_refused(client, sf, assessed, frame, day):
    login(client, sf)
    response = client.post(
        reverse("grants:decide", args=[assessed.pk]),
        {
            "vedtak-utfall": "delvis_innvilget",
            "vedtak-belop": "300000",
            "vedtak-begrunnelse": "Delvis.",
            "vedtak-rapportfrist": day,
        },
    )
    assert response.status_code == 400
    page = html(response)
    assert "Datoen må være mellom 01.01.2000 og 31.12.2041" in page
    assert not Decision.objects.exists()


def test_a_sane_report_deadline_is_still_accepted(client, sf, assessed, frame):
    """Issue 17: a report deadline within five years of the decision is accepted; one within the global date range
    but further ahead (31.12.2041) is refused with the rule's message."""
    login(client, sf)
    data = {
        "vedtak-utfall": "delvis_innvilget",
        "vedtak-belop": "300000",
        "vedtak-begrunnelse": "Delvis.",
        "vedtak-rapportfrist": "2041-12-31",
    }
    response = client.post(reverse("grants:decide", args=[assessed.pk]), data)
    assert response.status_code == 400
    assert "Rapportfristen" in html(response)
    assert not Decision.objects.exists()
    latest = timezone.localdate().replace(year=timezone.localdate().year + 5)
    response = client.post(reverse("grants:decide", args=[assessed.pk]), {**data, "vedtak-rapportfrist": str(latest)})
    assert response.status_code == 302
    assert Decision.objects.get().rapportfrist == latest
    assert Decision.objects.get().belop == Decimal("300000")
