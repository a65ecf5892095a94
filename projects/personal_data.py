"""Personal data stored by projects: project leaders, contact persons and who did what (collected by
privacy.registry; how to declare: common/personal_data.py)."""

from common.personal_data import IDENTITY, KEEP_LINK, LINK, LISTED, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        # --- contact persons -------------------------------------------------------------------------
        Entry(
            "projects.ProjectContact.user", LINK, "kontaktperson for prosjekt", "ja", "raden fjernes (ikke historikk)"
        ),
        Entry("projects.ProjectContact.rolle", IDENTITY, "personens rolle i prosjektet", "ja", "fjernes med raden"),
        Entry("projects.DevelopmentProject.prosjektleder", LINK, "prosjektleder nå", "ja", "tømmes (ikke historikk)"),
        # --- who did what (kept) ---------------------------------------------------------------------
        Entry("projects.PhaseChange.endret_av", LINK, "fasehistorikk", LISTED, KEEP_LINK),
        Entry("projects.Output.opprettet_av", LINK, "resultat", LISTED, KEEP_LINK),
    ),
    free_text=(
        "projects.DevelopmentProject.beskrivelse",
        "projects.ProjectPartner.rolle",
        "projects.Output.tittel",
        "projects.Output.beskrivelse",
        "projects.Output.lenke",
        "projects.Output.fil",
        "projects.Output.filnavn",
        "projects.Output.i_bruk_beskrivelse",
    ),
    not_personal_fields=(
        "projects.DevelopmentProject.navn",
        "projects.DevelopmentProject.kategori",
        "projects.DevelopmentProject.orientering",
        "projects.DevelopmentProject.fase",
        "projects.PhaseChange.fase",
        "projects.Output.type",
    ),
)
