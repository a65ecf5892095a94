"""Personal data stored by accounts: the person, their roles and invitations (collected by privacy.registry;
how to declare: common/personal_data.py)."""

from common.personal_data import ACCOUNT, IDENTITY, KEEP_LINK, LINK, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        # --- the person ------------------------------------------------------------------------------
        Entry("accounts.User.first_name", IDENTITY, "fornavn", "ja", "«Anonymisert»"),
        Entry("accounts.User.last_name", IDENTITY, "etternavn", "ja", "«bruker ID»"),
        Entry("accounts.User.email", IDENTITY, "innlogging og varsler", "ja", "anonymisert-ID@anonymisert.invalid"),
        Entry("accounts.User.stilling", IDENTITY, "stilling, vises ved navnet", "ja", "tømmes"),
        Entry("accounts.User.telefon", IDENTITY, "telefon, vises ved navnet", "ja", "tømmes"),
        Entry(
            "accounts.User.sprak", ACCOUNT, "valgt språk for sider og e-post", "ja", "beholdes (identifiserer ingen)"
        ),
        Entry(
            "accounts.User.password", ACCOUNT, "passord-hash", "nei (hemmelighet); bare om passord finnes", "ubrukelig"
        ),
        # --- roles and invitations -------------------------------------------------------------------
        Entry(
            "accounts.RoleAssignment.user",
            LINK,
            "roller med periode",
            "ja",
            "avsluttes i går (historikk beholdes); framtidige slettes",
        ),
        Entry(
            "accounts.Invitation.email",
            IDENTITY,
            "hvem invitasjonen gjelder",
            "ja (til deg)",
            "ubrukte slettes; brukte får pseudonym",
        ),
        Entry("accounts.Invitation.invitert_av", LINK, "hvem som inviterte", "ja (uten mottakerens e-post)", KEEP_LINK),
        Entry("accounts.Invitation.akseptert_av", LINK, "hvem som tok imot", "ja", KEEP_LINK),
        Entry("accounts.Invitation.token_hash", ACCOUNT, "hash av lenken", "nei (hemmelighet)", "slettes med ubrukte"),
    ),
    not_personal_fields=(
        "accounts.RoleAssignment.rolle",
        "accounts.Invitation.rolle",
    ),
)
