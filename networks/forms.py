from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common import limits
from common.text import NameField
from organisations.models import ChildWelfareService, Kommune, OppvekstTjenestetype, Partner
from ui.forms import DSForm

from .models import DocumentKind, GatheringFormat, LearningNetwork, NetworkStatus, Orientation, PersonRole, Theme

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DATE_WIDGET, **kwargs)


class NetworkForm(DSForm):
    navn = NameField(label=_("Navn"))
    beskrivelse = forms.CharField(
        label=_("Beskrivelse"),
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ikke skriv opplysninger om enkeltbarn eller familier."),
    )
    maal = forms.CharField(
        label=_("Mål"), required=False, max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    etablert_aar = forms.IntegerField(label=_("År etablert"), min_value=2000, max_value=2100)
    orientering = forms.ChoiceField(label=_("Retning"), choices=Orientation.choices)
    temaer = forms.ModelMultipleChoiceField(
        label=_("Temaer"), queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    nye_temaer = forms.CharField(
        label=_("Andre temaer"), required=False, help_text=_("Skill flere temaer med komma."), max_length=500
    )
    overordnet = forms.ModelChoiceField(
        label=_("Del av nettverk"),
        queryset=LearningNetwork.objects.none(),
        required=False,
        help_text=_("Bare for undergrupper i et stort nettverk."),
    )

    def __init__(self, *args, embete=None, exclude_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = LearningNetwork.objects.none()
        if embete:
            qs = LearningNetwork.objects.filter(embete=embete, overordnet__isnull=True)
        if exclude_pk:
            qs = qs.exclude(pk=exclude_pk)
        self.fields["overordnet"].queryset = qs
        if not self.is_bound and "etablert_aar" not in self.initial:
            self.initial["etablert_aar"] = timezone.localdate().year

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["themes"] = list(data.pop("temaer"))
        data["new_themes"] = [t for t in data.pop("nye_temaer", "").split(",") if t.strip()]
        return data


class StatusForm(DSForm):
    status = forms.ChoiceField(label=_("Ny status"), choices=NetworkStatus.choices)
    fra_dato = date_field(_("Gjelder fra"), initial=timezone.localdate)


class InviteServiceForm(DSForm):
    tjeneste = forms.ModelChoiceField(label=_("Barnevernstjeneste"), queryset=ChildWelfareService.objects.none())
    allerede_med = forms.BooleanField(
        label=_("Tjenesten deltar allerede (registrer direkte uten invitasjon)"), required=False
    )
    fra_dato = date_field(_("Med fra (ved direkte registrering)"), required=False)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tjeneste"].queryset = services if services is not None else ChildWelfareService.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("allerede_med") and not data.get("fra_dato"):
            self.add_error("fra_dato", _("Oppgi datoen tjenesten ble med."))
        return data


class DateForm(DSForm):
    dato = date_field(_("Dato"), initial=timezone.localdate)


class LeaveForm(DSForm):
    til_dato = date_field(_("Siste dag i nettverket"), initial=timezone.localdate)
    begrunnelse = forms.CharField(
        label=_("Begrunnelse"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.SHORT_TEXT
    )


class JoinRequestForm(DSForm):
    begrunnelse = forms.CharField(
        label=_("Hvorfor vil dere være med?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.SHORT_TEXT,
    )


class PersonForm(DSForm):
    rolle = forms.ChoiceField(label=_("Rolle i nettverket"), choices=PersonRole.choices)
    user = forms.ModelChoiceField(
        label=_("Bruker i Læringsnett"),
        queryset=None,
        required=False,
        help_text=_("Velg en bruker, eller skriv inn navn under hvis personen ikke har konto."),
    )
    navn = NameField(label=_("Navn"), required=False)
    stilling = forms.CharField(label=_("Stilling"), required=False, max_length=150)
    epost = forms.EmailField(label=_("E-post"), required=False)
    tjeneste = forms.ModelChoiceField(
        label=_("Representerer tjeneste"), queryset=ChildWelfareService.objects.none(), required=False
    )
    kommuneledelse = forms.BooleanField(
        label=_("Personen er fra kommuneledelsen (rådmann/kommunedirektør eller kommunalsjef)"), required=False
    )
    fra_dato = date_field(_("Fra"), initial=timezone.localdate)
    til_dato = date_field(_("Til"), required=False)

    def __init__(self, *args, users=None, services=None, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users if users is not None else User.objects.none()
        self.fields["user"].label_from_instance = lambda u: f"{u.get_full_name()} ({u.email})"
        self.fields["tjeneste"].queryset = services if services is not None else ChildWelfareService.objects.none()
        if roles is not None:
            self.fields["rolle"].choices = [c for c in PersonRole.choices if c[0] in roles]

    def clean(self):
        data = super().clean()
        if data.get("fra_dato") and data.get("til_dato") and data["til_dato"] < data["fra_dato"]:
            self.add_error("til_dato", _("Til-datoen kan ikke være før fra-datoen."))
        if not data.get("user") and not (data.get("navn") or "").strip():
            self.add_error("navn", _("Velg en bruker eller skriv inn navnet på personen."))
        return data


class PartnerLinkForm(DSForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.filter(aktiv=True))
    rolle = forms.CharField(
        label=_("Partnerens rolle i nettverket"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.SHORT_TEXT
    )
    fra_dato = date_field(_("Fra"), initial=timezone.localdate)


class OppvekstForm(DSForm):
    type = forms.ChoiceField(label=_("Type tjeneste"), choices=OppvekstTjenestetype.choices)
    navn = NameField(label=_("Navn"))
    kommune = forms.ModelChoiceField(label=_("Kommune"), queryset=Kommune.objects.none(), required=False)
    fra_dato = date_field(_("Fra"), initial=timezone.localdate)

    def __init__(self, *args, embete=None, **kwargs):
        super().__init__(*args, **kwargs)
        # kommuner ended by a new kommuneinndeling are not offered for new participants
        self.fields["kommune"].queryset = Kommune.objects.aktive().filter(embete=embete).order_by("navn")


class DocumentForm(DSForm):
    type = forms.ChoiceField(label=_("Type dokument"), choices=DocumentKind.choices)
    tittel = NameField(label=_("Tittel"), required=False)
    fil = forms.FileField(
        label=_("Fil"),
        help_text=_("PDF, Word (DOCX) eller OpenDocument (ODT), maks 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt"}),
    )


class GatheringForm(DSForm):
    tittel = NameField(label=_("Tittel"))
    dato = date_field(_("Dato"))
    format = forms.ChoiceField(label=_("Format"), choices=GatheringFormat.choices)
    sted = forms.CharField(label=_("Sted"), required=False, max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=limits.MEDIUM_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    referat = forms.FileField(
        label=_("Referat"),
        required=False,
        help_text=_("PDF, DOCX eller ODT, maks 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt"}),
    )

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attendance_fields = []
        for service in services:
            name = f"oppmote_{service.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("Antall personer fra %(s)s") % {"s": service.navn}, required=False, min_value=0, max_value=500
            )
            self.attendance_fields.append((name, service))

    def attendance(self) -> dict:
        return {s: self.cleaned_data[n] for n, s in self.attendance_fields if self.cleaned_data.get(n)}
