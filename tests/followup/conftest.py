"""Fixtures for the follow-up tests: the grant and project fixtures (see tests/projects/conftest.py: `awarded`,
`requirement`, `project`, `partner_user` …), and `guards`, the "a refused call changed nothing" helpers that the
duty and report tests build over the tables each of them watches."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase

from tests.grants.conftest import NO_ACCESS
from tests.projects.conftest import *  # noqa: F403

# Columns a refused call may touch without changing anything (auto_now timestamps).
UNWATCHED_COLUMNS = ("endret",)


def _rows(model) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in UNWATCHED_COLUMNS]
    return sorted(model.objects.values_list(*fields))


def guards(watched):
    """(unchanged, denied) over the watched models.

    `with unchanged(exc_type):` expects exc_type, and afterwards that no row of the watched models changed and no
    task was scheduled; `with denied():` is the same for PermissionDenied with the standard refusal message."""

    def state() -> dict:
        return {m.__name__: _rows(m) for m in watched}

    @contextmanager
    def unchanged(exc_type):
        before = state()
        with TestCase.captureOnCommitCallbacks() as callbacks:
            with pytest.raises(exc_type) as info:
                yield info
        assert callbacks == []
        assert state() == before, "a refused call changed something"

    @contextmanager
    def denied():
        with unchanged(PermissionDenied) as info:
            yield info
        assert str(info.value) == NO_ACCESS

    return unchanged, denied
