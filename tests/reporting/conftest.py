"""Fixtures for the reporting tests: the grant and project fixtures (see tests/projects/conftest.py)."""

from tests.grants.conftest import *  # noqa: F403
from tests.projects.conftest import *  # noqa: F403
