"""What every form checks once, centrally (ui.forms.DesignsystemetFormMixin, issue 20): identity numbers in
free-text fields, dates outside the sane range (common.dates), amounts above what a money column holds
(common.money via AmountField). Fields added after __init__ are checked; structured and disabled ones are not."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.db import models

from common import dates, money
from tests.common.test_sensitive import ACCOUNT, DNR, FNR, MESSAGE
from ui.forms import AmountField, DSForm

TODAY = datetime.date(2026, 2, 2)


class SampleForm(DSForm):
    tekst = forms.CharField(required=False, widget=forms.Textarea)
    tittel = forms.CharField(required=False)
    epost = forms.EmailField(required=False)
    belop = AmountField(required=False)
    dato = forms.DateField(required=False)
    laast = forms.CharField(required=False, disabled=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["senere"] = forms.CharField(required=False)  # like the report's per-line comments


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 2, 2, 12, 0), tick=False):
        yield


@pytest.mark.parametrize("field", ["tekst", "tittel", "senere"])
@pytest.mark.parametrize("number", [FNR, DNR])
def test_free_text_with_an_identity_number_is_refused(field, number):
    form = SampleForm({field: f"Gjelder {number}."})
    assert not form.is_valid()
    assert form.errors == {field: [MESSAGE]}
    assert field not in form.cleaned_data


def test_structured_and_disabled_fields_are_not_free_text():
    form = SampleForm({"belop": FNR, "epost": f"{FNR}@example.no"}, initial={"laast": FNR})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["laast"] == FNR  # stored before; the user cannot change it here


def test_ordinary_text_passes():
    form = SampleForm({"tekst": f"Konto {ACCOUNT}, 12 deltakere, 1 650 000 kr.", "dato": "2026-03-01"})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("value", "ok"),
    [("1999-12-31", False), ("2000-01-01", True), ("2041-12-31", True), ("2042-01-01", False), ("9999-12-31", False)],
)
def test_dates_must_lie_in_the_range(value, ok):
    form = SampleForm({"dato": value})
    assert form.is_valid() is ok
    if not ok:
        assert form.errors["dato"][0].startswith("Datoen må være mellom 01.01.2000 og 31.12.2041.")


def test_the_range_follows_today():
    assert dates.latest(datetime.date(2030, 6, 1)) == datetime.date(2045, 12, 31)
    assert dates.add_days(datetime.date.max, 30) == datetime.date.max
    assert dates.add_days(TODAY, 30) == datetime.date(2026, 3, 4)


@pytest.mark.parametrize(
    ("value", "ok"), [("999999999999", True), ("999 999 999 999", True), ("1000000000000", False), ("1e20", False)]
)
def test_amount_fields_carry_the_bound(value, ok):
    form = SampleForm({"belop": value})
    assert form.is_valid() is ok
    if ok:
        assert form.cleaned_data["belop"] == Decimal("999999999999")  # parsed by common.money.parse_kroner
    else:
        assert form.errors["belop"] == [
            "Beløpet er for stort. Det største beløpet Læringsnett kan lagre, er "
            "999\u00a0999\u00a0999\u00a0999\u00a0kr."
        ]


def test_the_bound_matches_every_money_column():
    """common.money.MAX_AMOUNT is what the smallest money column holds; a column that holds less would overflow."""
    columns = [
        f
        for label in ("grants", "projects", "followup", "reporting")
        for model in apps.get_app_config(label).get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.DecimalField) and f.decimal_places == 2
    ]
    assert columns
    for f in columns:
        assert Decimal(10) ** (f.max_digits - f.decimal_places) >= money.MAX_AMOUNT, f
