"""Reads for the follow-up of grants, by area: `duty` (requirements, postponements), `reports`."""
