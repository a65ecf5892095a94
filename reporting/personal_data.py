"""Personal data stored by reporting: who wrote and sent the annual reports, and their frozen copies (collected
by privacy.registry; how to declare: common/personal_data.py)."""

from common.personal_data import KEEP_LINK, LINK, LISTED, MENTION, Entry, PersonalData

PERSONAL_DATA = PersonalData(
    entries=(
        Entry("reporting.AnnualReport.opprettet_av", LINK, "årsrapport", LISTED, KEEP_LINK),
        Entry("reporting.AnnualReport.sendt_inn_av", LINK, "årsrapport", LISTED, KEEP_LINK),
        Entry("reporting.AnnualReportVersion.sendt_inn_av", LINK, "innsendt årsrapport", LISTED, KEEP_LINK),
        Entry("reporting.AnnualReportEntry.forfatter", LINK, "vurdering i årsrapport", LISTED, KEEP_LINK),
        Entry(
            "reporting.AnnualReportVersion.innhold",
            MENTION,
            "låst kopi av innsendt årsrapport, med navnet på den som sendte",
            "nei",
            "beholdes uendret (dokument sendt til Bufdir, arkivplikt)",
        ),
    ),
    free_text=(
        "reporting.AnnualReport.vurdering",
        "reporting.AnnualReport.utfordringer",
        "reporting.AnnualReport.planer",
        "reporting.AnnualReport.kommentarer",
        "reporting.AnnualReportEntry.tekst",
    ),
    not_personal_fields=(
        "reporting.AnnualReport.status",
        "reporting.AnnualReportEntry.type",
    ),
)
