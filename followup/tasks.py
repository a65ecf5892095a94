"""Celery tasks for the follow-up of grants: reminders about reporting deadlines (run daily by Celery beat, see
CELERY_BEAT_SCHEDULE in config/settings.py), the e-mail about a decided postponement and the e-mails about change
notices (to the statsforvalter when one is sent, to the applicants when it is decided).

A reminder is sent at most once per requirement, kind and deadline, even when the task is retried or runs
twice at the same time: the ReportReminder row (unique on krav, slag, frist) is created first, then claimed by
a conditional UPDATE inside a transaction (which waits for a concurrent run holding it), the e-mail is sent
and `sendt` is set before the transaction commits. A retry skips rows whose `sendt` is set."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import addresses_by_language
from accounts.models import SERVICE_ROLES, STATSFORVALTER_ROLES, RoleAssignment
from audit import services as audit
from audit.models import AuditEvent
from common.money import kr
from followup.models import (
    ChangeKind,
    ChangeNotice,
    ChangeStatus,
    Postponement,
    PostponementStatus,
    ReminderKind,
    ReportingRequirement,
    ReportReminder,
    ReportStatus,
)
from followup.services.duty import DONE, is_done, reminder_recipients

logger = logging.getLogger(__name__)

# Days before the deadline when the reminders are due. A run that missed the day sends the reminder later
# (the 30-day one until the 7-day one takes over, the 7-day one until the deadline).
BEFORE = {ReminderKind.DAGER_30: 30, ReminderKind.DAGER_7: 7}
# The day-after reminder is caught up for this many days after the deadline (a missed beat run), not for
# deadlines long gone (e.g. when the system is first put into use).
CATCH_UP_DAYS = 14


def due_kind(frist: datetime.date, today: datetime.date) -> str | None:
    """The reminder due today for a deadline, or None."""
    days_left = (frist - today).days
    if days_left < 0:
        return ReminderKind.FORFALT if -days_left <= CATCH_UP_DAYS else None
    if days_left <= BEFORE[ReminderKind.DAGER_7]:
        return ReminderKind.DAGER_7
    if days_left <= BEFORE[ReminderKind.DAGER_30]:
        return ReminderKind.DAGER_30
    return None


def requirement_link(krav) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("projects:requirement_detail", args=[krav.pk])


def _d(value: datetime.date) -> str:
    return f"{value:%d.%m.%Y}"


def _when(days_left: int) -> str:
    if days_left == 0:
        return _("i dag")
    if days_left == 1:
        return _("i morgen")
    return _("om %(n)s dager") % {"n": days_left}


def reminder_message(krav: ReportingRequirement, kind: str, today: datetime.date) -> tuple[str, str]:
    """(subject, body) of a reminder, in the active language (see send_reminder)."""
    project = krav.prosjekt
    embete = krav.vedtak.soknad.utlysning.embete
    rapport = _("%(type)s for tilskuddsåret %(aar)s") % {"type": krav.get_type_display().lower(), "aar": krav.aar}
    link = requirement_link(krav)
    report = getattr(krav, "rapport", None)
    returned = report is not None and report.status == ReportStatus.RETURNERT
    names = {"prosjekt": project.navn, "nettverk": project.network, "embete": embete, "rapport": rapport}
    names |= {"frist": _d(krav.frist), "link": link}
    lines = [_("Hei!"), ""]
    if kind == ReminderKind.FORFALT:
        subject = _("Rapportfristen er passert: «%(prosjekt)s»") % names
        lines += [
            _(
                "Fristen for %(rapport)s fra prosjektet «%(prosjekt)s» (%(nettverk)s) gikk ut %(frist)s, "
                "og rapporten er ikke sendt inn."
            )
            % names,
            "",
            _("Send inn rapporten så snart som mulig: %(link)s") % names,
            "",
            _("Trenger dere mer tid, kan dere be %(embete)s om utsettelse fra samme side.") % names,
        ]
    else:
        names["naar"] = _when((krav.frist - today).days)
        subject = _("Påminnelse: rapportfrist %(frist)s for «%(prosjekt)s»") % names
        lines += [
            _(
                "Prosjektet «%(prosjekt)s» (%(nettverk)s) har fått tilskudd fra %(embete)s. "
                "Fristen for %(rapport)s er %(frist)s, %(naar)s."
            )
            % names,
            "",
            _("Skriv og send inn rapporten i Læringsnett: %(link)s") % names,
            "",
            _("Trenger dere mer tid, kan dere be statsforvalteren om utsettelse fra samme side før fristen går ut."),
        ]
    if returned:
        lines += ["", _("Rapporten ble returnert for endring og må sendes inn på nytt.")]
    lines += [
        "",
        _(
            "Du får denne e-posten fordi du er prosjektleder eller kontaktperson for prosjektet, eller leder i en "
            "barnevernstjeneste som deltar i det."
        ),
        "",
        _("Hilsen Læringsnett"),
    ]
    return subject, "\n".join(lines)


def _send_in_each_language(recipients, compose) -> None:
    """One e-mail per language group of the recipients (accounts.language.addresses_by_language), each composed
    by compose() -> (subject, body) under that language."""
    for language, group in addresses_by_language(recipients).items():
        with translation.override(language):
            subject, body = compose()
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, group).send()


def open_requirements(today: datetime.date):
    """Requirements without a submitted or approved report whose deadline is within reach of a reminder."""
    return (
        ReportingRequirement.objects.exclude(rapport__status__in=DONE)
        .filter(
            frist__gte=today - datetime.timedelta(days=CATCH_UP_DAYS),
            frist__lte=today + datetime.timedelta(days=BEFORE[ReminderKind.DAGER_30]),
        )
        .select_related("prosjekt__network", "prosjekt__prosjektleder", "vedtak__soknad__utlysning__embete")
        .order_by("frist", "pk")
    )


def send_reminder(krav: ReportingRequirement, kind: str, today: datetime.date) -> bool:
    """Send one reminder unless it has been sent for this deadline. True when an e-mail went out."""
    recipients = reminder_recipients(krav)
    if not recipients:
        logger.warning("Ingen mottakere for påminnelse om rapportkrav %s", krav.pk)
        return False
    with transaction.atomic():
        reminder, _created = ReportReminder.objects.get_or_create(
            krav=krav, slag=kind, frist=krav.frist, defaults={"mottakere": recipients}
        )
    if reminder.sendt is not None:
        return False
    with transaction.atomic():
        # Claim the row: the UPDATE waits for a concurrent run holding it and then finds `sendt` set.
        if not ReportReminder.objects.filter(pk=reminder.pk, sendt__isnull=True).update(mottakere=recipients):
            return False
        fresh = ReportingRequirement.objects.filter(pk=krav.pk).values_list("frist", flat=True).first()
        if fresh != reminder.frist or is_done(krav):
            return False  # postponed or reported since the list was read; the row stays unsent
        _send_in_each_language(recipients, lambda: reminder_message(krav, kind, today))
        ReportReminder.objects.filter(pk=reminder.pk).update(sendt=timezone.now())
        audit.record(
            None,
            "rapportkrav.paminnelse_sendt",
            krav,
            {"slag": kind, "frist": str(krav.frist), "mottakere": recipients},
        )
    return True


@shared_task(
    bind=True, name="projects.send_report_reminders", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_report_reminders(self) -> int:
    """Daily: e-mail the project's contact persons 30 and 7 days before a report deadline and the day after a
    missed one. Returns the number of e-mails sent. A failing e-mail does not stop the others; the task then
    raises so Celery retries it, and the retry sends only what is still unsent."""
    today = timezone.localdate()
    sent = 0
    failure: OSError | None = None
    for krav in open_requirements(today):
        kind = due_kind(krav.frist, today)
        if kind is None:
            continue
        try:
            sent += send_reminder(krav, kind, today)
        except OSError as exc:
            logger.warning("Påminnelse om rapportkrav %s ble ikke sendt: %s", krav.pk, exc)
            failure = failure or exc
    if failure is not None:
        raise failure
    return sent


# --- postponement decided ----------------------------------------------------------------------------------


# The task names are the ones from before the move out of projects (issue 16): beat's schedule and messages already
# queued keep working.
@shared_task(
    bind=True,
    name="projects.tasks.send_postponement_decided",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_postponement_decided(self, postponement_id: int) -> bool:
    """Tell the one who asked (and the project's contact persons) the statsforvalter's answer. Once."""
    with transaction.atomic():
        postponement = (
            Postponement.objects.select_for_update(of=("self",))
            .select_related("krav__prosjekt__network", "krav__vedtak__soknad__utlysning__embete", "bedt_av")
            .get(pk=postponement_id)
        )
        if postponement.status == PostponementStatus.VENTER:
            return False
        if AuditEvent.objects.filter(handling="utsettelse.epost_sendt", object_id=str(postponement.pk)).exists():
            return False
        krav = postponement.krav
        recipients = set(reminder_recipients(krav))
        if postponement.bedt_av.is_active and postponement.bedt_av.email:
            recipients.add(postponement.bedt_av.email.strip().lower())
        if recipients:
            _send_in_each_language(sorted(recipients), lambda: postponement_message(postponement))
        audit.record(None, "utsettelse.epost_sendt", postponement, {"mottakere": sorted(recipients)})
    return bool(recipients)


def postponement_message(postponement: Postponement) -> tuple[str, str]:
    """(subject, body) of the e-mail about a decided postponement, in the active language."""
    krav = postponement.krav
    project = krav.prosjekt
    names = {
        "embete": krav.vedtak.soknad.utlysning.embete,
        "type": krav.get_type_display().lower(),
        "aar": krav.aar,
        "prosjekt": project.navn,
        "ny_frist": _d(postponement.ny_frist) if postponement.ny_frist else "",
        "frist": _d(krav.frist),
    }
    if postponement.status == PostponementStatus.INNVILGET:
        subject = _("Utsettelse innvilget: ny rapportfrist %(ny_frist)s for «%(prosjekt)s»") % names
        outcome = (
            _(
                "%(embete)s har innvilget utsettelsen. Ny frist for %(type)s for %(aar)s fra prosjektet "
                "«%(prosjekt)s» er %(ny_frist)s."
            )
            % names
        )
    else:
        subject = _("Utsettelse avslått for «%(prosjekt)s»") % names
        outcome = (
            _(
                "%(embete)s har avslått søknaden om utsettelse. Fristen for %(type)s for %(aar)s fra prosjektet "
                "«%(prosjekt)s» er fortsatt %(frist)s."
            )
            % names
        )
    lines = [_("Hei!"), "", outcome]
    if postponement.svar:
        lines += ["", _("Svar fra statsforvalteren:"), postponement.svar]
    lines += ["", _("Se rapporteringskravet: %(link)s") % {"link": requirement_link(krav)}, "", _("Hilsen Læringsnett")]
    return subject, "\n".join(lines)


# --- change notices (endringsmeldinger) --------------------------------------------------------------------


def change_link(notice: ChangeNotice) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("projects:change_detail", args=[notice.pk])


def _active_emails(users) -> set[str]:
    return {u.email.strip().lower() for u in users if u is not None and u.is_active and u.email and u.email.strip()}


def change_notice_staff_recipients(notice: ChangeNotice) -> list[str]:
    """Who at the statsforvalter hears about a new notice: the application's case officer (saksbehandler);
    without one (or an inactive one), the embete's active statsforvalter users."""
    emails = _active_emails([notice.soknad.saksbehandler])
    if not emails:
        rows = (
            RoleAssignment.objects.active()
            .filter(embete_id=notice.soknad.utlysning.embete_id, rolle__in=STATSFORVALTER_ROLES, user__is_active=True)
            .values_list("user__email", flat=True)
        )
        emails = {e.strip().lower() for e in rows if e and e.strip()}
    return sorted(emails)


def change_notice_applicant_recipients(notice: ChangeNotice) -> list[str]:
    """Who hears the answer: the one who sent the notice and the users of the applying services."""
    emails = _active_emails([notice.sendt_av])
    rows = (
        RoleAssignment.objects.active()
        .filter(
            tjeneste_id__in=[s.pk for s in notice.soknad.tjenester.all()],
            rolle__in=SERVICE_ROLES,
            user__is_active=True,
        )
        .values_list("user__email", flat=True)
    )
    emails |= {e.strip().lower() for e in rows if e and e.strip()}
    return sorted(emails)


def _notice_names(notice: ChangeNotice) -> dict:
    application = notice.soknad
    return {
        "prosjekt": application.prosjekt.navn,
        "referanse": application.referanse,
        "embete": application.utlysning.embete,
        "type": notice.get_type_display().lower(),
        "link": change_link(notice),
    }


def change_notice_sent_message(notice: ChangeNotice) -> tuple[str, str]:
    """(subject, body) of the e-mail to the statsforvalter about a new notice, in the active language."""
    names = _notice_names(notice)
    subject = _("Endringsmelding: «%(prosjekt)s» (%(referanse)s)") % names
    lines = [
        _("Hei!"),
        "",
        _("Prosjektet «%(prosjekt)s» har meldt en endring (%(type)s) i tilskuddet fra søknad %(referanse)s.") % names,
    ]
    if notice.ny_sluttdato:
        lines.append(_("Ny sluttdato: %(d)s.") % {"d": _d(notice.ny_sluttdato)})
    if notice.type == ChangeKind.UBRUKT and notice.forventet_ubrukt:
        lines.append(_("Forventet ubrukt beløp: %(b)s.") % {"b": kr(notice.forventet_ubrukt)})
    lines += ["", _("Behandle endringsmeldingen i Læringsnett: %(link)s") % names, "", _("Hilsen Læringsnett")]
    return subject, "\n".join(lines)


def change_notice_decided_message(notice: ChangeNotice) -> tuple[str, str]:
    """(subject, body) of the e-mail to the applicants about the answer, in the active language."""
    names = _notice_names(notice)
    if notice.status == ChangeStatus.GODKJENT:
        subject = _("Endringen er godkjent: «%(prosjekt)s»") % names
        outcome = _("%(embete)s har godkjent endringsmeldingen (%(type)s) for prosjektet «%(prosjekt)s».") % names
    else:
        subject = _("Endringen er avslått: «%(prosjekt)s»") % names
        outcome = _("%(embete)s har avslått endringsmeldingen (%(type)s) for prosjektet «%(prosjekt)s».") % names
    lines = [_("Hei!"), "", outcome]
    if notice.svar:
        lines += ["", _("Begrunnelse fra statsforvalteren:"), notice.svar]
    lines += ["", _("Se endringsmeldingen: %(link)s") % names, "", _("Hilsen Læringsnett")]
    return subject, "\n".join(lines)


def _notice_for_mail(notice_id: int) -> ChangeNotice:
    return (
        ChangeNotice.objects.select_for_update(of=("self",))
        .select_related("soknad__utlysning__embete", "soknad__prosjekt", "soknad__saksbehandler", "sendt_av")
        .prefetch_related("soknad__tjenester")
        .get(pk=notice_id)
    )


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_change_notice_sent(self, notice_id: int) -> bool:
    """Tell the statsforvalter's case officer (or the embete) that a change notice waits. Once."""
    with transaction.atomic():
        notice = _notice_for_mail(notice_id)
        if AuditEvent.objects.filter(handling="endringsmelding.varsel_sendt", object_id=str(notice.pk)).exists():
            return False
        recipients = change_notice_staff_recipients(notice)
        if recipients:
            _send_in_each_language(recipients, lambda: change_notice_sent_message(notice))
        audit.record(None, "endringsmelding.varsel_sendt", notice, {"mottakere": recipients})
    return bool(recipients)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_change_notice_decided(self, notice_id: int) -> bool:
    """Tell the applicants the statsforvalter's answer. Once."""
    with transaction.atomic():
        notice = _notice_for_mail(notice_id)
        if notice.status == ChangeStatus.SENDT:
            return False
        if AuditEvent.objects.filter(handling="endringsmelding.svar_sendt", object_id=str(notice.pk)).exists():
            return False
        recipients = change_notice_applicant_recipients(notice)
        if recipients:
            _send_in_each_language(recipients, lambda: change_notice_decided_message(notice))
        audit.record(None, "endringsmelding.svar_sendt", notice, {"mottakere": recipients})
    return bool(recipients)
