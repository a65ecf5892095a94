"""Views for the follow-up of grants, by area like followup.services."""
