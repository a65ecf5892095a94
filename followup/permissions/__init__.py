"""Permission predicates for the follow-up of grants, registered in the one permission layer
(accounts.permissions). The rule names keep their `projects.` prefix from before the move (issue 16), so
templates, views and tests that ask for them are unchanged."""

from . import changes, duty, reports  # noqa: F401  (registers the predicates)
