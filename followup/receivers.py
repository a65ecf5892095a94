"""How followup reacts to what grants announces (grants.events). Connected in FollowupConfig.ready()."""

from followup.services import duty


def create_reporting_duty(sender, decision, award, **kwargs) -> None:
    """grants.events.award_changed: an award in force creates its reporting requirement (idempotent: an appeal
    that changes the amount keeps the requirement there). A withdrawn award (award=None) leaves the requirement
    and any report as they are, as before the event existed."""
    if award is not None:
        duty.on_award(decision)
