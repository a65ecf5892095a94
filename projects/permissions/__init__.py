"""Permission predicates for projects, registered in the one permission layer (accounts.permissions)."""

from . import duty, projects, reports  # noqa: F401  (registers the predicates)
