"""Forms for repayment claims: the claim (from the application's panel), a payment in against it (innbetaling) and
the waiver of what is left (ettergivelse). Field names match the keyword arguments of grants.repayments, so a
service's ValidationError lands on the right field. The forms carry a hidden `bekreft` the confirmation step sets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ui.forms import DSForm

from .forms_staff import amount_field, date_field, text_field


class ClaimForm(DSForm):
    belop = amount_field(_("Beløp som kreves tilbake (kr)"), required=True)
    forfall = date_field(_("Forfallsdato"), help_text=_("Etter kravdatoen og høyst fem år fram."))
    kontonummer = forms.CharField(
        label=_("Kontonummer kommunen skal betale til"),
        max_length=20,
        required=False,
        help_text=_(
            "Statsforvalterens konto, 11 siffer, for eksempel 7694.05.12345. Står feltet tomt, brukes kontoen fra "
            "embetets forrige krav. Du ser kontoen før du bekrefter."
        ),
    )
    kontonummer.free_text = False  # an account number may pass the fødselsnummer checksum (common.sensitive)
    begrunnelse = text_field(_("Begrunnelse for kravet"), help_text=_("Står i brevet til kommunen."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "krav")
        super().__init__(*args, **kwargs)

    def clean_kontonummer(self):
        return "".join(ch for ch in self.cleaned_data["kontonummer"] if ch.isdigit())


class ReceiptForm(DSForm):
    dato = date_field(_("Innbetalingsdato"))
    belop = amount_field(_("Innbetalt beløp (kr)"), required=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "innbetaling")
        super().__init__(*args, **kwargs)


class WaiverForm(DSForm):
    dato = date_field(_("Dato for ettergivelsen"))
    begrunnelse = text_field(_("Begrunnelse for ettergivelsen"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ettergivelse")
        super().__init__(*args, **kwargs)
