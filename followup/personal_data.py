"""Personal data stored by followup: who asked, reported and reviewed, and where reminders went (collected by
privacy.registry; how to declare: common/personal_data.py)."""

from common.personal_data import IDENTITY, KEEP_LINK, LINK, LISTED, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        Entry(
            "followup.ReportReminder.mottakere",
            IDENTITY,
            "hvem påminnelsen ble sendt til",
            "nei",
            "adressen byttes med pseudonym",
        ),
        # --- who did what (kept) ---------------------------------------------------------------------
        Entry("followup.Postponement.bedt_av", LINK, "utsettelse", LISTED, KEEP_LINK),
        Entry("followup.Postponement.behandlet_av", LINK, "utsettelse", LISTED, KEEP_LINK),
        Entry("followup.ProgressReport.opprettet_av", LINK, "rapport", LISTED, KEEP_LINK),
        Entry("followup.ReportVersion.sendt_inn_av", LINK, "innsendt rapport", LISTED, KEEP_LINK),
        Entry("followup.ReportReview.vurdert_av", LINK, "godkjenning/retur", LISTED, KEEP_LINK),
        Entry("followup.ChangeNotice.sendt_av", LINK, "endringsmelding", LISTED, KEEP_LINK),
        Entry("followup.ChangeNotice.behandlet_av", LINK, "svar på endringsmelding", LISTED, KEEP_LINK),
    ),
    free_text=(
        "followup.Postponement.begrunnelse",
        "followup.Postponement.svar",
        "followup.ProgressReport.aktiviteter",
        "followup.ProgressReport.avvik",
        "followup.ProgressReport.resultater",
        "followup.ProgressReport.partnerinvolvering",
        "followup.ProgressReport.neste_aar",
        "followup.ProgressReport.fritekst",
        "followup.ProgressReport.forklaring_overforbruk",
        "followup.ReportSpending.kommentar",
        "followup.ReportVersion.innhold",
        "followup.ReportReview.kommentar",
        "followup.ChangeNotice.beskrivelse",
        "followup.ChangeNotice.svar",
    ),
    not_personal_models={
        "followup.ReportingRequirement": "rapportkrav",
        "followup.SelfAssessment": "skala-svar",
        "followup.BudgetMove": "flytting mellom budsjettposter",
    },
    not_personal_fields=(
        "followup.Postponement.status",
        "followup.ReportReminder.slag",
        "followup.ProgressReport.status",
        "followup.ReportSpending.type",
        "followup.ReportReview.utfall",
        "followup.ChangeNotice.type",
        "followup.ChangeNotice.status",
        "followup.ChangeNotice.for_endring",  # computed: the project's end date and budget before the change
        "followup.ChangeNotice.virkning",  # computed: what the approval changed
    ),
)
