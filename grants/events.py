"""Domain events that grants announces to the layers above it (docs/architecture.md, "Events").

Grants never imports the apps that build on it (followup, reporting …): when something happens that they must
react to, grants sends one of these signals and they connect a receiver in their AppConfig.ready(). Receivers run
synchronously, inside the sender's transaction, in the order they were connected; an exception in a receiver
propagates to the sender and rolls the whole write back (Signal.send, never send_robust), so a reaction is as
atomic as the write it reacts to. Side effects outside the database (e-mail, tasks) belong in
transaction.on_commit, as everywhere else.
"""

from django.dispatch import Signal

award_changed = Signal()
"""An award (tildeling) was made, changed or withdrawn: sent by grants.services.sync_award after the award ledger
(grants.Award) is brought in step with a decision (a new decision, or an appeal that changed the amount).

Payload (keyword arguments):
- sender: grants.models.Decision (the class)
- decision: the Decision, with soknad__utlysning and soknad__prosjekt selected
- award: the grants.Award row now in force for the decision, or None when the final amount is 0 (no award, or
  the one there was is deleted)

Receivers: followup.receivers.create_reporting_duty (the award's reporting requirement)."""
