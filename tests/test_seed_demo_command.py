"""manage.py seed_demo prints the demo logins with the address the app runs on (make run passes HOST and PORT)."""

import io

from django.core import mail
from django.core.management import call_command

from demo.seed import DEMO_PASSWORD


def fake_seed():
    """Stands in for demo.seed.seed_demo: sends two e-mails, as building the demo does, and returns the logins."""
    mail.send_mail("Invitasjon", "Velkommen", "noreply@laeringsnett.no", ["a@demo.no"])
    mail.send_mail("Vedtak", "Vedlagt", "noreply@laeringsnett.no", ["b@demo.no"])
    return [("leder@demo.no", "Tjenesteleder, Bergen")]


def test_prints_the_logins_with_the_address_it_was_given_and_no_e_mails(reference_data, monkeypatch, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # as in `make run`
    monkeypatch.setattr("demo.management.commands.seed_demo.seed_demo", fake_seed)
    mail.outbox.append("a test's own message")
    out = io.StringIO()
    call_command("seed_demo", "--url", "http://0.0.0.0:9000/", stdout=out)
    text = out.getvalue()
    assert "Logg inn på http://0.0.0.0:9000/ med:" in text
    assert "leder@demo.no" in text and "Tjenesteleder, Bergen" in text and DEMO_PASSWORD in text
    assert "8000" not in text
    assert "2 e-poster som demoen ville ha sendt, er ikke sendt eller vist." in text
    assert "Velkommen" not in text + capsys.readouterr().out  # the console backend would print to stdout
    assert mail.outbox == ["a test's own message"]
