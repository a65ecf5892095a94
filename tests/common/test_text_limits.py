"""Issue 20: the shared helpers. clean_name (common.text) and the audit trail's bound (audit.services)."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError

from audit import services as audit
from common import limits
from common.text import NameField, clean_name, name_key


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("Trygg\u200b hjemme", "Trygg hjemme"),  # zero-width space
        ("\ufeffTrygg hjemme\u00ad", "Trygg hjemme"),  # byte order mark, soft hyphen
        ("Trygg \u202ehjemme\u202c", "Trygg hjemme"),  # right-to-left override and pop
        ("\u2066Trygg\u2069 \u200e\u200fhjemme", "Trygg hjemme"),  # isolates, direction marks
        ("Trygg\n\t  hjemme\u00a0 ", "Trygg hjemme"),  # line breaks and runs of space
        ("Trygg\x00 hjemme", "Trygg hjemme"),  # a control character
        ("Tromso\u0308", "Tromsö"),  # NFC: o + combining diaeresis is one character
        ("Ærlig talt – «Øya»", "Ærlig talt – «Øya»"),  # Norwegian text is kept as it is
    ],
)
def test_clean_name(typed, stored):
    assert clean_name(typed) == stored


def test_name_key_compares_names_as_people_read_them():
    assert name_key("FOSTERHJEM I\u200b FELLESSKAP") == name_key("Fosterhjem i fellesskap")
    assert name_key("Ørsta") == name_key("ØRSTA")


def test_name_field_cleans_before_required_and_length():
    field = NameField()
    assert field.clean(" Trygg\u200b hjemme\u202e ") == "Trygg hjemme"
    assert field.max_length == limits.NAME
    with pytest.raises(ValidationError) as exc:
        field.clean("\u200b\u202e")
    assert exc.value.messages == ["Feltet er påkrevet."]


def test_short_texts_stay_whole_in_the_audit_trail():
    text = "x" * limits.AUDIT_TEXT
    assert audit.bound(text) == text


def test_a_long_text_is_bounded_to_excerpt_length_and_hash():
    text = "Første del. " + "ø" * 4_000_000
    kept = audit.bound(text)
    assert len(kept) <= limits.AUDIT_TEXT
    assert kept.startswith(text[: limits.AUDIT_EXCERPT])
    assert f"{len(text)} tegn" in kept
    assert hashlib.sha256(text.encode()).hexdigest() in kept


def test_the_change_description_is_bounded_whatever_its_shape():
    big = "y" * 100_000
    changes = audit._bounded_changes(
        {"tekst": [big, big + "!"], "liste": [big] * 200, "tall": 3, big: "nøkkelen er også tekst"}
    )
    assert len(json.dumps(changes, ensure_ascii=False)) <= limits.AUDIT_TOTAL
    assert changes["tall"] == 3
