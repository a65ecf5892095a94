"""How an app declares the personal data it stores (and, at the end, common's own declaration).

Every app that has models declares, in a module `<app>/personal_data.py` of its own, where its models store
personal data and what export and anonymisation do with it: one `PERSONAL_DATA = PersonalData(...)`. The privacy
app (the top layer) collects them (privacy.registry) for the export, the search for mentions, the anonymisation
and the inventory table in docs/security.md. tests/privacy/test_inventory.py fails when a model gains a text,
JSON or file column, or a foreign key to the user, that no declaration classifies, so a new place that stores
personal data cannot slip past export and anonymisation unnoticed.

Kinds:
- IDENTITY: identifies the person directly (name, e-mail, phone, title, a login identity).
- ACCOUNT: login and security data (password hash, sessions, TOTP secrets, API key hashes).
- LINK: a reference from a record to the user (who did or decided something, who holds a role).
- MENTION: free text, a frozen copy or a document that may name people because someone wrote it there.
- Not personal data: listed in not_personal_models / not_personal_fields.

The texts are documentation for the data controller (Norwegian, like docs/).

This module is plain data: it lives in common so every app can import it; no app below privacy imports privacy.
"""

from dataclasses import dataclass, field

IDENTITY = "identitet"
ACCOUNT = "konto"
LINK = "kobling"
MENTION = "fritekst"

# Phrases shared by many entries.
KEEP_LINK = "beholdes: peker på pseudonymet, så hvem som gjorde hva står fast"
KEEP_TEXT = "beholdes uendret (saksdokument, arkivplikt); søkbar med --omtaler"
LISTED = "listes under «oppført i» (type, id, tekst)"


@dataclass(frozen=True)
class Entry:
    """One column that holds personal data."""

    field: str  # "app_label.Model.field"
    kind: str
    purpose: str
    export: str
    anonymise: str


@dataclass(frozen=True)
class PersonalData:
    """What one app declares about its models (only its own models)."""

    # Columns holding personal data: what they are for, what the export shows, what anonymising does.
    entries: tuple[Entry, ...] = ()
    # Free text written in cases ("app_label.Model.field"). It may mention people because someone typed a name;
    # it cannot be rewritten mechanically without changing what was decided or reported. Kept; found by the
    # --omtaler search.
    free_text: tuple[str, ...] = ()
    # Models with no personal data at all ("app_label.Model" -> what they hold).
    not_personal_models: dict[str, str] = field(default_factory=dict)
    # Single columns with no personal data: codes, statuses, organisation names, numbers.
    not_personal_fields: tuple[str, ...] = ()


PERSONAL_DATA = PersonalData(
    # Operations: the error text of a task that failed (an SMTP error can quote a recipient's address).
    free_text=("common.OutboxMessage.siste_feil",),
    not_personal_models={
        "common.FiguresVersion": "teller for mellomlagrede tall",
    },
    not_personal_fields=(
        "common.OutboxMessage.oppgave",
        "common.OutboxMessage.argumenter",  # ids and encrypted secrets only (common.outbox)
        "common.OutboxMessage.nokkelargumenter",
    ),
)
