"""Issue 20 for the organisation registry: text limits on every save, names cleaned of invisible and bidi control
characters (common.text) on every path, a partner name that differs only by such characters or case is taken,
and no fødselsnummer or D-nummer gets in through the forms or the service import (common.sensitive)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from common import limits
from organisations.forms import PartnerForm, ServiceForm
from organisations.models import ChildWelfareService, Kommune, Partner, PartnerType
from organisations.services import create_service, save_partner, update_service
from tests import factories
from tests.common.test_sensitive import ACCOUNT, DNR, FNR, MESSAGE
from tests.factories import valid_orgnr
from tests.organisations.test_import import GOOD_ROWS, HEADER, csv_bytes, run_import, xlsx_bytes

ZWSP, RLO, SHY = "\u200b", "\u202e", "\u00ad"
IMPORT_MESSAGE = (
    "Cellen ser ut til å inneholde et fødselsnummer eller D-nummer. Læringsnett skal ikke inneholde "
    "opplysninger om enkeltbarn eller familier. Fjern nummeret fra filen og last den opp igjen."
)


# --- text limits ----------------------------------------------------------------------------------


def test_organisations_is_guarded_by_the_length_check():
    assert "organisations" in limits.LIMITED_APPS


def test_too_long_names_are_refused_whatever_the_path(vestland_service):
    vestland_service.navn = "x" * 201
    with pytest.raises(ValidationError) as exc:
        vestland_service.save()
    assert list(exc.value.message_dict) == ["navn"]
    assert "200" in exc.value.message_dict["navn"][0]
    with pytest.raises(ValidationError) as exc:
        Partner.objects.create(navn="Senter", type=PartnerType.ANNET, region="r" * 101)
    assert list(exc.value.message_dict) == ["region"]
    assert not Partner.objects.filter(navn="Senter").exists()


def test_reference_data_fits_the_columns(reference_data):
    """The reference data is loaded by the fixture with the guard on; the longest names are far from the limits."""
    for model in (Kommune, Partner):
        for obj in model.objects.all():
            limits.check(obj)
    assert Partner.objects.exists() and Kommune.objects.count() > 300


# --- barnevernstjenester ----------------------------------------------------------------------


def test_service_form_cleans_the_name(reference_data):
    bergen = Kommune.objects.get(nummer="4601")
    form = ServiceForm(
        {"navn": f" Barnevern{ZWSP}tjenesten\n i {RLO}Bergen{SHY} ", "orgnr": "974760673", "vertskommune": bergen.pk}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["navn"] == "Barneverntjenesten i Bergen"


def test_service_form_refuses_a_name_of_invisible_characters_only(reference_data):
    form = ServiceForm({"navn": f"{ZWSP}{RLO} ", "orgnr": "974760673", "vertskommune": ""})
    assert not form.is_valid()
    assert form.errors["navn"] == ["Feltet er påkrevet."]


@pytest.mark.parametrize("number", [FNR, DNR, f"{FNR[:6]} {FNR[6:]}"])
def test_service_form_refuses_an_identity_number_in_the_name(reference_data, number):
    bergen = Kommune.objects.get(nummer="4601")
    form = ServiceForm({"navn": f"Bergen {number}", "orgnr": "974760673", "vertskommune": bergen.pk})
    assert not form.is_valid()
    assert form.errors["navn"] == [MESSAGE]


def test_services_clean_the_name_themselves(sf_vestland):
    bergen = Kommune.objects.get(nummer="4601")
    service = create_service(sf_vestland, navn=f"{RLO}Bergen{ZWSP}  barnevern", orgnr="974760673", vertskommune=bergen)
    assert ChildWelfareService.objects.get(pk=service.pk).navn == "Bergen barnevern"
    update_service(sf_vestland, service, navn=f"Bergen\u2066 barnevern{SHY}tjeneste")
    assert ChildWelfareService.objects.get(pk=service.pk).navn == "Bergen barneverntjeneste"
    with pytest.raises(ValidationError) as exc:
        update_service(sf_vestland, service, navn=ZWSP)
    assert exc.value.message_dict == {"navn": ["Navn må fylles ut."]}


def test_service_name_sits_isolated_in_the_heading(login, sf_vestland):
    service = factories.ServiceFactory(navn="Barneverntjenesten i Bergen")
    page = login(sf_vestland).get(reverse("organisations:service_detail", args=[service.pk])).content.decode()
    assert '<h1 class="ds-heading" data-size="lg"><bdi>Barneverntjenesten i Bergen</bdi></h1>' in page
    page = login(sf_vestland).get(reverse("organisations:service_update", args=[service.pk])).content.decode()
    assert "<bdi>Barneverntjenesten i Bergen</bdi></h1>" in page


# --- partners -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "navn", ["RKBU Vest (NORCE)", f"RKBU{ZWSP} Vest (NORCE)", f"{RLO}rkbu vest  (norce){SHY}", "RKBU\u00a0VEST (NORCE)"]
)
def test_partner_name_taken_in_another_spelling_is_refused(sf_vestland, navn):
    before = Partner.objects.count()
    with pytest.raises(ValidationError) as exc:
        save_partner(sf_vestland, Partner(navn=navn, type=PartnerType.RKBU))
    assert exc.value.message_dict == {"navn": ["Det finnes allerede en partner med dette navnet."]}
    assert Partner.objects.count() == before
    assert not AuditEvent.objects.filter(handling="partner.opprettet").exists()


def test_partner_form_page_refuses_a_lookalike_name_once(login, sf_vestland):
    before = Partner.objects.count()
    response = login(sf_vestland).post(
        reverse("organisations:partner_create"), {"navn": f"RKBU{ZWSP} Vest (NORCE)", "type": "rkbu"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["navn"] == ["Det finnes allerede en partner med dette navnet."]
    assert Partner.objects.count() == before


def test_partner_keeps_its_own_name_when_edited(sf_vestland):
    partner = Partner.objects.get(navn="RKBU Vest (NORCE)")
    partner.navn = f"RKBU Vest{ZWSP} (NORCE)"
    partner.region = f" Vest{RLO}landet "
    save_partner(sf_vestland, partner)
    partner.refresh_from_db()
    assert (partner.navn, partner.region) == ("RKBU Vest (NORCE)", "Vestlandet")


def test_partner_form_cleans_name_and_region(reference_data):
    form = PartnerForm({"navn": f"Senter{ZWSP} for {RLO}barnevern", "type": "annet", "region": f"Nord{SHY}\n"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["navn"], form.cleaned_data["region"]) == ("Senter for barnevern", "Nord")
    assert PartnerForm({"navn": "Senter", "type": "annet", "region": "r" * 101}).errors["region"]


@pytest.mark.parametrize("field", ["navn", "region"])
def test_partner_form_refuses_an_identity_number(reference_data, field):
    data = {"navn": "Senter", "type": "annet", "region": "Nord"}
    data[field] = f"{data[field]} {DNR}"
    form = PartnerForm(data)
    assert not form.is_valid()
    assert form.errors[field] == [MESSAGE]


# --- the service import ---------------------------------------------------------------------------


def test_imported_names_are_cleaned(sf_vestland):
    rows = [(f"{RLO}Bergen{ZWSP}  barnevern{SHY}", valid_orgnr(1), "4601", "", "", "ja")]
    report = run_import(sf_vestland, csv_bytes(rows))
    assert report.ok, report.errors
    assert ChildWelfareService.objects.get().navn == "Bergen barnevern"
    # re-importing the same file finds the service unchanged
    assert run_import(sf_vestland, csv_bytes(rows)).unchanged == 1


def test_imported_name_of_invisible_characters_only_is_missing(sf_vestland):
    report = run_import(sf_vestland, csv_bytes([(f"{ZWSP}{RLO}", valid_orgnr(1), "4601", "", "", "")]))
    assert report.errors == [(2, "navn: Navn mangler.")]


@pytest.mark.parametrize("number", [FNR, DNR, f"{FNR[:6]} {FNR[6:]}", f"{DNR[:6]}-{DNR[6:]}"])
def test_identity_number_in_an_imported_name_stops_the_import(sf_vestland, number):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], (f"Barnevern {number}", valid_orgnr(4), "4601", "", "", "")]
    for dry_run in (True, False):
        report = run_import(sf_vestland, csv_bytes(rows), dry_run=dry_run)
        assert report.errors == [(4, f"navn: {IMPORT_MESSAGE}")]
        assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert not ChildWelfareService.objects.exists()
    assert not AuditEvent.objects.exists()


def test_identity_number_in_any_column_is_reported_without_repeating_it(sf_vestland):
    header = [*HEADER, "merknad"]
    rows = [
        (*GOOD_ROWS[0], ""),
        ("Sunnhordland", valid_orgnr(2), "4612", f"4611;{FNR}", "", DNR, ""),
        ("Kinn", valid_orgnr(3), "4602", "", "", "ja", f"Gjelder {FNR[:6]}.{FNR[6:]}"),
    ]
    report = run_import(sf_vestland, csv_bytes(rows, header=header))
    assert report.errors == [
        (3, f"aktiv: {IMPORT_MESSAGE}"),
        (3, f"kommuner: {IMPORT_MESSAGE}"),
        (4, f"merknad: {IMPORT_MESSAGE}"),
    ]
    assert not any(FNR in message or DNR in message for _line, message in report.errors)
    assert not ChildWelfareService.objects.exists()


def test_identity_number_typed_as_a_number_in_excel_is_found(sf_vestland):
    """Excel stores 01019012345 as the number 1019012345: the lost leading zero must not hide it."""
    born_first = "01011500052"
    assert born_first.startswith("0") and len(str(int(born_first))) == 10
    from stdnum.no import fodselsnummer

    assert fodselsnummer.is_valid(born_first)
    header = [*HEADER, "merknad"]
    rows = [(*GOOD_ROWS[0], int(born_first)), (*GOOD_ROWS[1], int(FNR)), (*GOOD_ROWS[2], int(ACCOUNT))]
    report = run_import(sf_vestland, xlsx_bytes(rows, header=header), "tjenester.xlsx")
    assert report.errors == [(2, f"merknad: {IMPORT_MESSAGE}"), (3, f"merknad: {IMPORT_MESSAGE}")]
    assert not ChildWelfareService.objects.exists()


def test_ordinary_numbers_in_an_import_pass(sf_vestland):
    header = [*HEADER, "merknad"]
    rows = [(*GOOD_ROWS[0], f"Konto {ACCOUNT}, tlf. 55 56 60 00, 12 ansatte")]
    report = run_import(sf_vestland, csv_bytes(rows, header=header))
    assert report.ok, report.errors
    assert report.created == 1


def test_import_page_shows_the_line(login, sf_vestland):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [GOOD_ROWS[0], (f"Barnevern {FNR}", valid_orgnr(4), "4601", "", "", "")]
    response = login(sf_vestland).post(
        reverse("organisations:service_import"),
        {"fil": SimpleUploadedFile("tjenester.csv", csv_bytes(rows), content_type="text/csv")},
    )
    page = response.content.decode()
    assert f"Linje 3: navn: {IMPORT_MESSAGE}" in page
    assert FNR not in page
    assert not ChildWelfareService.objects.exists()
