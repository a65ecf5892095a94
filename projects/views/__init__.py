"""Views for projects, split by area like projects.services."""
