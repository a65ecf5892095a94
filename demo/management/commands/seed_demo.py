import logging

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.seed import DEMO_PASSWORD, reset_demo_mfa, seed_demo

# Loggers quieted while seeding, and the level they get. Celery logs one "Task … succeeded" line per task it runs
# in-process (eager mode): about a hundred while seeding; failures still show. Kombu warns that the in-memory
# broker of the embedded mode has no host name, which means nothing there.
QUIETED_LOGGERS = {"celery.app.trace": logging.WARNING, "kombu.connection": logging.ERROR}


class Command(BaseCommand):
    help = (
        "Bygger et demodatasett oppå referansedataene og skriver ut demo-innlogginger til slutt. "
        "Kan kjøres flere ganger; nullstiller demobrukernes tofaktor."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            help="Adressen appen kjører på: skrives ut med innloggingene og brukes i lenkene i e-postene demoen "
            "lager (standard: SITE_URL).",
        )

    def handle(self, *args, url: str | None, **options):
        url = url or settings.SITE_URL
        if not url.endswith("/"):
            url += "/"
        self.stdout.write("Referansedata …")
        call_command("load_reference_data", verbosity=0, stdout=self.stdout)
        # Building the demo sends the e-mails real use would (invitations, decision letters …). They are kept in
        # memory instead of filling the terminal (the console backend) above the logins, and their links point at
        # the address the demo runs on.
        previous = getattr(mail, "outbox", None)  # a test's outbox is left as it was
        levels = {name: logging.getLogger(name).level for name in QUIETED_LOGGERS}
        for name, level in QUIETED_LOGGERS.items():
            logging.getLogger(name).setLevel(level)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", SITE_URL=url.rstrip("/")):
            mail.outbox = []
            try:
                logins = seed_demo(progress=self.stdout.write)
                sent = len(mail.outbox)
            finally:
                for name, level in levels.items():
                    logging.getLogger(name).setLevel(level)
                if previous is None:
                    del mail.outbox
                else:
                    mail.outbox = previous
        reset = reset_demo_mfa()
        if reset:
            users = "demobruker" if reset == 1 else "demobrukere"
            self.stdout.write(f"Tofaktor nullstilt for {reset} {users} (logg inn med passordet).")
        if sent:
            self.stdout.write(f"{sent} e-poster som demoen ville ha sendt, er ikke sendt eller vist.")
        # The logins come last: nothing of ours is printed after them (make run starts runserver next).
        self.stdout.write(self.style.SUCCESS(f"\nDemodata er klare. Logg inn på {url} med:"))
        self.stdout.write(f"  Passord for alle: {DEMO_PASSWORD}\n")
        width = max(len(email) for email, _label in logins)
        for email, label in logins:
            self.stdout.write(f"  {email.ljust(width)}  {label}")
