"""manage.py seed_demo: progress lines, then the demo logins last, with the address the app runs on (make run passes
HOST and PORT); the demo's e-mails link to that address; demo users lose their second factor on every run."""

import io
import logging
import re

from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command

from accounts.models import Role
from accounts.services import invite
from demo.seed import DEMO_DOMAIN, DEMO_PASSWORD

from . import factories

LINK_RE = re.compile(r"http://192\.0\.2\.10:8080/invitasjon/[\w-]+/")


def fake_seed(progress=lambda stage: None):
    """Stands in for demo.seed.seed_demo: reports a stage, sends two e-mails, as building the demo does, and returns
    the logins."""
    progress("Nettverk …")
    mail.send_mail("Invitasjon", "Velkommen", "noreply@laeringsnett.no", ["a@demo.no"])
    mail.send_mail("Vedtak", "Vedlagt", "noreply@laeringsnett.no", ["b@demo.no"])
    return [("leder@demo.no", "Tjenesteleder, Bergen")]


def run(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_prints_progress_then_the_logins_last_with_the_address_it_was_given_and_no_e_mails(
    reference_data, monkeypatch, settings, capsys
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # as in `make run`
    monkeypatch.setattr("demo.management.commands.seed_demo.seed_demo", fake_seed)
    mail.outbox.append("a test's own message")
    text = run("--url", "http://0.0.0.0:9000/")
    assert "Logg inn på http://0.0.0.0:9000/ med:" in text
    assert "leder@demo.no" in text and "Tjenesteleder, Bergen" in text and DEMO_PASSWORD in text
    assert "8000" not in text
    assert "2 e-poster som demoen ville ha sendt, er ikke sendt eller vist." in text
    assert "Velkommen" not in text + capsys.readouterr().out  # the console backend would print to stdout
    assert mail.outbox == ["a test's own message"]
    # Progress first, the logins last: nothing follows the last login line.
    assert text.index("Referansedata …") < text.index("Nettverk …") < text.index("Logg inn på")
    assert text.rstrip().splitlines()[-1].split() == ["leder@demo.no", "Tjenesteleder,", "Bergen"]


def inviting_seed(sent: list, on_commit):
    """A seed that invites someone through the real service, so the real Celery task (run eagerly) writes the
    e-mail with its link; keeps the bodies, as the command discards the demo's e-mails."""

    def seed(progress=lambda stage: None):
        admin = factories.UserFactory(is_superuser=True, is_staff=True)
        with on_commit(execute=True):
            invite(admin, email=f"ny{len(sent)}@example.no", rolle=Role.BUFDIR)
        sent.extend(message.body for message in mail.outbox)
        return [(admin.email, "Superbruker")]

    return seed


def test_links_in_the_demo_e_mails_use_the_given_address(
    reference_data, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    sent: list[str] = []
    monkeypatch.setattr(
        "demo.management.commands.seed_demo.seed_demo", inviting_seed(sent, django_capture_on_commit_callbacks)
    )
    run("--url", "http://192.0.2.10:8080/")
    assert len(sent) == 1
    assert LINK_RE.search(sent[0]), sent[0]
    assert "127.0.0.1:8000" not in sent[0]
    assert settings.SITE_URL == "http://127.0.0.1:8000"  # only while seeding


def test_without_url_the_logins_show_site_url(reference_data, monkeypatch, settings):
    settings.SITE_URL = "http://192.0.2.10:8080"  # what `make run` exports
    monkeypatch.setattr("demo.management.commands.seed_demo.seed_demo", fake_seed)
    assert "Logg inn på http://192.0.2.10:8080/ med:" in run()


def test_celery_does_not_log_a_line_per_task_while_seeding(
    reference_data, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    sent: list[str] = []
    seed = inviting_seed(sent, django_capture_on_commit_callbacks)

    def task_lines():
        return [r for r in caplog.records if r.name == "celery.app.trace" and "succeeded" in r.getMessage()]

    seed()  # outside the command Celery logs the task: the check below would see it
    assert len(task_lines()) == 1
    caplog.clear()
    monkeypatch.setattr("demo.management.commands.seed_demo.seed_demo", seed)
    run("--url", "http://127.0.0.1:8000/")
    assert len(sent) == 2  # the task did run inside the command
    assert task_lines() == []
    assert logging.getLogger("celery.app.trace").level == logging.NOTSET  # put back afterwards


def test_rerunning_resets_the_second_factor_of_demo_users_only(reference_data, monkeypatch):
    monkeypatch.setattr("demo.management.commands.seed_demo.seed_demo", fake_seed)
    demo_user = factories.UserFactory(email=f"sf.vestland@{DEMO_DOMAIN}")
    real_user = factories.UserFactory(email="kari@statsforvalteren.no")
    for user in (demo_user, real_user):
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
        Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "abc"})
    text = run()
    assert "Tofaktor nullstilt for 1 demobruker (logg inn med passordet)." in text
    assert text.index("Tofaktor nullstilt") < text.index("Logg inn på")
    assert not Authenticator.objects.filter(user=demo_user).exists()
    assert Authenticator.objects.filter(user=real_user).count() == 2
    assert "Tofaktor" not in run()  # nothing to reset the second time
