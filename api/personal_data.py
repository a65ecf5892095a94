"""Personal data stored by api: personal API keys (collected by privacy.registry; how to declare:
common/personal_data.py)."""

from common.personal_data import ACCOUNT, IDENTITY, LINK, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        Entry("api.ApiToken.user", LINK, "personlige API-nøkler", "ja", "slettes"),
        Entry("api.ApiToken.navn", IDENTITY, "navnet brukeren ga nøkkelen", "ja", "slettes"),
        Entry("api.ApiToken.prefiks", ACCOUNT, "gjenkjenning av nøkkelen", "ja", "slettes"),
        Entry("api.ApiToken.nokkel_hash", ACCOUNT, "hash av nøkkelen", "nei (hemmelighet)", "slettes"),
    ),
)
