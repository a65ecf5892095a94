"""manage.py seed_demo prints the demo logins with the address the app runs on (make run passes HOST and PORT)."""

import io

from django.core.management import call_command


def test_prints_the_logins_with_the_address_it_was_given(reference_data, monkeypatch):
    monkeypatch.setattr(
        "demo.management.commands.seed_demo.seed_demo", lambda: [("leder@demo.no", "Tjenesteleder, Bergen")]
    )
    out = io.StringIO()
    call_command("seed_demo", "--url", "http://0.0.0.0:9000/", stdout=out)
    text = out.getvalue()
    assert "Logg inn på http://0.0.0.0:9000/ med:" in text
    assert "leder@demo.no" in text and "Tjenesteleder, Bergen" in text
    assert "8000" not in text
