from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.no import orgnr as stdnum_orgnr


def clean_orgnr(value: str) -> str:
    """Return the compact 9-digit organisasjonsnummer or raise a Norwegian ValidationError."""
    compact = stdnum_orgnr.compact(value or "")
    if not compact.isdigit() or len(compact) != 9:
        raise ValidationError(
            _("Organisasjonsnummeret må ha nøyaktig 9 siffer (fikk «%(value)s»)."),
            code="orgnr_length",
            params={"value": value},
        )
    try:
        stdnum_orgnr.validate(compact)
    except StdnumValidationError:
        raise ValidationError(
            _("Organisasjonsnummeret %(value)s har feil kontrollsiffer (MOD11)."),
            code="orgnr_checksum",
            params={"value": compact},
        ) from None
    return compact


def validate_orgnr(value: str) -> None:
    clean_orgnr(value)
