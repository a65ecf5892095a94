"""The invitation form: a role and, for the role, the embete, child welfare service or partner it is for. It lives
above organisations (it lists their rows) rather than in accounts, which sits below them (issue 16)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SERVICE_ROLES, STATSFORVALTER_ROLES, Role
from ui.forms import DSForm

from .models import ChildWelfareService, Embete, Partner


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
