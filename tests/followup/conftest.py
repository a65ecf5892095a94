"""Fixtures for the follow-up tests: the grant and project fixtures (see tests/projects/conftest.py: `awarded`,
`requirement`, `project` …)."""

from tests.projects.conftest import *  # noqa: F403
