"""Permission predicates, see projects/permissions/__init__.py."""
