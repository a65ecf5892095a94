"""One rounding for charts and tables (common.numbers): half up from exact decimals – 13 of 16 is 81,3 %."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from common import numbers


def test_13_of_16_is_81_3_not_81_2():
    assert numbers.share(13, 16) == Decimal("81.3")
    assert numbers.round_half_up(81.25) == Decimal("81.3")  # the float's decimal text, half up
    assert f"{81.25:.1f}" == "81.2"  # what the chart did before: half to even on the binary value
    assert numbers.share(1, 0) is None
    assert numbers.round_half_up(Decimal("2.345"), 2) == Decimal("2.35")


@pytest.mark.parametrize(("language", "text"), [("nb", "81,3 %"), ("en", "81.3 %")])
def test_chart_text_and_table_filter_agree(language, text):
    with translation.override(language):
        assert numbers.percent_text(13 / 16 * 100) == text
        html = Template("{% load ui %}{{ value|pct }}").render(Context({"value": 13 / 16 * 100}))
        assert html == text
    assert numbers.percent_text(None) == "–"
