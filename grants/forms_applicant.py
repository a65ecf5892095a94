"""Forms for Bufdir's frames, the statsforvalter's rounds and the applicants' drafts. Forms only parse and
check shape; the rules live in grants.services, which every view calls for the write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common import limits
from common.text import NameField
from networks.forms import date_field
from networks.models import GuidelineVersion, LearningNetwork, MembershipStatus
from organisations.models import ChildWelfareService, Embete, Partner
from projects.models import Category, DevelopmentProject
from ui.forms import AmountField, DSForm

from . import services
from .models import BudgetKind, RequiredDocument


def _amount(value, field: str, label, *, blank_is_zero: bool = True):
    """Parse an amount with the service's parser (KronerField has parsed it already: a Decimal or None); a
    Norwegian form error when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return services.ZERO if blank_is_zero else None
    try:
        return services.money(value, field, str(label))
    except ValidationError as exc:
        raise forms.ValidationError([m for messages in exc.message_dict.values() for m in messages]) from None


def field_errors(form_or_formset) -> dict[str, list[str]]:
    """{html field name: [messages]} for a form or a formset (non-field errors under '__all__')."""
    forms_ = getattr(form_or_formset, "forms", None)
    result: dict[str, list[str]] = {}
    if forms_ is None:
        for name, errors in form_or_formset.errors.items():
            key = "__all__" if name == "__all__" else form_or_formset.add_prefix(name)
            result.setdefault(key, []).extend(errors)
        return result
    for form in forms_:
        result.update(field_errors(form))
    if form_or_formset.non_form_errors():
        result.setdefault("__all__", []).extend(form_or_formset.non_form_errors())
    return result


# --- frames (Bufdir) ---------------------------------------------------------------------------


class FrameForm(DSForm):
    embete = forms.ModelChoiceField(label=_("Embete"), queryset=Embete.objects.order_by("navn"))
    aar = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    kategori = forms.ChoiceField(label=_("Kategori"), choices=Category.choices)
    belop = AmountField(label=_("Ramme (kr)"), help_text=_("For eksempel 1650000."))
    begrunnelse = forms.CharField(
        label=_("Begrunnelse for endringen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.SHORT_TEXT,
        help_text=_("Må fylles ut når en ramme som allerede er satt, endres."),
    )

    def clean_belop(self):
        return _amount(self.cleaned_data.get("belop"), "belop", _("Rammen"), blank_is_zero=False)


# --- rounds (statsforvalter) -------------------------------------------------------------------


class RoundForm(DSForm):
    tittel = NameField(label=_("Tittel"))
    tittel_nynorsk = NameField(
        label=_("Tittel på nynorsk"),
        required=False,
        help_text=_("Vises for dem som bruker Læringsnett på nynorsk, og i vedtaksbrev på nynorsk."),
    )
    aar = forms.IntegerField(label=_("År midlene gjelder"), min_value=2000, max_value=2100)
    apner = date_field(_("Åpner"))
    frist = date_field(_("Søknadsfrist"), help_text=_("Søknader må sendes inn innen utgangen av dagen."))
    retningslinjer = forms.ModelChoiceField(
        label=_("Retningslinjer som gjelder"),
        queryset=GuidelineVersion.objects.order_by("-gyldig_fra"),
        help_text=_("Søkerne ser hvilken versjon av retningslinjene utlysningen følger."),
    )
    kriterier = forms.CharField(
        label=_("Kriterier (tekst)"), widget=forms.Textarea(attrs={"rows": 5}), max_length=limits.LONG_TEXT
    )
    kriterieliste = forms.CharField(
        label=_("Kriterier som vurderes (ett per linje)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=limits.MEDIUM_TEXT,
        help_text=_("Brukes i poengsettingen av søknadene."),
    )
    kategorier = forms.MultipleChoiceField(
        label=_("Kategorier som kan søke"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    maks_belop = AmountField(label=_("Maks beløp per søknad (kr)"), required=False)
    dokumentkrav = forms.CharField(
        label=_("Dokumenter som skal legges ved"),
        required=False,
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    vedleggskrav = forms.CharField(
        label=_("Vedlegg som kreves (ett per linje)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.MEDIUM_TEXT,
        help_text=_(
            "For eksempel «Samarbeidsavtale». Søknaden kan ikke sendes inn før hvert av dem er lastet opp. "
            "Kan ikke endres etter at utlysningen er publisert."
        ),
    )
    rullerende = forms.BooleanField(
        label=_("Søknadene avgjøres fortløpende (rullerende)"),
        required=False,
        help_text=_("Ellers fattes vedtak først etter søknadsfristen, når alle søknadene kan sammenlignes."),
    )
    rapportfrist = date_field(_("Frist for rapport"), required=False)
    tilbakebetaling_terskel = AmountField(
        label=_("Terskel for tilbakebetaling (kr)"),
        initial="5000",
        help_text=_("Ubrukte midler over dette beløpet kreves tilbake."),
    )
    overforing_tillatt = forms.BooleanField(label=_("Ubrukte midler kan overføres til neste år"), required=False)

    # Service error keys that belong to another form field.
    ERROR_FIELDS = {"egeninitiert": "kategorier", "fosterhjem": "kategorier"}

    def __init__(self, *args, editing: bool = False, criteria_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["aar"].disabled = True
        if criteria_locked:
            self.fields["kriterieliste"].disabled = True
            self.fields["kriterieliste"].help_text = _("Kriteriene kan ikke endres etter at utlysningen er publisert.")
            self.fields["vedleggskrav"].disabled = True

    def clean_maks_belop(self):
        return _amount(self.cleaned_data.get("maks_belop"), "maks_belop", _("Maks beløp"), blank_is_zero=False)

    def clean_tilbakebetaling_terskel(self):
        return _amount(
            self.cleaned_data.get("tilbakebetaling_terskel"),
            "tilbakebetaling_terskel",
            _("Terskelen for tilbakebetaling"),
        )

    def criteria(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("kriterieliste") or "").splitlines() if line.strip()]

    def required_documents(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("vedleggskrav") or "").splitlines() if line.strip()]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        categories = data.pop("kategorier", [])
        data.pop("kriterieliste", None)
        data.pop("vedleggskrav", None)
        data.pop("aar", None)
        data["egeninitiert"] = Category.EGENINITIERT in categories
        data["fosterhjem"] = Category.FOSTERHJEM in categories
        return data

    @classmethod
    def initial_for(cls, rnd) -> dict:
        return {
            "tittel": rnd.tittel,
            "tittel_nynorsk": rnd.tittel_nynorsk,
            "aar": rnd.aar,
            "apner": rnd.apner,
            "frist": rnd.frist,
            "retningslinjer": rnd.retningslinjer_id,
            "kriterier": rnd.kriterier,
            "kriterieliste": "\n".join(c.navn for c in rnd.kriterieliste.all()),
            "kategorier": rnd.categories,
            "maks_belop": "" if rnd.maks_belop is None else f"{rnd.maks_belop.normalize():f}",
            "dokumentkrav": rnd.dokumentkrav,
            "rapportfrist": rnd.rapportfrist,
            "tilbakebetaling_terskel": f"{rnd.tilbakebetaling_terskel.normalize():f}",
            "overforing_tillatt": rnd.overforing_tillatt,
            "vedleggskrav": "\n".join(d.navn for d in rnd.vedleggskrav.all()),
            "rullerende": rnd.rullerende,
        }


# --- applications (barnevern services) ---------------------------------------------------------


def networks_of_service(service_id, embete_id):
    return (
        LearningNetwork.objects.filter(
            embete_id=embete_id, medlemskap__tjeneste_id=service_id, medlemskap__status=MembershipStatus.AKTIV
        )
        .distinct()
        .order_by("navn")
    )


class ApplicationCreateForm(DSForm):
    kategori = forms.ChoiceField(label=_("Kategori"), widget=forms.RadioSelect)
    prosjekt = forms.ModelChoiceField(
        label=_("Eksisterende prosjekt"),
        queryset=DevelopmentProject.objects.none(),
        required=False,
        help_text=_("Velg et prosjekt dere allerede har, eller opprett et nytt under."),
    )
    network = forms.ModelChoiceField(
        label=_("Læringsnettverk for nytt prosjekt"), queryset=LearningNetwork.objects.none(), required=False
    )
    prosjektnavn = NameField(label=_("Navn på nytt prosjekt"), required=False)

    def __init__(self, *args, rnd=None, service_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kategori"].choices = [(c, Category(c).label) for c in rnd.categories]
        if len(rnd.categories) == 1:
            self.initial.setdefault("kategori", rnd.categories[0])
        networks = networks_of_service(service_id, rnd.embete_id)
        self.fields["network"].queryset = networks
        self.fields["prosjekt"].queryset = (
            DevelopmentProject.objects.filter(network__in=networks).select_related("network").order_by("navn")
        )
        self.fields["prosjekt"].label_from_instance = lambda p: f"{p.navn} ({p.network.navn})"
        if len(networks) == 1:
            self.initial.setdefault("network", networks[0].pk)

    def clean(self):
        data = super().clean()
        if data.get("prosjekt") and (data.get("prosjektnavn") or "").strip():
            self.add_error("prosjektnavn", _("Velg et eksisterende prosjekt eller skriv et nytt navn, ikke begge."))
        elif not data.get("prosjekt"):
            if not (data.get("prosjektnavn") or "").strip():
                self.add_error("prosjektnavn", _("Velg et prosjekt, eller skriv navnet på et nytt prosjekt."))
            if not data.get("network"):
                self.add_error("network", _("Velg hvilket læringsnettverk det nye prosjektet hører til."))
        return data


class ApplicationForm(DSForm):
    maal = forms.CharField(
        label=_("Mål"), required=False, max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    aktiviteter = forms.CharField(
        label=_("Planlagte aktiviteter"),
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tidsplan = forms.CharField(
        label=_("Tidsplan"), required=False, max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    tjenester = forms.ModelMultipleChoiceField(
        label=_("Tjenester som søker sammen"),
        queryset=ChildWelfareService.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tjenester som deltar i nettverket. Minst to må være med."),
    )
    ansvarlig_soker = forms.ModelChoiceField(
        label=_("Ansvarlig søker"),
        queryset=ChildWelfareService.objects.none(),
        required=False,
        help_text=_(
            "En av tjenestene som søker. Vedtaksbrevet sendes til denne tjenesten, på målformen til vertskommunen, "
            "og midlene utbetales til vertskommunen."
        ),
    )
    egeninnsats = AmountField(label=_("Egeninnsats (kr)"), required=False)
    annen_finansiering = AmountField(
        label=_("Annen finansiering (kr)"),
        required=False,
        help_text=_("Trekkes fra budsjettets sum. Resten er søknadsbeløpet."),
    )

    def __init__(self, *args, network=None, **kwargs):
        super().__init__(*args, **kwargs)
        in_network = (
            ChildWelfareService.objects.filter(
                nettverksmedlemskap__network=network, nettverksmedlemskap__status=MembershipStatus.AKTIV
            )
            .distinct()
            .order_by("navn")
        )
        self.fields["tjenester"].queryset = in_network
        self.fields["ansvarlig_soker"].queryset = in_network
        self.fields["ansvarlig_soker"].empty_label = None
        # Not «(valgfritt)»: a draft may be saved without them, but it cannot be sent in (services.submission_problems).
        for name in ("maal", "tjenester", "ansvarlig_soker"):
            self.fields[name].required_when = _("må fylles ut før innsending")

    def clean_egeninnsats(self):
        return _amount(self.cleaned_data.get("egeninnsats"), "egeninnsats", _("Egeninnsats"))

    def clean_annen_finansiering(self):
        return _amount(self.cleaned_data.get("annen_finansiering"), "annen_finansiering", _("Annen finansiering"))


class BudgetLineForm(DSForm):
    type = forms.ChoiceField(label=_("Type"), choices=[("", _("Velg type"))] + list(BudgetKind.choices))
    beskrivelse = forms.CharField(label=_("Beskrivelse"), required=False, max_length=300)
    belop = AmountField(label=_("Beløp (kr)"))

    def clean_belop(self):
        return _amount(self.cleaned_data.get("belop"), "belop", _("Beløpet"), blank_is_zero=False)


class PartnerLineForm(DSForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.filter(aktiv=True).order_by("navn"))
    rolle = forms.CharField(
        label=_("Rolle i prosjektet"), widget=forms.Textarea(attrs={"rows": 2}), max_length=limits.SHORT_TEXT
    )


BudgetFormSet = forms.formset_factory(BudgetLineForm, extra=2, can_delete=True, max_num=50, validate_max=True)
PartnerFormSet = forms.formset_factory(PartnerLineForm, extra=1, can_delete=True, max_num=20, validate_max=True)


def kept(formset) -> list[dict]:
    """cleaned_data of the lines to keep: filled in and not marked for deletion."""
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class AttachmentForm(DSForm):
    tittel = NameField(label=_("Tittel"), required=False)
    fil = forms.FileField(label=_("Fil"), help_text=_("PDF, Word (DOCX) eller OpenDocument (ODT)."))
    krav = forms.ModelChoiceField(
        label=_("Vedlegget oppfyller kravet"),
        queryset=RequiredDocument.objects.none(),
        required=False,
        empty_label=_("Ikke et vedlegg utlysningen krever"),
        help_text=_("Utlysningen krever disse vedleggene før søknaden kan sendes inn."),
    )

    def __init__(self, *args, rnd=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rnd is None or not rnd.vedleggskrav.exists():
            del self.fields["krav"]
        else:
            self.fields["krav"].queryset = rnd.vedleggskrav.all()
