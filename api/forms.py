from django import forms
from django.utils.translation import gettext_lazy as _

from ui.forms import DSForm


class TokenForm(DSForm):
    navn = forms.CharField(
        label=_("Navn på nøkkelen"),
        max_length=100,
        help_text=_("Hva nøkkelen skal brukes til, for eksempel «Månedlig uttrekk til statistikk»."),
        error_messages={"required": _("Gi nøkkelen et navn, for eksempel hva den skal brukes til.")},
    )
    utloper = forms.DateField(
        label=_("Gyldig til og med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Nøkkelen slutter å virke etter denne datoen. Høyst to år fram i tid. Tomt: til du trekker den "
            "tilbake eller rollen din avsluttes."
        ),
        error_messages={"invalid": _("Skriv en gyldig dato.")},
    )
