from django import template
from django.forms import ModelChoiceField
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from common import money, numbers
from ui import fragments

register = template.Library()


@register.filter
def pct(value, places=1):
    """81.25 -> '81,3 %': common.numbers.percent_text, the same rounding as the charts (half up)."""
    return numbers.percent_text(value, int(places))


@register.filter
def nok(value):
    """1650000 -> '1 650 000 kr' (common.money.kr); nothing for None or ""."""
    return money.kr_or_blank(value)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def nav_current(context, url_name, prefix=False):
    path = context["request"].path
    target = reverse(url_name)
    if (prefix and path.startswith(target)) or path == target:
        return mark_safe('aria-current="page"')  # noqa: S308 - a constant, no user input  # nosec B308
    return ""


@register.filter
def name_in_year(embete, year):
    """The embete's name valid in a year: {{ embete|name_in_year:2022 }}."""
    return embete.name_in_year(int(year))


@register.filter
def select_options(field):
    """The <option> elements of a select field, built in Python: rendering each option through the widget
    templates (`{% for w in field %}{{ w.tag }}`) costs a template render per option, which for the 300 services
    and partners in a filter form was most of the page's time. Same values, labels, selection and escaping as
    Django's widget (tests/test_select_options.py). The options of model choice fields (rounds, officers, services,
    networks, partners) come from the cache until the data behind them changes (ui.fragments.model_choices)."""
    selected = set(field.field.widget.format_value(field.value()))
    # Model choices (from the field's queryset, not set by hand) are rendered without selection and cached; the
    # selection is put in here.
    if isinstance(field.field, ModelChoiceField) and not hasattr(field.field, "_choices"):
        html = fragments.model_choices(field.field, lambda choices: _options(choices, set()))
        for value in selected:
            tag = format_html('<option value="{}"', value)
            html = html.replace(tag + ">", tag + " selected>", 1)
        return mark_safe(html)  # noqa: S308 - built by format_html above  # nosec B308 B703
    return _options(field.field.choices, selected)


def _options(choices, selected) -> str:
    def flat(choices):
        for value, label in choices:
            if isinstance(label, (list, tuple)):  # an option group: its options, without the group
                yield from flat(label)
            else:
                value = "" if value is None else str(value)
                yield value, " selected" if value in selected else "", label

    return format_html_join("", '<option value="{}"{}>{}</option>', flat(choices))


class CachedRowsNode(template.Node):
    """Renders the rows with a placeholder for the CSRF token, so the cached rows hold no one's token; the token of
    the request is put in after they are taken from the cache."""

    def __init__(self, nodelist, page, name, vary):
        self.nodelist, self.page, self.name, self.vary = nodelist, page, name, vary

    def render(self, context):
        page = self.page.resolve(context)
        vary = [v.resolve(context) for v in self.vary]

        def render_rows():
            with context.push(csrf_token=fragments.CSRF_PLACEHOLDER):
                return self.nodelist.render(context)

        html = fragments.cached_rows(page, self.name.resolve(context), vary, render_rows)
        if fragments.CSRF_PLACEHOLDER in html:
            html = html.replace(fragments.CSRF_INPUT, CsrfTokenNode().render(context))
            html = html.replace(fragments.CSRF_PLACEHOLDER, conditional_escape(context.get("csrf_token") or ""))
        return mark_safe(html)  # noqa: S308 - rendered by the autoescaped template above  # nosec B308 B703


@register.tag
def cached_rows(parser, token):
    """{% cached_rows page "list name" vary… %}<tr>…</tr>…{% endcached_rows %}: the rendered rows of a page of a list
    from the cache (ui.fragments.cached_rows: what may and may not be inside)."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError('{% cached_rows page "navn" [vary …] %}')
    nodelist = parser.parse(("endcached_rows",))
    parser.delete_first_token()
    page, name, *vary = (parser.compile_filter(bit) for bit in bits[1:])
    return CachedRowsNode(nodelist, page, name, vary)
