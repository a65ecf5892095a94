"""The end of a draft (issue 17): an attachment can be removed from a draft, a draft can be deleted by its
applicants, and a draft that is deleted or withdrawn leaves no registered project behind.

A draft that registered its project (Application.nytt_prosjekt, set by grants.services.create_application) takes
the project with it when no other application uses it and nothing else refers to it (a ProtectedError keeps it).
A draft never has a reference, a version or a decision, so deleting it loses nothing from the case record; the
audit trail keeps what happened, with the draft's name."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit

from .models import Application, ApplicationStatus, Attachment


def _delete_files(files) -> None:
    for f in files:
        if f:
            f.storage.delete(f.name)


@transaction.atomic
def remove_attachment(actor, attachment: Attachment) -> None:
    """Remove an attachment from a draft (applicants who may edit the draft)."""
    attachment = Attachment.objects.select_related("soknad").get(pk=attachment.pk)
    application = Application.objects.select_for_update(of=("self",)).get(pk=attachment.soknad_id)
    require(actor, "grants.edit_application", application)
    if application.status != ApplicationStatus.UTKAST:  # the permission says so too; the message is clearer
        raise ValidationError(_("Vedlegg kan bare fjernes mens søknaden er et utkast."))
    name, stored = attachment.filnavn, attachment.fil
    attachment.delete()
    audit.record(actor, "soknad.vedlegg_fjernet", application, {"fil": name, "tittel": attachment.tittel})
    transaction.on_commit(lambda: _delete_files([stored]))


def discard_project(actor, application: Application) -> bool:
    """Delete the project a (now deleted) draft registered, when nothing else uses it. True when deleted."""
    project = application.prosjekt
    if not application.nytt_prosjekt or Application.objects.filter(prosjekt=project).exists():
        return False
    try:
        with transaction.atomic():
            audit.record(actor, "soknad.prosjekt_fjernet", project, {"prosjekt": project.navn})
            project.delete()
    except (ProtectedError, RestrictedError):
        return False
    return True


def remove_draft(actor, application: Application, action: str) -> bool:
    """Delete a locked draft row, its files and (discard_project) its project; record `action`. True when the
    project went too. The caller has checked the permission and the status."""
    files = [a.fil for a in application.vedlegg.all()]
    project = application.prosjekt
    audit.record(
        actor,
        action,
        application,
        {"prosjekt": project.navn, "kategori": application.kategori, "utlysning": str(application.utlysning)},
    )
    application.tjenester.clear()
    application.delete()
    application.prosjekt = project
    project_gone = discard_project(actor, application)
    transaction.on_commit(lambda: _delete_files(files))
    return project_gone


@transaction.atomic
def delete_draft(actor, application: Application) -> bool:
    """Delete a draft (users of the applying services). Returns True when its project was deleted too."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("prosjekt", "utlysning")
        .get(pk=application.pk)
    )
    require(actor, "grants.delete_draft", application)
    if application.status != ApplicationStatus.UTKAST:
        raise ValidationError(_("Bare utkast kan slettes. En innsendt søknad kan trekkes."))
    return remove_draft(actor, application, "soknad.utkast_slettet")
