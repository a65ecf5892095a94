"""Issue 17: whole kroner everywhere, through one parser (common.money.parse_kroner): the forms people type are
accepted, øre and words are refused with a message saying what to write, and every money form field
(ui.forms.KronerField) and grants.services.money use it."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from common.money import parse_kroner
from grants import services
from grants.forms_applicant import ApplicationForm, BudgetLineForm, FrameForm
from grants.forms_staff import DecideForm, PaymentForm
from ui.forms import AmountField, KronerField

NBSP = "\u00a0"
ORE = "Skriv hele kroner, uten øre."
DIGITS = f"Skriv beløpet med sifre, for eksempel 1{NBSP}500{NBSP}000."


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1200000", 1200000),
        ("1 200 000", 1200000),
        ("1.200.000", 1200000),
        ("1200000 kr", 1200000),
        ("1 200 000 kr", 1200000),
        ("1 200 000,-", 1200000),
        ("kr 1 200 000", 1200000),
        (f"1{NBSP}200{NBSP}000", 1200000),
        ("1\u2009200\u2009000", 1200000),  # thin spaces
        ("1\u202f200\u202f000", 1200000),  # narrow no-break spaces
        ("100 000,00", 100000),
        ("1.200.000,00", 1200000),
        ("1,200,000", 1200000),
        ("  5000  ", 5000),
        ("0", 0),
        (Decimal("250000.00"), 250000),
        (250000, 250000),
        ("999999999999", 999999999999),
    ],
)
def test_the_forms_people_type_are_accepted(text, amount):
    parsed = parse_kroner(text)
    assert parsed == Decimal(amount) and isinstance(parsed, Decimal)
    assert parsed.as_tuple().exponent == 0  # whole kroner


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("100000,50", ORE),
        ("100000.50", ORE),
        ("1 200 000,5", ORE),
        (Decimal("100000.50"), ORE),
        ("1,5 mill", DIGITS),
        ("1,5 millioner", DIGITS),
        ("en million", DIGITS),
        ("300k", DIGITS),
        ("NaN", DIGITS),
        ("Infinity", DIGITS),
        ("12-000", DIGITS),
        ("-5", "Beløpet kan ikke være negativt."),
        (
            "1000000000000",
            "Beløpet er for stort. Det største beløpet Læringsnett kan lagre, er "
            f"999{NBSP}999{NBSP}999{NBSP}999{NBSP}kr.",
        ),
    ],
)
def test_ore_and_words_are_refused_with_what_works(text, message):
    with pytest.raises(ValidationError) as info:
        parse_kroner(text)
    assert info.value.messages == [message]


def test_empty_is_none_and_a_label_prefixes_the_message():
    assert parse_kroner("") is None and parse_kroner("  ") is None and parse_kroner(None) is None
    with pytest.raises(ValidationError) as info:
        parse_kroner("100000,50", "Egeninnsats")
    assert info.value.messages == ["Egeninnsats: skriv hele kroner, uten øre."]


def test_the_service_parser_is_the_same_parser():
    assert services.money("1.200.000 kr", "belop", "Beløpet") == Decimal("1200000")
    with pytest.raises(ValidationError) as info:
        services.money("100000,50", "belop", "Beløpet")
    assert info.value.message_dict == {"belop": ["Beløpet: skriv hele kroner, uten øre."]}
    with pytest.raises(ValidationError) as info:
        services.money("", "belop", "Beløpet")
    assert info.value.message_dict == {
        "belop": [f"Beløpet: skriv beløpet med sifre, for eksempel 1{NBSP}500{NBSP}000."]
    }


class _Form(forms.Form):
    belop = KronerField(label="Beløp")
    valgfritt = KronerField(label="Valgfritt", required=False)


def test_the_form_field_parses_and_keeps_what_was_typed():
    form = _Form({"belop": "1 200 000,-", "valgfritt": ""})
    assert form.is_valid()
    assert form.cleaned_data == {"belop": Decimal("1200000"), "valgfritt": None}
    form = _Form({"belop": "100000,50"})
    assert not form.is_valid()
    assert form.errors["belop"] == [ORE]
    assert 'value="100000,50"' in str(form["belop"])  # nothing typed is lost
    assert not _Form({"belop": ""}).is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form_class", "kwargs", "field"),
    [
        (ApplicationForm, {}, "egeninnsats"),
        (ApplicationForm, {}, "annen_finansiering"),
        (BudgetLineForm, {}, "belop"),
        (FrameForm, {}, "belop"),
        (DecideForm, {}, "belop"),
        (PaymentForm, {}, "belop"),
    ],
)
def test_money_fields_across_the_forms_use_the_one_field(form_class, kwargs, field):
    assert AmountField is KronerField
    form = form_class(**kwargs)
    assert isinstance(form.fields[field], KronerField)


@pytest.mark.django_db
def test_a_draft_amount_with_ore_is_refused_on_the_form():
    form = BudgetLineForm({"type": "stilling", "beskrivelse": "", "belop": "100000,50"})
    assert not form.is_valid()
    assert form.errors["belop"] == [ORE]
    form = BudgetLineForm({"type": "stilling", "beskrivelse": "", "belop": "100 000 kr"})
    assert form.is_valid() and form.cleaned_data["belop"] == Decimal("100000")
