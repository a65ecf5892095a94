"""demo.history.seed_history: imports the 2021–2023 history from demo/data (not from tests/), idempotently."""

import pytest

from demo.history import HISTORY_FILE, seed_history
from grants.models import Award
from networks.models import LearningNetwork
from projects.models import DevelopmentProject
from reporting.selectors.national import published_rows

from .conftest import published

pytestmark = pytest.mark.usefixtures("reference_data")


def test_seed_history_reproduces_the_published_tables_and_is_safe_to_run_twice():
    assert "tests" not in HISTORY_FILE.parts
    seed_history()
    first = (Award.objects.count(), LearningNetwork.objects.count(), DevelopmentProject.objects.count())
    seed_history()
    assert (Award.objects.count(), LearningNetwork.objects.count(), DevelopmentProject.objects.count()) == first
    for year, rows in published().items():
        assert published_rows(year)[:-1] == rows
