"""Personal data stored by audit: the immutable audit trail (collected by privacy.registry; how to declare:
common/personal_data.py)."""

from common.personal_data import KEEP_LINK, LINK, MENTION, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        Entry("audit.AuditEvent.aktor", LINK, "hvem som gjorde handlingen", "ja, handling/objekt/tidspunkt", KEEP_LINK),
        Entry(
            "audit.AuditEvent.objekt",
            MENTION,
            "objektets navn da handlingen skjedde",
            "ja (ikke etter anonymisering)",
            "beholdes uendret (revisjonsspor, kan ikke endres)",
        ),
        Entry(
            "audit.AuditEvent.endringer",
            MENTION,
            "feltverdier som ble endret",
            "for hendelser om deg",
            "beholdes uendret (revisjonsspor, kan ikke endres)",
        ),
    ),
    not_personal_fields=(
        "audit.AuditEvent.rolle",
        "audit.AuditEvent.handling",
        "audit.AuditEvent.object_id",
    ),
)
