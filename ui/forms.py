from django import forms


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
