from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _

from common import dates, sensitive
from common.money import parse_kroner, validate_amount_bound

# CharFields that hold structured values, not free text: no identity number check.
STRUCTURED = (forms.EmailField, forms.URLField, forms.SlugField, forms.UUIDField, forms.JSONField)


def is_free_text(field) -> bool:
    """A field where a user writes text of their own. Amounts, account numbers and the like opt out with
    field.free_text = False (AmountField does)."""
    if not isinstance(field, forms.CharField) or isinstance(field, STRUCTURED):
        return False
    if isinstance(field.widget, (forms.PasswordInput, forms.HiddenInput)):
        return False
    return getattr(field, "free_text", True)


class KronerField(forms.CharField):
    """An amount in whole kroner typed as text («1 200 000», «1.200.000», «1200000 kr», «1 200 000,-»), parsed by
    the one parser common.money.parse_kroner: cleaned_data is a whole Decimal, or None when left empty. Øre
    («100000,50») and words («1,5 mill») come back with the form and a message saying what to write; the
    services parse again (grants.services.money), with the same parser. Not free text."""

    free_text = False
    default_validators = [validate_amount_bound]

    def __init__(self, *, max_length=30, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if self.max_length is not None:
            MaxLengthValidator(self.max_length)(text)
        return parse_kroner(text)

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        """The bound is checked by the parser; the text length in to_python."""

    def has_changed(self, initial, data):
        try:
            before = None if initial in self.empty_values else parse_kroner(initial)
            return before != self.to_python(data)
        except ValidationError:
            return True


AmountField = KronerField  # the older name, used by the forms written before issue 17


class DesignsystemetFormMixin:
    """Gives every widget Designsystemet classes; field markup comes from templates/django/forms/field.html."""

    template_name_div = "django/forms/div.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                continue
            css = "ds-input"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.Textarea) and widget.attrs.get("maxlength"):
                # A browser's maxlength silently cuts pasted text: the limit is told instead, and a longer text
                # comes back with the server's message and nothing cut (nothing typed is lost).
                limit = int(widget.attrs.pop("maxlength"))
                widget.attrs["data-maxlength"] = str(limit)
                note = _("Høyst %(limit)s tegn.") % {"limit": f"{limit:,}".replace(",", "\u00a0")}
                field.help_text = f"{field.help_text} {note}".strip() if field.help_text else note

    def full_clean(self):
        """After the form's own cleaning, what no field of any form may hold (issue 20), checked here once for
        every form, its formsets and the autosave paths that use them: an identity number (fødselsnummer,
        D-nummer) in free text (common.sensitive) and a date outside the sane range (common.dates). Fields
        added after __init__ are included; disabled fields are not (the user cannot change them)."""
        super().full_clean()
        cleaned = getattr(self, "cleaned_data", None)
        if not cleaned:
            return
        for name, field in list(self.fields.items()):
            if field.disabled or name not in cleaned:
                continue
            try:
                if isinstance(field, (forms.DateField, forms.DateTimeField)):
                    dates.validate_date_range(cleaned[name])
                elif is_free_text(field):
                    sensitive.validate_no_identity_number(cleaned[name])
            except ValidationError as exc:
                self.add_error(name, exc)

    def error_summary(self):
        """(anchor id, label, message) for the error summary at the top of the form."""
        items = []
        for name, errors in self.errors.items():
            if name == "__all__":
                for message in errors:
                    items.append(("", "", message))
                continue
            field = self[name]
            anchor = field.auto_id
            if isinstance(field.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                anchor = f"{field.auto_id}_0"
            for message in errors:
                items.append((anchor, field.label, message))
        return items


class DSForm(DesignsystemetFormMixin, forms.Form):
    pass


class DSModelForm(DesignsystemetFormMixin, forms.ModelForm):
    pass
