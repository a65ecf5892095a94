"""Personal data stored by organisations: almost none, organisations are not people (collected by
privacy.registry; how to declare: common/personal_data.py)."""

from common.personal_data import IDENTITY, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        Entry(
            "organisations.ChildWelfareService.epost",
            IDENTITY,
            "tjenestens e-post",
            "hvis lik brukerens",
            "beholdes (tjenestens rad); nevnes i planen hvis lik brukerens",
        ),
    ),
    not_personal_models={
        "organisations.Fylke": "referansedata",
        "organisations.Embete": "referansedata",
        "organisations.EmbeteNavn": "referansedata",
        "organisations.Kommune": "referansedata",
        "organisations.Partner": "organisasjon",
    },
    not_personal_fields=(
        "organisations.ChildWelfareService.navn",
        "organisations.ChildWelfareService.orgnr",
    ),
)
