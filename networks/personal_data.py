"""Personal data stored by networks: contact persons and who did what (collected by privacy.registry; how to
declare: common/personal_data.py)."""

from common.personal_data import IDENTITY, KEEP_LINK, LINK, LISTED, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        # --- contact persons -------------------------------------------------------------------------
        Entry(
            "networks.NetworkPerson.user",
            LINK,
            "rolle i nettverk med periode",
            "ja",
            "åpne avsluttes i går (historikk beholdes); framtidige slettes",
        ),
        Entry("networks.NetworkPerson.navn", IDENTITY, "navn på person uten konto", "ja", "pseudonym / tømmes"),
        Entry("networks.NetworkPerson.stilling", IDENTITY, "stilling", "ja", "tømmes"),
        Entry("networks.NetworkPerson.epost", IDENTITY, "e-post (også personer uten konto)", "ja", "tømmes"),
        # --- who did what (kept) ---------------------------------------------------------------------
        Entry("networks.NetworkStatusChange.endret_av", LINK, "statushistorikk", LISTED, KEEP_LINK),
        Entry("networks.Membership.opprettet_av", LINK, "medlemskap", LISTED, KEEP_LINK),
        Entry("networks.NetworkDocument.lastet_opp_av", LINK, "dokument", LISTED, KEEP_LINK),
    ),
    free_text=(
        "networks.LearningNetwork.beskrivelse",
        "networks.LearningNetwork.maal",
        "networks.Membership.begrunnelse",
        "networks.NetworkPartner.rolle",
        "networks.NetworkDocument.tittel",
        "networks.NetworkDocument.fil",
        "networks.NetworkDocument.filnavn",
        "networks.Gathering.tittel",
        "networks.Gathering.sted",
        "networks.Gathering.agenda",
    ),
    not_personal_models={
        "networks.GuidelineVersion": "retningslinjer",
        "networks.Theme": "temaliste",
    },
    not_personal_fields=(
        "networks.LearningNetwork.navn",
        "networks.LearningNetwork.status",
        "networks.LearningNetwork.orientering",
        "networks.NetworkStatusChange.status",
        "networks.Membership.status",
        "networks.NetworkPerson.rolle",
        "networks.OppvekstParticipant.type",
        "networks.OppvekstParticipant.navn",
        "networks.NetworkDocument.type",
        "networks.NetworkDocument.innholdstype",
        "networks.Gathering.format",
    ),
)
