"""Writes for the follow-up of grants, by area: `duty` (requirements, reminders, postponements), `reports`."""
