"""Reads for projects, split by area like projects.services: `projects`, `duty`, `reports`."""
