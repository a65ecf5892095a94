"""Organisasjonsnummer: 9 digits with a MOD11 check digit, Norwegian error messages, and a DB constraint."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisations.models import ChildWelfareService, Kommune
from organisations.validators import clean_orgnr, validate_orgnr
from tests.factories import valid_orgnr


@pytest.mark.parametrize("n", [0, 1, 7, 42, 999])
def test_generated_orgnr_is_accepted(n):
    orgnr = valid_orgnr(n)
    assert clean_orgnr(orgnr) == orgnr


def test_real_orgnr_is_accepted():
    assert clean_orgnr("974760673") == "974760673"  # Brønnøysundregistrene
    validate_orgnr("974760673")  # does not raise


@pytest.mark.parametrize("raw", ["974 760 673", " 974760673 ", "974 760673"])
def test_spaces_are_compacted(raw):
    assert clean_orgnr(raw) == "974760673"


@pytest.mark.parametrize("raw", ["97476067", "9747606731", "", "abcdefghi", "97476067X"])
def test_wrong_length_or_non_digits_are_rejected(raw):
    with pytest.raises(ValidationError) as exc:
        clean_orgnr(raw)
    assert exc.value.code == "orgnr_length"
    assert "må ha nøyaktig 9 siffer" in exc.value.messages[0]


@pytest.mark.parametrize("raw", ["974760674", "974760670", "123456789"])
def test_wrong_check_digit_is_rejected(raw):
    with pytest.raises(ValidationError) as exc:
        clean_orgnr(raw)
    assert exc.value.code == "orgnr_checksum"
    assert exc.value.messages == [f"Organisasjonsnummeret {raw} har feil kontrollsiffer (MOD11)."]


def test_none_is_rejected_with_length_message():
    with pytest.raises(ValidationError, match="9 siffer"):
        clean_orgnr(None)


def test_model_field_validates_orgnr(reference_data):
    service = ChildWelfareService(navn="Test", orgnr="974760674", vertskommune=Kommune.objects.get(nummer="4601"))
    with pytest.raises(ValidationError) as exc:
        service.full_clean()
    assert "kontrollsiffer" in exc.value.message_dict["orgnr"][0]


@pytest.mark.parametrize("orgnr", ["12345678", "12345678a", "97476067 "])
def test_db_constraint_rejects_orgnr_that_is_not_nine_digits(reference_data, orgnr):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildWelfareService.objects.create(navn="Feil", orgnr=orgnr, vertskommune=Kommune.objects.get(nummer="4601"))
    assert not ChildWelfareService.objects.exists()


def test_db_accepts_nine_digit_orgnr(reference_data):
    ChildWelfareService.objects.create(
        navn="Riktig", orgnr="974760673", vertskommune=Kommune.objects.get(nummer="4601")
    )
    assert ChildWelfareService.objects.filter(orgnr="974760673").exists()
