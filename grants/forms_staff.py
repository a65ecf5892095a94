"""Forms for the statsforvalter's case work on an application, the prioritisation board and the leader's appeal.

Field names match the keyword arguments of grants.services, so a service's ValidationError lands on the right
field (organisations.views.apply_errors). Amounts are text: the services parse Norwegian amounts ("150 000")."""

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from common import limits
from common.money import kr
from ui.forms import AmountField, DSForm

from .models import AppealOutcome, ApplicationStatus, Recommendation

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]


def date_field(label, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def amount_field(label, required=False, help_text=""):
    return AmountField(label=label, required=required, help_text=help_text)


def text_field(label, required=True, rows=3, help_text="", max_length=limits.LONG_TEXT):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AssignOfficerForm(DSForm):
    saksbehandler = forms.ModelChoiceField(queryset=None, label=_("Saksbehandler"), empty_label=_("Velg saksbehandler"))

    def __init__(self, *args, officers=None, **kwargs):
        kwargs.setdefault("prefix", "sb")
        super().__init__(*args, **kwargs)
        self.fields["saksbehandler"].queryset = officers
        self.fields["saksbehandler"].label_from_instance = lambda u: u.get_full_name() or u.email


class ImpartialityForm(DSForm):
    ugild = forms.TypedChoiceField(
        label=_("Habilitet"),
        choices=[("nei", _("Jeg er habil og kan vurdere søknaden")), ("ja", _("Jeg er ugild"))],
        coerce=lambda v: v == "ja",
        widget=forms.RadioSelect,
        help_text=_("Du er ugild hvis du har en personlig interesse i saken, jf. forvaltningsloven § 6."),
    )
    begrunnelse = text_field(_("Begrunnelse hvis du er ugild"), required=False, rows=2, max_length=limits.SHORT_TEXT)
    begrunnelse.required_when = _("må fylles ut hvis du er ugild")  # not «(valgfritt)»: templates/django/forms

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "hab")
        super().__init__(*args, **kwargs)


class ScoreForm(DSForm):
    """One 1–5 score and an optional comment per criterion of the round."""

    SCALE = [("", _("Velg poeng"))] + [(str(i), str(i)) for i in range(1, 6)]

    def __init__(self, *args, criteria=(), existing=None, **kwargs):
        kwargs.setdefault("prefix", "poeng")
        super().__init__(*args, **kwargs)
        existing = existing or {}
        self.criteria = list(criteria)
        for c in self.criteria:
            old = existing.get(c.pk)
            self.fields[f"poeng_{c.pk}"] = forms.ChoiceField(
                label=_("%(k)s – poeng (1–5)") % {"k": c.navn},
                choices=self.SCALE,
                required=True,
                initial=str(old.poeng) if old else "",
                help_text=escape(c.beskrivelse),  # help text is rendered as HTML (templates/django/forms/field.html)
            )
            self.fields[f"kommentar_{c.pk}"] = text_field(
                _("Kommentar til %(k)s") % {"k": c.navn}, required=False, rows=2, max_length=limits.SHORT_TEXT
            )
            if old:
                self.fields[f"kommentar_{c.pk}"].initial = old.kommentar
        for field in self.fields.values():  # added after the mixin styled the (then empty) form
            field.widget.attrs.setdefault("class", "ds-input")

    def entries(self):
        """(criterion, poeng, kommentar) for each criterion, from cleaned data."""
        return [
            (c, self.cleaned_data[f"poeng_{c.pk}"], self.cleaned_data.get(f"kommentar_{c.pk}", ""))
            for c in self.criteria
        ]


class RecommendForm(DSForm):
    anbefaling = forms.ChoiceField(label=_("Anbefaling"), choices=Recommendation.choices, widget=forms.RadioSelect)
    foreslatt_belop = amount_field(_("Foreslått beløp (kr)"))
    begrunnelse = text_field(_("Begrunnelse for anbefalingen"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "anb")
        super().__init__(*args, **kwargs)


class DecideForm(DSForm):
    utfall = forms.ChoiceField(
        label=_("Utfall"),
        choices=[
            (ApplicationStatus.INNVILGET, _("Innvilget (hele søknadsbeløpet)")),
            (ApplicationStatus.DELVIS_INNVILGET, _("Delvis innvilget")),
            (ApplicationStatus.AVSLATT, _("Avslått")),
        ],
        widget=forms.RadioSelect,
    )
    belop = amount_field(
        _("Tildelt beløp (kr)"),
        help_text=_("Ved innvilgelse i sin helhet brukes søknadsbeløpet når feltet står tomt."),
    )
    belop.required_when = _("må fylles ut ved delvis innvilgelse")
    begrunnelse = text_field(
        _("Begrunnelse"),
        rows=4,
        help_text=_("Ved delvis innvilgelse og avslag: forklar hvorfor (forvaltningsloven § 25)."),
    )
    vilkaar = text_field(_("Særskilte vilkår"), required=False, rows=3)
    rapportfrist = date_field(
        _("Rapportfrist"), required=False, help_text=_("Står tom: utlysningens rapportfrist brukes.")
    )

    def __init__(self, *args, applied=None, **kwargs):
        kwargs.setdefault("prefix", "vedtak")
        super().__init__(*args, **kwargs)
        if applied is not None:  # «Innvilget i sin helhet» is the applied amount: the form says which
            self.fields["utfall"].choices = [
                (ApplicationStatus.INNVILGET, _("Innvilget i sin helhet (%(a)s)") % {"a": kr(applied)}),
                *self.fields["utfall"].choices[1:],
            ]
            self.fields["belop"].help_text = _(
                "Ved innvilgelse i sin helhet brukes søknadsbeløpet (%(a)s) når feltet står tomt."
            ) % {"a": kr(applied)}


class ResolveAppealForm(DSForm):
    utfall = forms.ChoiceField(label=_("Utfall av klagen"), choices=AppealOutcome.choices, widget=forms.RadioSelect)
    nytt_belop = amount_field(
        _("Nytt tildelt beløp (kr)"),
        help_text=_(
            "Må fylles ut ved medhold og delvis medhold: beløpet vedtaket endres til. Står tom ved ikke medhold."
        ),
    )
    begrunnelse = text_field(_("Begrunnelse for utfallet"))


class PaymentForm(DSForm):
    dato = date_field(_("Utbetalingsdato"))
    belop = amount_field(_("Beløp (kr)"), required=True)
    kontonummer = forms.CharField(
        label=_("Kontonummer"), max_length=20, help_text=_("11 siffer, for eksempel 1503.12.34567.")
    )
    kontonummer.free_text = False  # an account number may pass the fødselsnummer checksum (common.sensitive)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "utb")
        super().__init__(*args, **kwargs)

    def clean_kontonummer(self):
        return "".join(ch for ch in self.cleaned_data["kontonummer"] if ch.isdigit())


# The repayment claim's form (ClaimForm), a receipt's and a waiver's: grants/forms_repayments.py


class CarryOverForm(DSForm):
    belop = amount_field(_("Beløp som overføres (kr)"), required=True)
    begrunnelse = text_field(_("Begrunnelse for overføringen"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "overforing")
        super().__init__(*args, **kwargs)


class AppealForm(DSForm):
    begrunnelse = text_field(
        _("Hva klager dere på, og hvorfor?"),
        rows=5,
        help_text=_("Skriv hvilken endring dere ønsker i vedtaket og hvorfor."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "klage")
        super().__init__(*args, **kwargs)


class PriorityForm(DSForm):
    """One row on the prioritisation board. Values are checked by services.set_priority."""

    rangering = forms.CharField(label=_("Statsforvalterens rangering"), required=False, max_length=6)
    samlingsrangering = forms.CharField(label=_("Samlingens rangering"), required=False, max_length=6)
    foreslatt_belop = amount_field(_("Foreslått beløp (kr)"))

    def __init__(self, *args, form_id="", **kwargs):
        super().__init__(*args, **kwargs)
        if form_id:  # the inputs sit in table cells; they belong to the row's <form> through the form attribute
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id
        for name in ("rangering", "samlingsrangering"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "size": "4"})
        self.fields["foreslatt_belop"].widget.attrs["size"] = "10"
