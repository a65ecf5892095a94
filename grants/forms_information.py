"""Forms for requests for information and case messages (grants.information). Field names match the services'
keyword arguments, so a service's ValidationError lands on the right field."""

from django.utils.translation import gettext_lazy as _

from common import limits
from ui.forms import DSForm

from .forms_staff import date_field, text_field

NO_CHILDREN = _("Ikke skriv personopplysninger om barn eller familier.")


class RequestInformationForm(DSForm):
    melding = text_field(
        _("Hvilke opplysninger trenger dere fra søkerne?"),
        rows=6,
        max_length=limits.SHORT_TEXT,
        help_text=_(
            "Søkerne får meldingen på e-post og kan endre søknaden til de sender den inn på nytt. "
            "Ikke skriv personopplysninger om barn eller familier."
        ),
    )
    frist = date_field(_("Svarfrist"), help_text=_("En dato etter i dag, høyst tre måneder fram i tid."))


class AnswerForm(DSForm):
    svar = text_field(
        _("Svar til statsforvalteren"),
        rows=6,
        max_length=limits.SHORT_TEXT,
        help_text=_(
            "Svaret lagres med den nye versjonen av søknaden. Ikke skriv personopplysninger om barn eller familier."
        ),
    )


class MessageForm(DSForm):
    tekst = text_field(_("Melding"), rows=4, max_length=limits.SHORT_TEXT, help_text=NO_CHILDREN)
