from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import ChildWelfareService, Embete, Partner
from ui.forms import DSForm

from .models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role
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


class InvitationForm(DSForm):
    email = forms.EmailField(label=_("E-postadresse"))
    rolle = forms.ChoiceField(label=_("Rolle"))
    tjeneste = forms.ModelChoiceField(
        label=_("Barnevernstjeneste"), queryset=ChildWelfareService.objects.none(), required=False
    )
    embete = forms.ModelChoiceField(label=_("Embete"), queryset=Embete.objects.none(), required=False)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False)

    def __init__(self, *args, roles, services, embeter, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rolle"].choices = roles
        self.fields["tjeneste"].queryset = services
        self.fields["embete"].queryset = embeter
        self.fields["partner"].queryset = partners
        granted = {value for value, _label in roles}
        if not granted & set(SERVICE_ROLES):
            del self.fields["tjeneste"]
        if not granted & set(STATSFORVALTER_ROLES):
            del self.fields["embete"]
        if Role.PARTNER not in granted:
            del self.fields["partner"]

    def clean(self):
        data = super().clean()
        rolle = data.get("rolle")
        if rolle in SERVICE_ROLES and not data.get("tjeneste"):
            self.add_error("tjeneste", _("Velg hvilken barnevernstjeneste personen skal inviteres til."))
        if rolle in STATSFORVALTER_ROLES and not data.get("embete"):
            self.add_error("embete", _("Velg embete."))
        if rolle == Role.PARTNER and not data.get("partner"):
            self.add_error("partner", _("Velg partner."))
        return data


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
