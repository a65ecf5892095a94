"""Grants announces an award (grants.events.award_changed) and followup reacts: grants never calls followup."""

import pytest

from grants import events
from grants.models import Decision
from tests.grants.conftest import make_assessed, set_frame
from tests.projects.conftest import award

pytestmark = pytest.mark.usefixtures("tasks", "clock")


def test_an_award_is_announced_with_its_decision_and_award(sf, bufdir, vestland, submitted):
    seen = []

    def receiver(sender, decision, award, **kwargs):
        seen.append((sender, decision.pk, award.vedtak_id if award is not None else None, award.belop))

    events.award_changed.connect(receiver)
    try:
        set_frame(bufdir, vestland, "1000000")
        decision = award(sf, make_assessed(sf, submitted), pay=False)
    finally:
        events.award_changed.disconnect(receiver)
    assert seen == [(Decision, decision.pk, decision.pk, decision.tildeling.belop)]


def test_followup_creates_the_reporting_duty_on_the_event(awarded):
    assert [(k.vedtak_id, k.prosjekt_id) for k in awarded.rapportkrav.all()] == [
        (awarded.pk, awarded.soknad.prosjekt_id)
    ]


def test_without_followups_receiver_an_award_creates_no_duty(sf, bufdir, vestland, submitted):
    """The duty comes from the event alone: with the receiver disconnected, grants makes the award and nothing
    else."""
    assert events.award_changed.disconnect(dispatch_uid="followup.create_reporting_duty")
    try:
        set_frame(bufdir, vestland, "1000000")
        decision = award(sf, make_assessed(sf, submitted), pay=False)
        assert decision.tildeling.belop > 0
        assert not decision.rapportkrav.exists()
    finally:
        from followup import receivers

        events.award_changed.connect(receivers.create_reporting_duty, dispatch_uid="followup.create_reporting_duty")
