"""Writes for reporting, split by area: `allocations` (historical import), `annual` (årsrapport)."""
