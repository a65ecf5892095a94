"""Permission predicates for projects, registered in the one permission layer (accounts.permissions)."""

from . import projects  # noqa: F401  (registers the predicates)
