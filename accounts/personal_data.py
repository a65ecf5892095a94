"""Inventory of where personal data about a user is stored, and what export and anonymisation do with it.

Every text, JSON and file column of every model, and every foreign key to the user, is classified here.
tests/privacy/test_inventory.py fails when a model gains such a field without an entry, so a new place that
stores personal data cannot slip past export and anonymisation unnoticed.

Kinds:
- IDENTITY: identifies the person directly (name, e-mail, phone, title, a login identity).
- ACCOUNT: login and security data (password hash, sessions, TOTP secrets, API key hashes).
- LINK: a reference from a record to the user (who did or decided something, who holds a role).
- MENTION: free text, a frozen copy or a document that may name people because someone wrote it there.
- NONE: not personal data (listed in NOT_PERSONAL_MODELS / NOT_PERSONAL_FIELDS).

The texts are documentation for the data controller (Norwegian, like docs/); the table in docs/security.md is
generated from INVENTORY (`python -m accounts.personal_data`).
"""

from dataclasses import dataclass

IDENTITY = "identitet"
ACCOUNT = "konto"
LINK = "kobling"
MENTION = "fritekst"


@dataclass(frozen=True)
class Entry:
    field: str  # "app_label.Model.field"
    kind: str
    purpose: str
    export: str
    anonymise: str


_KEEP_LINK = "beholdes: peker på pseudonymet, så hvem som gjorde hva står fast"
_KEEP_TEXT = "beholdes uendret (saksdokument, arkivplikt); søkbar med --omtaler"
_LISTED = "listes under «oppført i» (type, id, tekst)"

INVENTORY: tuple[Entry, ...] = (
    # --- the person --------------------------------------------------------------------------------
    Entry("accounts.User.first_name", IDENTITY, "fornavn", "ja", "«Anonymisert»"),
    Entry("accounts.User.last_name", IDENTITY, "etternavn", "ja", "«bruker ID»"),
    Entry("accounts.User.email", IDENTITY, "innlogging og varsler", "ja", "anonymisert-ID@anonymisert.invalid"),
    Entry("accounts.User.stilling", IDENTITY, "stilling, vises ved navnet", "ja", "tømmes"),
    Entry("accounts.User.telefon", IDENTITY, "telefon, vises ved navnet", "ja", "tømmes"),
    Entry("accounts.User.password", ACCOUNT, "passord-hash", "nei (hemmelighet); bare om passord finnes", "ubrukelig"),
    Entry("account.EmailAddress.user", LINK, "e-postadresser knyttet til kontoen", "ja", "radene slettes"),
    Entry("account.EmailAddress.email", IDENTITY, "innlogging, bekreftelse", "ja", "radene slettes"),
    Entry(
        "account.EmailConfirmation.key", ACCOUNT, "bekreftelseslenke (ubrukt ved HMAC)", "nei", "slettes med adressen"
    ),
    Entry("mfa.Authenticator.user", LINK, "tofaktor", "type og datoer", "slettes"),
    Entry("mfa.Authenticator.type", ACCOUNT, "TOTP/gjenopprettingskoder", "ja", "slettes"),
    Entry("mfa.Authenticator.data", ACCOUNT, "TOTP-hemmelighet, koder", "nei (hemmelighet)", "slettes"),
    Entry("socialaccount.SocialAccount.user", LINK, "innlogging via ID-porten/Ansattporten", "ja", "slettes"),
    Entry("socialaccount.SocialAccount.provider", ACCOUNT, "hvilken innlogging", "ja", "slettes"),
    Entry("socialaccount.SocialAccount.uid", IDENTITY, "identitet hos innloggingstjenesten", "ja", "slettes"),
    Entry("socialaccount.SocialAccount.extra_data", IDENTITY, "opplysninger fra innloggingstjenesten", "ja", "slettes"),
    Entry("socialaccount.SocialToken.token", ACCOUNT, "tilgangsnøkkel", "nei (hemmelighet)", "slettes"),
    Entry("socialaccount.SocialToken.token_secret", ACCOUNT, "tilgangsnøkkel", "nei (hemmelighet)", "slettes"),
    Entry("sessions.Session.session_key", ACCOUNT, "innloggingsøkt", "nei (hemmelighet); antall og utløp", "slettes"),
    Entry("sessions.Session.session_data", ACCOUNT, "bruker-id og aktiv rolle i økten", "antall og utløp", "slettes"),
    Entry("api.ApiToken.user", LINK, "personlige API-nøkler", "ja", "slettes"),
    Entry("api.ApiToken.navn", IDENTITY, "navnet brukeren ga nøkkelen", "ja", "slettes"),
    Entry("api.ApiToken.prefiks", ACCOUNT, "gjenkjenning av nøkkelen", "ja", "slettes"),
    Entry("api.ApiToken.nokkel_hash", ACCOUNT, "hash av nøkkelen", "nei (hemmelighet)", "slettes"),
    # --- roles and invitations ---------------------------------------------------------------------
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
    Entry("accounts.Invitation.invitert_av", LINK, "hvem som inviterte", "ja (uten mottakerens e-post)", _KEEP_LINK),
    Entry("accounts.Invitation.akseptert_av", LINK, "hvem som tok imot", "ja", _KEEP_LINK),
    Entry("accounts.Invitation.token_hash", ACCOUNT, "hash av lenken", "nei (hemmelighet)", "slettes med ubrukte"),
    # --- contact persons ---------------------------------------------------------------------------
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
    Entry("projects.ProjectContact.user", LINK, "kontaktperson for prosjekt", "ja", "raden fjernes (ikke historikk)"),
    Entry("projects.ProjectContact.rolle", IDENTITY, "personens rolle i prosjektet", "ja", "fjernes med raden"),
    Entry("projects.DevelopmentProject.prosjektleder", LINK, "prosjektleder nå", "ja", "tømmes (ikke historikk)"),
    Entry(
        "organisations.ChildWelfareService.epost",
        IDENTITY,
        "tjenestens e-post",
        "hvis lik brukerens",
        "beholdes (tjenestens rad); nevnes i planen hvis lik brukerens",
    ),
    Entry(
        "followup.ReportReminder.mottakere",
        IDENTITY,
        "hvem påminnelsen ble sendt til",
        "nei",
        "adressen byttes med pseudonym",
    ),
    Entry("admin.LogEntry.user", LINK, "endringer i Django-admin", _LISTED, _KEEP_LINK),
    Entry(
        "admin.LogEntry.object_repr", IDENTITY, "navnet på det som ble endret", "nei", "pseudonym når det er brukeren"
    ),
    # --- audit trail (immutable) -------------------------------------------------------------------
    Entry("audit.AuditEvent.aktor", LINK, "hvem som gjorde handlingen", "ja, handling/objekt/tidspunkt", _KEEP_LINK),
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
    # --- who did what in the cases (kept: decisions and reports must stay attributable) --------------
    Entry("networks.NetworkStatusChange.endret_av", LINK, "statushistorikk", _LISTED, _KEEP_LINK),
    Entry("networks.Membership.opprettet_av", LINK, "medlemskap", _LISTED, _KEEP_LINK),
    Entry("networks.NetworkDocument.lastet_opp_av", LINK, "dokument", _LISTED, _KEEP_LINK),
    Entry("projects.PhaseChange.endret_av", LINK, "fasehistorikk", _LISTED, _KEEP_LINK),
    Entry("projects.Output.opprettet_av", LINK, "resultat", _LISTED, _KEEP_LINK),
    Entry("followup.Postponement.bedt_av", LINK, "utsettelse", _LISTED, _KEEP_LINK),
    Entry("followup.Postponement.behandlet_av", LINK, "utsettelse", _LISTED, _KEEP_LINK),
    Entry("followup.ProgressReport.opprettet_av", LINK, "rapport", _LISTED, _KEEP_LINK),
    Entry("followup.ReportVersion.sendt_inn_av", LINK, "innsendt rapport", _LISTED, _KEEP_LINK),
    Entry("followup.ReportReview.vurdert_av", LINK, "godkjenning/retur", _LISTED, _KEEP_LINK),
    Entry("grants.FrameAdjustment.endret_av", LINK, "rammejustering", _LISTED, _KEEP_LINK),
    Entry("grants.Application.saksbehandler", LINK, "saksbehandler", _LISTED, _KEEP_LINK + " (åpne saker varsles)"),
    Entry("grants.Application.opprettet_av", LINK, "søknad", _LISTED, _KEEP_LINK),
    Entry("grants.ApplicationVersion.opprettet_av", LINK, "innsendt søknad", _LISTED, _KEEP_LINK),
    Entry("grants.Attachment.lastet_opp_av", LINK, "vedlegg", _LISTED, _KEEP_LINK),
    Entry("grants.ImpartialityDeclaration.vurderer", LINK, "habilitet", _LISTED, _KEEP_LINK),
    Entry("grants.Score.vurderer", LINK, "poeng", _LISTED, _KEEP_LINK),
    Entry("grants.Decision.vedtatt_av", LINK, "vedtak", _LISTED, _KEEP_LINK),
    Entry("grants.Appeal.innsendt_av", LINK, "klage", _LISTED, _KEEP_LINK),
    Entry("grants.Appeal.behandlet_av", LINK, "klage", _LISTED, _KEEP_LINK),
    Entry("grants.Payment.registrert_av", LINK, "utbetaling", _LISTED, _KEEP_LINK),
    Entry("grants.RepaymentClaim.opprettet_av", LINK, "tilbakebetalingskrav", _LISTED, _KEEP_LINK),
    Entry("grants.CarryOver.vedtatt_av", LINK, "overføring", _LISTED, _KEEP_LINK),
    Entry("reporting.AnnualReport.opprettet_av", LINK, "årsrapport", _LISTED, _KEEP_LINK),
    Entry("reporting.AnnualReport.sendt_inn_av", LINK, "årsrapport", _LISTED, _KEEP_LINK),
    Entry("reporting.AnnualReportVersion.sendt_inn_av", LINK, "innsendt årsrapport", _LISTED, _KEEP_LINK),
    Entry("reporting.AnnualReportEntry.forfatter", LINK, "vurdering i årsrapport", _LISTED, _KEEP_LINK),
    # --- frozen copies and documents that carry a name ------------------------------------------------
    Entry(
        "reporting.AnnualReportVersion.innhold",
        MENTION,
        "låst kopi av innsendt årsrapport, med navnet på den som sendte",
        "nei",
        "beholdes uendret (dokument sendt til Bufdir, arkivplikt)",
    ),
    Entry(
        "grants.Decision.brev",
        MENTION,
        "vedtaksbrev (PDF) med navnet på den som signerte",
        "nei",
        "beholdes uendret (enkeltvedtak sendt til kommunen, arkivplikt)",
    ),
)

# Free text written in cases. It may mention people because someone typed a name; it cannot be rewritten
# mechanically without changing what was decided or reported. Kept; found by the --omtaler search.
FREE_TEXT_FIELDS: tuple[str, ...] = (
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
    "projects.DevelopmentProject.beskrivelse",
    "projects.ProjectPartner.rolle",
    "projects.Output.tittel",
    "projects.Output.beskrivelse",
    "projects.Output.lenke",
    "projects.Output.fil",
    "projects.Output.filnavn",
    "projects.Output.i_bruk_beskrivelse",
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
    "grants.FrameAdjustment.begrunnelse",
    "grants.ApplicationRound.kriterier",
    "grants.ApplicationRound.dokumentkrav",
    "grants.Application.maal",
    "grants.Application.aktiviteter",
    "grants.Application.tidsplan",
    "grants.BudgetLine.beskrivelse",
    "grants.ApplicationPartner.rolle",
    "grants.ApplicationVersion.innhold",
    "grants.ApplicationVersion.kommentar",
    "grants.Attachment.tittel",
    "grants.Attachment.fil",
    "grants.Attachment.filnavn",
    "grants.ImpartialityDeclaration.begrunnelse",
    "grants.Score.kommentar",
    "grants.Assessment.begrunnelse",
    "grants.Decision.begrunnelse",
    "grants.Decision.vilkaar",
    "grants.Appeal.begrunnelse",
    "grants.Appeal.utfall_begrunnelse",
    "grants.RepaymentClaim.begrunnelse",
    "grants.CarryOver.begrunnelse",
    "reporting.AnnualReport.vurdering",
    "reporting.AnnualReport.utfordringer",
    "reporting.AnnualReport.planer",
    "reporting.AnnualReport.kommentarer",
    "reporting.AnnualReportEntry.tekst",
    # Operations: the error text of a task that failed (an SMTP error can quote a recipient's address).
    "common.OutboxMessage.siste_feil",
)

# Models with no personal data at all (reference data, organisations, configuration).
NOT_PERSONAL_MODELS: dict[str, str] = {
    "auth.Permission": "tilgangskoder",
    "auth.Group": "gruppenavn",
    "contenttypes.ContentType": "modellnavn",
    "socialaccount.SocialApp": "oppsett av innloggingstjenesten",
    "organisations.Fylke": "referansedata",
    "organisations.Embete": "referansedata",
    "organisations.EmbeteNavn": "referansedata",
    "organisations.Kommune": "referansedata",
    "organisations.Partner": "organisasjon",
    "networks.GuidelineVersion": "retningslinjer",
    "networks.Theme": "temaliste",
    "grants.GrantScheme": "ordning",
    "grants.Frame": "ramme",
    "grants.Criterion": "kriterier",
    "grants.Award": "tildelinger per prosjekt",
    "followup.ReportingRequirement": "rapportkrav",
    "followup.SelfAssessment": "skala-svar",
    "reporting.FiguresVersion": "teller for mellomlagrede tall",
}

# Single fields with no personal data: codes, statuses, organisation names, numbers, hashes of nothing personal.
NOT_PERSONAL_FIELDS: frozenset[str] = frozenset(
    {
        "admin.LogEntry.object_id",
        "admin.LogEntry.change_message",
        "audit.AuditEvent.rolle",
        "audit.AuditEvent.handling",
        "audit.AuditEvent.object_id",
        "organisations.ChildWelfareService.navn",
        "organisations.ChildWelfareService.orgnr",
        "accounts.RoleAssignment.rolle",
        "accounts.Invitation.rolle",
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
        "projects.DevelopmentProject.navn",
        "projects.DevelopmentProject.kategori",
        "projects.DevelopmentProject.orientering",
        "projects.DevelopmentProject.fase",
        "projects.PhaseChange.fase",
        "projects.Output.type",
        "followup.Postponement.status",
        "followup.ReportReminder.slag",
        "followup.ProgressReport.status",
        "followup.ReportSpending.type",
        "followup.ReportReview.utfall",
        "grants.ApplicationRound.tittel",
        "grants.ApplicationRound.status",
        "grants.Application.kategori",
        "grants.Application.referanse",
        "grants.Application.status",
        "grants.BudgetLine.type",
        "grants.Attachment.innholdstype",
        "grants.Assessment.anbefaling",
        "grants.Decision.utfall",
        "grants.Decision.saksnummer",
        "grants.Decision.maalform",
        "grants.Appeal.utfall",
        "grants.Payment.kontonummer",
        "grants.RepaymentClaim.status",
        "reporting.AnnualReport.status",
        "reporting.AnnualReportEntry.type",
        "common.OutboxMessage.oppgave",
        "common.OutboxMessage.argumenter",  # ids and encrypted secrets only (common.outbox)
        "common.OutboxMessage.nokkelargumenter",
    }
)

CLASSIFIED_TYPES = ("CharField", "TextField", "EmailField", "JSONField", "FileField", "URLField", "SlugField")


def entries_by_field() -> dict[str, Entry]:
    return {e.field: e for e in INVENTORY}


def markdown_table() -> str:
    """The inventory as a Markdown table (for docs/security.md)."""
    lines = [
        "| Modell.felt | Type | Hva/hvorfor | Eksport | Ved anonymisering |",
        "|---|---|---|---|---|",
    ]
    for e in INVENTORY:
        lines.append(f"| `{e.field}` | {e.kind} | {e.purpose} | {e.export} | {e.anonymise} |")
    lines.append(
        f"| {len(FREE_TEXT_FIELDS)} fritekstfelt (begrunnelser, kommentarer, rapporttekster, vedlegg) | {MENTION} "
        f"| kan nevne personer fordi noen skrev navnet | nei (søk med `--omtaler`) | {_KEEP_TEXT} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(markdown_table())
