"""Form errors: an error summary at the top (linking to the fields) and a message at each field, in Norwegian."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisations.forms import PartnerForm, ServiceForm, ServiceImportForm
from organisations.models import ChildWelfareService, Kommune, Partner, PartnerType

ENGLISH = ("This field is required", "Enter a valid", "Select a valid choice", "Ensure this value")


def summary(page: str) -> str:
    match = re.search(r'<div class="ds-error-summary".*?</div>', page, re.S)
    assert match, "the page has no error summary"
    return match.group(0)


def field_error(page: str, field: str) -> str:
    match = re.search(rf'<div class="ds-validation-message" id="id_{field}_error">(.*?)</div>', page, re.S)
    assert match, f"no error message at the field {field}"
    return match.group(1)


def test_service_form_errors_are_summarised_and_shown_at_each_field(login, sf_vestland):
    response = login(sf_vestland).post(
        reverse("organisations:service_create"),
        {"navn": "", "orgnr": "974760674", "vertskommune": "", "epost": "ikke-en-adresse"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    top = summary(page)
    assert "Rett opp dette før du går videre:" in top
    assert '<a class="ds-link" href="#id_navn">Navn: Feltet er påkrevet.</a>' in top
    assert '<a class="ds-link" href="#id_vertskommune">Vertskommune: Feltet er påkrevet.</a>' in top
    assert 'href="#id_epost">E-post (postmottak): Oppgi en gyldig e-postadresse</a>' in top
    assert "Feltet er påkrevet." in field_error(page, "navn")
    assert "Oppgi en gyldig e-postadresse" in field_error(page, "epost")
    assert 'aria-invalid="true"' in page
    assert not any(english in page for english in ENGLISH)
    assert not ChildWelfareService.objects.exists()


def test_orgnr_checked_by_the_service_is_shown_at_the_field(login, sf_vestland):
    kinn = Kommune.objects.get(nummer="4602")
    response = login(sf_vestland).post(
        reverse("organisations:service_create"), {"navn": "Kinn", "orgnr": "974760674", "vertskommune": kinn.pk}
    )

    page = response.content.decode()
    message = "Organisasjonsnummeret 974760674 har feil kontrollsiffer (MOD11)."
    assert f'href="#id_orgnr">Organisasjonsnummer: {message}</a>' in summary(page)
    assert message in field_error(page, "orgnr")


def test_kommune_outside_own_embete_is_a_norwegian_choice_error(login, sf_vestland):
    kristiansand = Kommune.objects.get(nummer="4204")
    response = login(sf_vestland).post(
        reverse("organisations:service_create"),
        {"navn": "Kinn", "orgnr": "974760673", "vertskommune": kristiansand.pk},
    )
    message = response.context["form"].errors["vertskommune"][0]
    assert message.startswith("Velg et gyldig valg")
    assert message in field_error(response.content.decode(), "vertskommune")


def test_partner_form_errors(login, sf_vestland):
    response = login(sf_vestland).post(
        reverse("organisations:partner_create"),
        {"navn": "", "type": "ukjent", "orgnr": "12345", "nettside": "ikke en adresse"},
    )
    page = response.content.decode()
    top = summary(page)
    assert "Navn: Feltet er påkrevet." in top
    assert "Organisasjonsnummeret må ha nøyaktig 9 siffer (fikk «12345»)." in field_error(page, "orgnr")
    assert "Oppgi en gyldig nettadresse." in field_error(page, "nettside")
    assert "Velg et gyldig valg" in field_error(page, "type")
    assert not any(english in page for english in ENGLISH)
    assert not Partner.objects.filter(orgnr="12345").exists()


def test_import_form_error_is_summarised(login, sf_vestland):
    response = login(sf_vestland).post(reverse("organisations:service_import"), {})
    page = response.content.decode()
    assert 'href="#id_fil">Fil (CSV eller XLSX): Feltet er påkrevet.</a>' in summary(page)
    assert "Feltet er påkrevet." in field_error(page, "fil")


def test_forms_without_errors_render_no_summary(login, sf_vestland):
    page = login(sf_vestland).get(reverse("organisations:service_create")).content.decode()
    assert "ds-error-summary" not in page
    assert "ds-validation-message" not in page


# --- the form classes -------------------------------------------------------------------------


def test_partner_form_stores_orgnr_as_nine_digits(reference_data):
    form = PartnerForm(data={"navn": "Senter", "type": PartnerType.ANNET, "orgnr": " 974 760 673 "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["orgnr"] == "974760673"


def test_partner_form_orgnr_is_optional(reference_data):
    form = PartnerForm(data={"navn": "Senter", "type": PartnerType.ANNET, "orgnr": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["orgnr"] == ""


@pytest.mark.parametrize(
    ("orgnr", "message"),
    [("974760674", "feil kontrollsiffer"), ("97476067", "9 siffer"), ("974 760 6733", "9 siffer")],
)
def test_partner_form_rejects_bad_orgnr(reference_data, orgnr, message):
    form = PartnerForm(data={"navn": "Senter", "type": PartnerType.ANNET, "orgnr": orgnr})
    assert not form.is_valid()
    assert message in form.errors["orgnr"][0]


def test_service_form_limits_kommuner_to_given_queryset(reference_data):
    vestland = Kommune.objects.filter(embete__slug="vestland")
    form = ServiceForm(
        data={"navn": "X", "orgnr": "974760673", "vertskommune": Kommune.objects.get(nummer="4204").pk},
        kommuner_qs=vestland,
    )
    assert not form.is_valid()
    assert "vertskommune" in form.errors
    assert set(form.fields["kommuner"].queryset) == set(vestland)


def test_import_form_rejects_other_file_types(reference_data):
    form = ServiceImportForm(data={}, files={"fil": SimpleUploadedFile("liste.pdf", b"%PDF-1.4")})
    assert not form.is_valid()
    assert form.errors["fil"] == ["Filtypen støttes ikke. Last opp en CSV- eller XLSX-fil."]
