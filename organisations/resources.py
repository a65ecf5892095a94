"""django-import-export resource for barnevernstjenester (CSV and XLSX).

Columns: navn, orgnr, vertskommune (kommunenummer), kommuner (kommunenumre separated by ';'),
epost, aktiv. Rows are matched on orgnr: a known orgnr updates the service, a new one creates it.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import fields, resources, widgets

from common import sensitive
from common.text import clean_name

from .models import ChildWelfareService, Kommune
from .validators import clean_orgnr

# Every cell of a row is checked (extra columns too): Læringsnett holds no identity numbers (common.sensitive).
IDENTITY_NUMBER_MESSAGE = _lazy(
    "Cellen ser ut til å inneholde et fødselsnummer eller D-nummer. Læringsnett skal ikke inneholde "
    "opplysninger om enkeltbarn eller familier. Fjern nummeret fra filen og last den opp igjen."
)


def _cell_texts(value) -> list[str]:
    """The cell as text; a 10-digit number also with its leading zero, which Excel drops from 01019012345."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value if value is not None else "")
    if isinstance(value, int) and not isinstance(value, bool) and len(text) == 10:
        return [text, text.zfill(11)]
    return [text]


def identity_number_columns(row) -> list[str]:
    """The columns of the row whose cell holds a fødselsnummer or D-nummer."""
    return [
        str(column)
        for column, value in row.items()
        if any(sensitive.contains_identity_number(text) for text in _cell_texts(value))
    ]


def _kommunenummer(value) -> str:
    text = str(value).strip()
    if text.endswith(".0"):  # XLSX may hand numbers over as floats
        text = text[:-2]
    return text.zfill(4) if text.isdigit() else text


class KommuneWidget(widgets.ForeignKeyWidget):
    def __init__(self, kommuner: dict[str, Kommune]):
        super().__init__(Kommune, field="nummer")
        self.kommuner = kommuner

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError(_("Vertskommune mangler."))
        nummer = _kommunenummer(value)
        if nummer not in self.kommuner:
            raise ValueError(_("Ukjent kommunenummer «%(nr)s».") % {"nr": value})
        return self.kommuner[nummer]

    def render(self, value, obj=None, **kwargs):
        return value.nummer if value else ""


class KommunerWidget(widgets.ManyToManyWidget):
    def __init__(self, kommuner: dict[str, Kommune]):
        super().__init__(Kommune, field="nummer", separator=";")
        self.kommuner = kommuner

    def clean(self, value, row=None, **kwargs):
        """The kommuner the service covers. The vertskommune is always one of them, as when it is saved,
        so that re-importing an unchanged row is recognised as unchanged."""
        numbers = [_kommunenummer(v) for v in str(value or "").replace(",", ";").split(";") if str(v).strip()]
        unknown = [n for n in numbers if n not in self.kommuner]
        if unknown:
            raise ValueError(_("Ukjent kommunenummer: %(nr)s.") % {"nr": ", ".join(unknown)})
        vert = _kommunenummer((row or {}).get("vertskommune") or "")
        if vert in self.kommuner:
            numbers.append(vert)
        return [self.kommuner[n] for n in dict.fromkeys(numbers)]  # without duplicates, in file order

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ";".join(k.nummer for k in value.all())


class NameWidget(widgets.CharWidget):
    """A name as the services store it: no invisible or bidi control characters (common.text)."""

    def clean(self, value, row=None, **kwargs):
        return clean_name(value)


class OrgnrWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if text.endswith(".0"):
            text = text[:-2]
        try:
            return clean_orgnr(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None


class AktivWidget(widgets.BooleanWidget):
    TRUE = {"1", "true", "ja", "j", "yes", "x", "aktiv"}
    FALSE = {"0", "false", "nei", "n", "no", "inaktiv"}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text == "":
            return True
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("«%(v)s» er ikke en gyldig verdi for aktiv (bruk ja eller nei).") % {"v": value})

    def render(self, value, obj=None, **kwargs):
        return "ja" if value else "nei"


class ChildWelfareServiceResource(resources.ModelResource):
    """allowed_embete limits which vertskommuner (and existing services) the import may touch."""

    def __init__(self, allowed_embete=None):
        super().__init__()
        self.allowed_embete = allowed_embete
        self._kommuner = {k.nummer: k for k in Kommune.objects.select_related("embete")}
        self._seen_orgnr: dict[str, int] = {}
        self._existing = {s.orgnr: s for s in ChildWelfareService.objects.select_related("vertskommune__embete")}
        self.fields["vertskommune"].widget = KommuneWidget(self._kommuner)
        self.fields["kommuner"].widget = KommunerWidget(self._kommuner)

    navn = fields.Field(attribute="navn", column_name="navn", widget=NameWidget())
    orgnr = fields.Field(attribute="orgnr", column_name="orgnr", widget=OrgnrWidget())
    vertskommune = fields.Field(attribute="vertskommune", column_name="vertskommune")
    kommuner = fields.Field(attribute="kommuner", column_name="kommuner")
    epost = fields.Field(attribute="epost", column_name="epost", widget=widgets.CharWidget())
    aktiv = fields.Field(attribute="aktiv", column_name="aktiv", widget=AktivWidget())

    class Meta:
        model = ChildWelfareService
        fields = ("navn", "orgnr", "vertskommune", "kommuner", "epost", "aktiv")
        export_order = fields
        import_id_fields = ("orgnr",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_instance(self, instance_loader, row):
        try:
            orgnr = OrgnrWidget().clean(row.get("orgnr"))
        except ValueError:
            return None
        return self._existing.get(orgnr)

    def before_import_row(self, row, **kwargs):
        """Checks that need the whole file or the user's embete. Reported together with the field errors
        (see import_instance), so that every problem in a row is listed at once."""
        number = kwargs.get("row_number")
        self._row_blank = not any(str(v if v is not None else "").strip() for v in row.values())
        if self._row_blank:
            self._row_problems = {NON_FIELD_ERRORS: [_("Raden er tom. Fyll den ut eller slett den.")]}
            return
        problems: dict[str, list[str]] = {}
        # A cell with an identity number gets this one message; other errors for it (which would repeat the
        # number, like «Ukjent kommunenummer: …») are left out, see import_instance.
        self._identity_columns = identity_number_columns(row)
        for column in self._identity_columns:  # a column without a heading: reported for the row
            problems.setdefault(column or NON_FIELD_ERRORS, []).append(str(IDENTITY_NUMBER_MESSAGE))
        if not clean_name(row.get("navn")) and "navn" not in self._identity_columns:
            problems.setdefault("navn", []).append(_("Navn mangler."))
        try:
            orgnr = OrgnrWidget().clean(row.get("orgnr"))
        except ValueError:
            orgnr = None
        if orgnr:
            if orgnr in self._seen_orgnr:
                problems.setdefault("orgnr", []).append(
                    _("Organisasjonsnummeret %(orgnr)s står også på linje %(line)s i filen.")
                    % {"orgnr": orgnr, "line": self._seen_orgnr[orgnr] + 1}
                )
            else:
                self._seen_orgnr[orgnr] = number
            existing = self._existing.get(orgnr)
            if existing and self.allowed_embete and existing.vertskommune.embete_id != self.allowed_embete.pk:
                problems.setdefault("orgnr", []).append(
                    _("Organisasjonsnummeret %(orgnr)s tilhører en tjeneste i et annet embete.") % {"orgnr": orgnr}
                )
        vert = self._kommuner.get(_kommunenummer(row.get("vertskommune") or ""))
        if vert and self.allowed_embete and vert.embete_id != self.allowed_embete.pk:
            problems.setdefault("vertskommune", []).append(
                _("Vertskommunen %(nr)s ligger ikke i %(embete)s.") % {"nr": vert.nummer, "embete": self.allowed_embete}
            )
        existing = self._existing.get(orgnr) if orgnr else None
        # An ended kommune (merged or split) stays with the services that have it, but is not chosen anew.
        if vert and not vert.is_active() and (existing is None or existing.vertskommune_id != vert.pk):
            problems.setdefault("vertskommune", []).append(vert.unavailable_reason())
        if existing is None and "kommuner" in row:
            numbers = {_kommunenummer(v) for v in str(row.get("kommuner") or "").replace(",", ";").split(";")}
            for nummer in sorted(numbers):
                kommune = self._kommuner.get(nummer)
                if kommune and kommune != vert and not kommune.is_active():
                    problems.setdefault("kommuner", []).append(kommune.unavailable_reason())
        self._row_problems = problems

    def import_instance(self, instance, row, **kwargs):
        if getattr(self, "_row_blank", False):
            raise ValidationError(self._row_problems)
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # Many-to-many values are only cleaned when saved, after validation: check them here so that an
        # unknown kommunenummer is reported as a row error and not as an unexpected failure.
        if "kommuner" in row:
            try:
                self.fields["kommuner"].clean(row)
            except ValueError as exc:
                errors.setdefault("kommuner", []).append(ValidationError(str(exc)))
        for key in getattr(self, "_identity_columns", ()):
            if key:
                errors.pop(key, None)
        for key, messages in getattr(self, "_row_problems", {}).items():
            errors.setdefault(key, []).extend(ValidationError(m) for m in messages)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if getattr(self, "_row_blank", False):  # one message for an empty row, not one per required field
            raise ValidationError(self._row_problems)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if not self._is_dry_run(kwargs) or self._is_using_transactions(kwargs):
            instance.kommuner.add(instance.vertskommune)

    def dehydrate_kommuner(self, service):
        return ";".join(k.nummer for k in service.kommuner.all())

    def dehydrate_vertskommune(self, service):
        return service.vertskommune.nummer
