"""Personal data in the tables of Django and allauth, which declare nothing themselves (every app of this
project declares its own in `<app>/personal_data.py`; see common/personal_data.py). Collected by
privacy.registry, first."""

from common.personal_data import ACCOUNT, IDENTITY, KEEP_LINK, LINK, LISTED, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        # --- logins (allauth), sessions ---------------------------------------------------------------
        Entry("account.EmailAddress.user", LINK, "e-postadresser knyttet til kontoen", "ja", "radene slettes"),
        Entry("account.EmailAddress.email", IDENTITY, "innlogging, bekreftelse", "ja", "radene slettes"),
        Entry(
            "account.EmailConfirmation.key",
            ACCOUNT,
            "bekreftelseslenke (ubrukt ved HMAC)",
            "nei",
            "slettes med adressen",
        ),
        Entry("mfa.Authenticator.user", LINK, "tofaktor", "type og datoer", "slettes"),
        Entry("mfa.Authenticator.type", ACCOUNT, "TOTP/gjenopprettingskoder", "ja", "slettes"),
        Entry("mfa.Authenticator.data", ACCOUNT, "TOTP-hemmelighet, koder", "nei (hemmelighet)", "slettes"),
        Entry("socialaccount.SocialAccount.user", LINK, "innlogging via ID-porten/Ansattporten", "ja", "slettes"),
        Entry("socialaccount.SocialAccount.provider", ACCOUNT, "hvilken innlogging", "ja", "slettes"),
        Entry("socialaccount.SocialAccount.uid", IDENTITY, "identitet hos innloggingstjenesten", "ja", "slettes"),
        Entry(
            "socialaccount.SocialAccount.extra_data", IDENTITY, "opplysninger fra innloggingstjenesten", "ja", "slettes"
        ),
        Entry("socialaccount.SocialToken.token", ACCOUNT, "tilgangsnøkkel", "nei (hemmelighet)", "slettes"),
        Entry("socialaccount.SocialToken.token_secret", ACCOUNT, "tilgangsnøkkel", "nei (hemmelighet)", "slettes"),
        Entry(
            "sessions.Session.session_key", ACCOUNT, "innloggingsøkt", "nei (hemmelighet); antall og utløp", "slettes"
        ),
        Entry(
            "sessions.Session.session_data", ACCOUNT, "bruker-id og aktiv rolle i økten", "antall og utløp", "slettes"
        ),
        # --- Django-admin's log -----------------------------------------------------------------------
        Entry("admin.LogEntry.user", LINK, "endringer i Django-admin", LISTED, KEEP_LINK),
        Entry(
            "admin.LogEntry.object_repr",
            IDENTITY,
            "navnet på det som ble endret",
            "nei",
            "pseudonym når det er brukeren",
        ),
    ),
    not_personal_models={
        "auth.Permission": "tilgangskoder",
        "auth.Group": "gruppenavn",
        "contenttypes.ContentType": "modellnavn",
        "socialaccount.SocialApp": "oppsett av innloggingstjenesten",
    },
    not_personal_fields=(
        "admin.LogEntry.object_id",
        "admin.LogEntry.change_message",
    ),
)
