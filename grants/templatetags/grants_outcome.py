"""{% load grants_outcome %}: the effective outcome of a decision (grants.outcome) in templates.

{{ decision|effective_outcome }}          the label, e.g. «Avslått, endret etter klage: innvilget 200 000 kr»
{% effective decision as outcome %}       the EffectiveOutcome (utfall, belop, changed, pending, label)
"""

from django import template

from grants.outcome import effective_outcome as _effective

register = template.Library()


@register.filter
def effective_outcome(decision) -> str:
    outcome = _effective(decision)
    return outcome.label if outcome else ""


@register.simple_tag
def effective(decision):
    return _effective(decision)
