from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from django import forms
from django.utils.translation import gettext_lazy as _

from ui.forms import DSForm

from .selectors import address_of_another_account


class AddEmailForm(AllauthAddEmailForm):
    """/konto/email/ (allauth, ACCOUNT_FORMS["add_email"]): an address that is another account's (its login address or
    any address it has added, in any letter case) cannot be added. allauth would accept it unverified (to hide which
    addresses have accounts); here accounts are made by invitation only, and an unverified copy of someone else's
    address must never be taken for the user's own."""

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip()
        if self.user is not None and address_of_another_account(email, self.user):
            raise forms.ValidationError(
                _("Denne e-postadressen tilhører en annen konto. Du kan bare legge til adresser som er dine egne."),
                code="email_taken",
            )
        return super().clean_email()


class AcceptInvitationForm(DSForm):
    first_name = forms.CharField(label=_("Fornavn"), max_length=150)
    last_name = forms.CharField(label=_("Etternavn"), max_length=150)
    password1 = forms.CharField(
        label=_("Velg passord"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 10 tegn. Unngå vanlige ord og bare tall."),
    )
    password2 = forms.CharField(
        label=_("Gjenta passordet"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Passordene er ikke like."))
        return data
