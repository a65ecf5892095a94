from django import forms
from django.utils.translation import gettext_lazy as _

from common.text import NameField
from ui.forms import DSForm, DSModelForm

from .models import Kommune, Maalform, Partner
from .validators import clean_orgnr


class KommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)  # "4602 Kinn (opphørt 01.01.2027)" for an ended kommune a service already has


class KommuneMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ServiceForm(DSForm):
    navn = NameField(label=_("Navn"))
    orgnr = forms.CharField(
        label=_("Organisasjonsnummer"), max_length=11, help_text=_("9 siffer, som i Enhetsregisteret.")
    )
    vertskommune = KommuneChoiceField(
        label=_("Vertskommune"), queryset=Kommune.objects.none(), help_text=_("Kommunen som driver tjenesten.")
    )
    kommuner = KommuneMultipleChoiceField(
        label=_("Kommuner tjenesten dekker"),
        queryset=Kommune.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("For en interkommunal tjeneste: velg alle deltakerkommunene. Vertskommunen tas alltid med."),
    )
    epost = forms.EmailField(label=_("E-post (postmottak)"), required=False)
    aktiv = forms.BooleanField(label=_("Aktiv"), required=False, initial=True)

    def __init__(self, *args, kommuner_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = kommuner_qs if kommuner_qs is not None else Kommune.objects.aktive()
        self.fields["vertskommune"].queryset = qs
        self.fields["kommuner"].queryset = qs


class MaalformForm(DSForm):
    maalform = forms.ChoiceField(label=_("Målform"), choices=Maalform.choices)


class ServiceImportForm(DSForm):
    fil = forms.FileField(
        label=_("Fil (CSV eller XLSX)"),
        help_text=_("Kolonner: navn, orgnr, vertskommune, kommuner (skilt med ;), epost, aktiv. Maks 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    bare_kontroller = forms.BooleanField(label=_("Bare kontroller filen (importerer ingenting)"), required=False)

    MAX_SIZE = 2 * 1024 * 1024

    def clean_fil(self):
        f = self.cleaned_data["fil"]
        if f.size == 0:
            raise forms.ValidationError(_("Filen er tom."))
        if f.size > self.MAX_SIZE:
            raise forms.ValidationError(_("Filen er for stor (maks 2 MB)."))
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Filtypen støttes ikke. Last opp en CSV- eller XLSX-fil."))
        return f


class PartnerForm(DSModelForm):
    navn = NameField(label=_("Navn"))
    region = NameField(label=_("Region"), max_length=100, required=False)

    class Meta:
        model = Partner
        fields = ["navn", "type", "region", "orgnr", "nettside", "aktiv"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # accept "974 760 673" as written in Enhetsregisteret; it is stored as 9 digits
        self.fields["orgnr"].max_length = 11
        self.fields["orgnr"].widget.attrs["maxlength"] = "11"
        self.fields["orgnr"].validators = []
        self.fields["orgnr"].help_text = _("9 siffer, som i Enhetsregisteret.")

    def clean_orgnr(self):
        value = self.cleaned_data["orgnr"]
        return clean_orgnr(value) if value else ""
