"""Forms for the project pages (projects/views/projects.py). Validation of substance lives in
projects.services.projects; the forms parse input and offer the right choices."""

from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common import limits
from common.text import NameField
from networks.models import Orientation, Theme
from organisations.models import ChildWelfareService, Partner
from ui.forms import DSForm

from .models import Category, OutputKind, Phase

PRIVACY = _("Ikke skriv personopplysninger om barn eller familier.")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DATE_WIDGET, **kwargs)


def _person_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.email})" if name else user.email


class ProjectForm(DSForm):
    navn = NameField(label=_("Navn"))
    kategori = forms.ChoiceField(label=_("Kategori"), choices=Category.choices)
    orientering = forms.ChoiceField(label=_("Retning"), choices=Orientation.choices)
    beskrivelse = forms.CharField(
        label=_("Beskrivelse"),
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Hva prosjektet gjør og hvorfor. Vises i kunnskapsbanken hvis prosjektet er med der.")
        + " "
        + PRIVACY,
    )
    temaer = forms.ModelMultipleChoiceField(
        label=_("Temaer"), queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    nye_temaer = forms.CharField(
        label=_("Andre temaer"), required=False, help_text=_("Skill flere temaer med komma."), max_length=500
    )
    planlagt_start = date_field(_("Planlagt start"), required=False)
    planlagt_slutt = date_field(_("Planlagt slutt"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("planlagt_start"), data.get("planlagt_slutt")
        if start and end and end < start:
            self.add_error("planlagt_slutt", _("Planlagt slutt kan ikke være før planlagt start."))
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["themes"] = list(data.pop("temaer"))
        data["new_themes"] = [t for t in data.pop("nye_temaer", "").split(",") if t.strip()]
        return data


class PhaseForm(DSForm):
    fase = forms.ChoiceField(label=_("Ny fase"), choices=Phase.choices)
    fra_dato = date_field(_("Gjelder fra"), initial=timezone.localdate)
    begrunnelse = forms.CharField(
        label=_("Begrunnelse"),
        required=False,
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Må fylles ut når et avsluttet prosjekt tas opp igjen."),
    )


class ServiceForm(DSForm):
    tjeneste = forms.ModelChoiceField(
        label=_("Barnevernstjeneste"),
        queryset=ChildWelfareService.objects.none(),
        help_text=_("Bare tjenester som deltar i nettverket, kan være med i prosjektet."),
    )
    fra_dato = date_field(_("Med fra"), initial=timezone.localdate)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["tjeneste"].queryset = services


class PersonChoiceForm(DSForm):
    """Choose a person working in a service taking part in the project."""

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.person_field]
        field.queryset = users if users is not None else User.objects.none()
        field.label_from_instance = _person_label


class LeaderForm(PersonChoiceForm):
    person_field = "prosjektleder"
    prosjektleder = forms.ModelChoiceField(
        label=_("Prosjektleder"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Ingen prosjektleder"),
        help_text=_("Prosjektlederen arbeider i en av tjenestene som deltar i prosjektet."),
    )


class ContactForm(PersonChoiceForm):
    person_field = "user"
    user = forms.ModelChoiceField(
        label=_("Kontaktperson"),
        queryset=User.objects.none(),
        help_text=_("Kontaktpersonene får påminnelser om rapporteringsfrister."),
    )
    rolle = forms.CharField(
        label=_("Rolle i prosjektet"),
        required=False,
        max_length=200,
        help_text=_("For eksempel «koordinator» eller «fagansvarlig i Voss»."),
    )


class PartnerForm(DSForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.filter(aktiv=True).order_by("navn"))
    rolle = forms.CharField(
        label=_("Partnerens rolle i prosjektet"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hva partneren bidrar med, for eksempel veiledning, opplæring eller følgeevaluering."),
    )
    fra_dato = date_field(_("Fra"), initial=timezone.localdate)


class OutputForm(DSForm):
    type = forms.ChoiceField(label=_("Type resultat"), choices=OutputKind.choices)
    tittel = NameField(label=_("Tittel"))
    beskrivelse = forms.CharField(
        label=_("Beskrivelse"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Hva resultatet er, og hvordan andre kan bruke det.") + " " + PRIVACY,
    )
    lenke = forms.URLField(
        label=_("Lenke"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Til en nettside der resultatet ligger, for eksempel en veileder eller en film."),
    )
    fil = forms.FileField(
        label=_("Vedlegg"),
        required=False,
        help_text=_("PDF, Word (DOCX) eller OpenDocument (ODT), maks 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt"}),
    )
    fjern_fil = forms.BooleanField(label=_("Fjern vedlegget"), required=False)
    i_bruk_andre = forms.BooleanField(label=_("Resultatet er tatt i bruk i andre tjenester"), required=False)
    i_bruk_beskrivelse = forms.CharField(
        label=_("Hvor er det tatt i bruk?"),
        required=False,
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Må fylles ut når resultatet er tatt i bruk i andre tjenester."),
    )

    def __init__(self, *args, current_file: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fil"].widget = forms.FileInput(attrs={"accept": ".pdf,.docx,.odt", "class": "ds-input"})
        if current_file:
            self.fields["fil"].help_text = (
                _("Nå: %(f)s. Last opp en ny fil for å erstatte den.") % {"f": escape(current_file)}
                + " "
                + str(self.fields["fil"].help_text)
            )
        else:
            del self.fields["fjern_fil"]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("fil"):
            data["fil"] = None
        return data


class DateForm(DSForm):
    dato = date_field(_("Dato"), initial=timezone.localdate)
