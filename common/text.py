"""Normalising names and titles that users type (issue 20).

A name is one line of visible text: `clean_name` puts it in Unicode NFC, removes invisible and bidirectional
control characters (zero-width space and joiners, soft hyphen, byte order mark, the embedding/override/isolate
controls U+202A–U+202E and U+2066–U+2069, and every other format (Cf) or control (Cc) character) and collapses
runs of white space (line breaks included) into one space. So "Trygg\u200b hjemme" cannot pass for a new name
beside "Trygg hjemme", and U+202E cannot turn the reference printed beside a name around. `name_key` is what two
names are compared by. Forms use `NameField`; services call `clean_name` themselves, so every path is covered.
"""

import unicodedata

from django import forms

from . import limits

_REMOVED_CATEGORIES = {"Cf", "Cc"}  # format characters (invisible, bidi controls) and control characters


def clean_name(value) -> str:
    """The name as it is stored: NFC, no invisible or bidi control characters, single spaces, trimmed."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _REMOVED_CATEGORIES
    )
    return " ".join(text.split())


def name_key(value) -> str:
    """What two names are compared by: the cleaned name, case folded."""
    return clean_name(value).casefold()


class NameField(forms.CharField):
    """A one-line name or title: cleaned with clean_name before the required and length checks."""

    def __init__(self, *, max_length=limits.NAME, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        return clean_name(super().to_python(value))
