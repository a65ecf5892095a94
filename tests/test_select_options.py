"""ui.templatetags.ui.select_options: the filter forms' <option> elements, built in Python, carry the same values,
labels, selection and escaping as Django's own widget rendering."""

import re

import pytest
from django import forms

from organisations.models import Embete
from ui.templatetags.ui import select_options


def options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, "selected" in attrs, label)
        for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', str(html))
    ]


class Filters(forms.Form):
    status = forms.ChoiceField(choices=[("", "Alle"), ("aktiv", "Aktiv"), ("x", '<b>"Farlig"</b> & navn')])
    embete = forms.ModelChoiceField(queryset=Embete.objects.order_by("navn"), empty_label="Alle")


@pytest.mark.parametrize("data", [{}, {"status": "aktiv"}, {"status": "x"}])
def test_options_match_djangos_widget_rendering(data, reference_data):
    embete = Embete.objects.order_by("navn")[3]
    form = Filters({**data, "embete": embete.pk})
    for name in ("status", "embete"):
        field = form[name]
        ours = options(select_options(field))
        django = options(field.as_widget())
        assert ours == django
        assert len(ours) > 1
    chosen = [o[0] for o in options(select_options(form["status"])) if o[1]]
    assert chosen == [data.get("status", "")]
    assert len(options(select_options(form["embete"]))) == 1 + Embete.objects.count()
    assert [o for o in options(select_options(form["embete"])) if o[1]] == [(str(embete.pk), True, embete.navn)]


def test_labels_are_escaped():
    html = str(select_options(Filters()["status"]))
    assert "<b>" not in html
    assert "&lt;b&gt;&quot;Farlig&quot;&lt;/b&gt; &amp; navn" in html
