"""python manage.py dispatch_outbox [--grace SECONDS] [--retry-failed] [--status]

Publishes the pending rows of the outbox (common.outbox) to Celery: tasks that could not be queued because Redis
was down, and tasks whose message was lost. Celery beat does the same every minute (common.dispatch_outbox); the
command is for operations after an outage, and for installations without beat. It loads every task module first
(Celery autodiscovery), as a worker does. Exit codes: 0 done (or nothing to do); 1 the queue (Redis) does not
answer, so pending rows are left for the next run; 2 some rows could not be sent because of a fault in the code or
the set-up (a task not registered, a module that does not import, a call the task refuses) or their task failed:
they are listed, stay pending with the error recorded, and are sent by a later run once the fault is fixed.
"""

from django.core.management.base import BaseCommand, CommandError

from common import outbox
from common.models import OutboxMessage


class Command(BaseCommand):
    help = "Sender ventende oppgaver i utboksen til køen (Celery). Kan kjøres når som helst og flere ganger."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=float,
            default=None,
            metavar="SEKUNDER",
            help="Ta bare meldinger som har ventet minst så lenge (standard: OUTBOX_GRACE_SECONDS, 30).",
        )
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Prøv igjen meldinger som er gitt opp (etter at feilen er rettet).",
        )
        parser.add_argument("--status", action="store_true", help="Vis bare hva som venter, uten å sende noe.")

    def handle(self, *args, grace, retry_failed, status, **options):
        if status:
            self._status()
            return
        error = outbox.load_tasks(force=True)
        if error is not None:
            self.stderr.write(f"FEIL: oppgavemodulene kunne ikke lastes: {type(error).__name__}: {error}")
        if retry_failed:
            self.stdout.write(f"Prøves igjen: {outbox.retry_given_up()}")
        report = outbox.dispatch(grace_seconds=grace)
        self.stdout.write(
            f"Sendt til køen: {report.sent}. Ikke sendt: {report.not_sent}. Gitt opp: {report.given_up}. "
            f"Slettet (ferdige): {report.deleted}. Venter fortsatt: {report.pending}."
        )
        if report.broker_down:
            raise CommandError("Køen (Redis) svarer ikke. Ventende meldinger sendes ved neste kjøring.", returncode=1)
        for pk, task, text in report.broken:
            self.stderr.write(f"FEIL: utboksmelding #{pk} ({task}) ble ikke sendt og venter: {text}")
        if report.failed:
            numbers = ", ".join(f"#{pk}" for pk in report.failed)
            self.stderr.write(f"Oppgaven feilet for utboksmelding {numbers}; den venter og prøves igjen.")
        if report.broken or report.failed:
            raise CommandError(
                f"{len(report.broken) + len(report.failed)} melding(er) ble ikke sendt på grunn av en feil (se over). "
                "De er ikke gitt opp: rett feilen og kjør kommandoen igjen.",
                returncode=2,
            )

    def _status(self):
        pending = OutboxMessage.objects.filter(utfort__isnull=True, gitt_opp__isnull=True)
        given_up = OutboxMessage.objects.filter(gitt_opp__isnull=False)
        self.stdout.write(f"Venter: {pending.count()} (aldri sendt: {pending.filter(sendt__isnull=True).count()})")
        self.stdout.write(f"Gitt opp: {given_up.count()}")
        for message in [*pending[:20], *given_up[:20]]:
            state = "gitt opp" if message.gitt_opp else "venter"
            self.stdout.write(
                f"  #{message.pk} {message.oppgave} {state}, opprettet {message.opprettet:%Y-%m-%d %H:%M:%S}, "
                f"forsøk {message.forsok}, sendt {message.ganger_sendt} ganger. {message.siste_feil}".rstrip()
            )
