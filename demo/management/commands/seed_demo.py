from django.core import mail
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Bygger et demodatasett oppå referansedataene og skriver ut demo-innlogginger. Kan kjøres flere ganger."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="Adressen appen kjører på (skrives ut med innloggingene)."
        )

    def handle(self, *args, url: str, **options):
        call_command("load_reference_data", verbosity=0, stdout=self.stdout)
        # Building the demo sends the e-mails real use would (invitations, decision letters …). They are kept in
        # memory instead of filling the terminal (the console backend) above the logins.
        previous = getattr(mail, "outbox", None)  # a test's outbox is left as it was
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            try:
                logins = seed_demo()
                sent = len(mail.outbox)
            finally:
                if previous is None:
                    del mail.outbox
                else:
                    mail.outbox = previous
        self.stdout.write(f"{sent} e-poster som demoen ville ha sendt, er ikke sendt eller vist.")
        self.stdout.write(self.style.SUCCESS(f"\nDemodata er klare. Logg inn på {url} med:"))
        self.stdout.write(f"  Passord for alle: {DEMO_PASSWORD}\n")
        width = max(len(email) for email, _label in logins)
        for email, label in logins:
            self.stdout.write(f"  {email.ljust(width)}  {label}")
