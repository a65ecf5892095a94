"""Writes for the annual report (årsrapport) from a statsforvalter to Bufdir: start the report for a year,
save the narratives, comment, submit (a frozen AnnualReportVersion of figures and texts per submission; the
report cannot be edited afterwards) and Bufdir's reopening with a reason (the next submission is a new version).

Every call checks the permission first, validates with Norwegian messages and records an audit event in the same
transaction. A refused call changes nothing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from common import limits
from organisations.models import Embete
from reporting.models import (
    NARRATIVE_FIELDS,
    REQUIRED_NARRATIVES,
    AnnualReport,
    AnnualReportEntry,
    AnnualReportVersion,
    AnnualStatus,
    EntryKind,
)
from reporting.selectors.annual import NARRATIVE_LABELS, compile_figures

FIRST_YEAR = 2019  # the first year of the stimulus grants in Læringsnett's history
MAX_TEXT = limits.LONG_TEXT


def _missing_message(name: str) -> str:
    return {
        "vurdering": _("Skriv statsforvalterens vurdering av året før du sender inn."),
        "utfordringer": _("Beskriv utfordringene i året før du sender inn."),
        "planer": _("Beskriv planene for neste år før du sender inn."),
    }[name]


def parse_year(value) -> int:
    """A year the embete can report on: a whole number from FIRST_YEAR up to this year."""
    text = str(value if value is not None else "").strip()
    if not text.isdecimal():
        raise ValidationError({"aar": _("Året må være et årstall med fire sifre, for eksempel 2025.")})
    aar = int(text)
    this_year = timezone.localdate().year
    if aar > this_year:
        raise ValidationError(
            {"aar": _("Du kan ikke lage årsrapport for et år som ikke har begynt (%(aar)s).") % {"aar": aar}}
        )
    if aar < FIRST_YEAR:
        raise ValidationError({"aar": _("Årsrapporter kan lages fra %(aar)s.") % {"aar": FIRST_YEAR}})
    return aar


def _locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update(of=("self",)).select_related("embete").get(pk=report.pk)


def _not_editable(report: AnnualReport) -> ValidationError:
    return ValidationError(
        _(
            "Årsrapporten for %(aar)s er sendt inn (versjon %(v)s) og kan ikke endres. Bufdir kan åpne den igjen "
            "hvis noe må rettes."
        )
        % {"aar": report.aar, "v": report.versjon}
    )


@transaction.atomic
def create_report(actor, embete: Embete, aar) -> AnnualReport:
    """Start the embete's annual report for a year (a draft; the figures are compiled when it is read)."""
    require(actor, "reporting.create_annual", embete)
    aar = parse_year(aar)
    if AnnualReport.objects.filter(embete=embete, aar=aar).exists():
        raise ValidationError({"aar": _("Det finnes allerede en årsrapport for %(aar)s.") % {"aar": aar}})
    report = AnnualReport.objects.create(embete=embete, aar=aar, opprettet_av=actor)
    audit.record(actor, "aarsrapport.opprettet", report, {"aar": aar})
    return report


def _text(value, field: str, label: str) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("%(l)s kan ha høyst %(n)s tegn.") % {"l": label, "n": MAX_TEXT}})
    return text


@transaction.atomic
def save_narratives(actor, report: AnnualReport, **texts) -> AnnualReport:
    """Save the narrative sections (vurdering, utfordringer, planer, kommentarer) of a draft or reopened report.
    Sections not passed are left as they are."""
    report = _locked(report)
    require(actor, "reporting.edit_annual", report)
    unknown = set(texts) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown narrative fields: {sorted(unknown)}")
    if not report.editable:
        raise _not_editable(report)
    errors, cleaned = {}, {}
    for name, value in texts.items():
        try:
            cleaned[name] = _text(value, name, str(NARRATIVE_LABELS[name]))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(report, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(report, name, value)
    changes = audit.diff(before, cleaned)
    if changes:
        report.save()
        # The audit log records which sections changed, not the texts themselves.
        audit.record(actor, "aarsrapport.lagret", report, {"endret": sorted(changes)})
    return report


@transaction.atomic
def comment(actor, report: AnnualReport, tekst) -> AnnualReportEntry:
    """A staff comment on the draft (the review trail)."""
    report = _locked(report)
    require(actor, "reporting.comment_annual", report)
    if not report.editable:
        raise _not_editable(report)
    text = _text(tekst, "tekst", _("Kommentaren"))
    if not text:
        raise ValidationError({"tekst": _("Skriv en kommentar.")})
    entry = AnnualReportEntry.objects.create(rapport=report, type=EntryKind.KOMMENTAR, tekst=text, forfatter=actor)
    audit.record(actor, "aarsrapport.kommentert", report, {"kommentar": entry.pk})
    return entry


def submission_problems(report: AnnualReport) -> dict[str, list[str]]:
    """What stops the report from being submitted, keyed by field."""
    problems: dict[str, list[str]] = {}
    for name in REQUIRED_NARRATIVES:
        if not getattr(report, name).strip():
            problems[name] = [_missing_message(name)]
    today = timezone.localdate()
    if report.aar >= today.year:
        problems.setdefault("__all__", []).append(
            _("Årsrapporten for %(aar)s kan sendes inn når året er omme, fra 1. januar %(neste)s.")
            % {"aar": report.aar, "neste": report.aar + 1}
        )
    return problems


def _person(user) -> str:
    return user.get_full_name() or user.email


@transaction.atomic
def submit(actor, report: AnnualReport) -> AnnualReport:
    """Send the report to Bufdir: compile the figures, freeze them with the narratives in a new version, and
    lock the report against edits."""
    report = _locked(report)
    require(actor, "reporting.submit_annual", report)
    if not report.editable:
        raise ValidationError(
            _("Årsrapporten for %(aar)s er allerede sendt inn (versjon %(v)s).")
            % {"aar": report.aar, "v": report.versjon}
        )
    problems = submission_problems(report)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    report.versjon += 1
    content = compile_figures(report.embete, report.aar)
    content.update(
        {
            "tekster": {name: getattr(report, name) for name in NARRATIVE_FIELDS},
            "versjon": report.versjon,
            "sendt_inn": now.isoformat(),
            "sendt_inn_av": _person(actor),
        }
    )
    report.status = AnnualStatus.SENDT_INN
    report.sendt_inn = now
    report.sendt_inn_av = actor
    report.save()
    AnnualReportVersion.objects.create(
        rapport=report, versjon=report.versjon, innhold=content, sendt_inn=now, sendt_inn_av=actor
    )
    audit.record(
        actor,
        "aarsrapport.sendt_inn",
        report,
        {"versjon": report.versjon, "tildelt": content["penger"]["totalt"]["tildelt"]},
    )
    return report


@transaction.atomic
def reopen(actor, report: AnnualReport, begrunnelse) -> AnnualReport:
    """Bufdir opens a submitted report again with a reason; the statsforvalter corrects and submits a new
    version. The earlier versions are kept."""
    report = _locked(report)
    require(actor, "reporting.reopen_annual", report)
    if report.status != AnnualStatus.SENDT_INN:
        raise ValidationError(_("Bare en innsendt årsrapport kan åpnes igjen."))
    reason = _text(begrunnelse, "begrunnelse", _("Begrunnelsen"))
    if not reason:
        raise ValidationError({"begrunnelse": _("Skriv hvorfor årsrapporten åpnes igjen.")})
    report.status = AnnualStatus.GJENAPNET
    report.save()
    AnnualReportEntry.objects.create(
        rapport=report, type=EntryKind.GJENAPNET, tekst=reason, versjon=report.versjon, forfatter=actor
    )
    audit.record(actor, "aarsrapport.gjenapnet", report, {"versjon": report.versjon})
    return report
