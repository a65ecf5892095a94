"""Uploads: checked by content, limited in size, stored outside the web root, served only by permission-checked
views as downloads with a safe Content-Disposition.

Already proven elsewhere (cited in docs/security.md, not repeated here):
- content sniffing and size limit in common/uploads.py: tests/networks/test_services.py::
  test_wrong_or_empty_documents_are_refused, ::test_too_large_document_is_refused, ::test_real_documents_are_accepted,
  ::test_unsafe_file_names_are_cleaned; through the page: tests/networks/test_views.py::
  test_document_upload_view_shows_errors_and_saves_nothing; tests/grants/test_views_applicant.py::
  test_attachment_upload; tests/projects/projects/test_services.py (outputs);
- who may download: tests/networks/test_views.py::test_partner_not_in_the_network_cannot_download and neighbours,
  tests/grants/test_views_applicant.py::test_attachment_download_only_for_those_who_may_read_the_application,
  tests/projects/projects/test_views.py::test_file_download_permission, and every download URL × role in
  tests/security/test_access_matrix.py.
Here: the same rules hold for every upload service and every download view, whatever the client claims.
"""

from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve, reverse

from common.uploads import safe_filename
from grants import services as grant_services
from grants.models import Attachment
from networks import services as network_services
from networks.models import NetworkDocument
from projects.models import Output
from projects.services import projects as project_services
from tests.networks.conftest import PDF_BYTES, upload

from .conftest import login

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def upload_via(kind: str, w, fil):
    """Each of the three places a user can upload a document, through its service."""
    if kind == "document":
        return network_services.upload_document(w.users["sf"], w.network, type="annet", tittel="Fil", fil=fil)
    if kind == "attachment":
        return grant_services.add_attachment(w.users["svc_leader"], w.app_draft, tittel="Fil", fil=fil)
    return project_services.add_output(
        w.users["svc_leader"], w.project, fil=fil, type="modell", tittel="Fil", beskrivelse="Et resultat."
    )


MODELS = {"document": NetworkDocument, "attachment": Attachment, "output": Output}
DOWNLOAD = {"document": "networks:document_download", "attachment": "grants:attachment_download"}
DOWNLOAD["output"] = "projects:output_file"


# --- type by content, size --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["document", "attachment", "output"])
@pytest.mark.parametrize(
    "name, content, claimed",
    [
        ("side.pdf", HTML, "application/pdf"),  # HTML with a PDF name and a PDF content type
        ("side.html", HTML, "text/html"),
        ("plan.docx", PDF_BYTES, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("program.pdf", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf"),  # a Windows executable
    ],
)
def test_every_upload_is_checked_by_content_not_by_name_or_claimed_type(w, kind, name, content, claimed):
    before = MODELS[kind].objects.count()
    with pytest.raises(ValidationError) as refused:
        upload_via(kind, w, upload(name, content, claimed))
    message = " ".join(refused.value.messages)
    assert "Innholdet i filen stemmer ikke med filtypen" in message or "Filtypen er ikke tillatt" in message
    assert MODELS[kind].objects.count() == before


@pytest.mark.parametrize("kind", ["document", "attachment", "output"])
def test_every_upload_has_the_size_limit(w, kind, settings):
    settings.UPLOAD_MAX_BYTES = len(PDF_BYTES) - 1
    before = MODELS[kind].objects.count()
    with pytest.raises(ValidationError) as refused:
        upload_via(kind, w, upload("plan.pdf", PDF_BYTES, "application/pdf"))
    assert "Filen er for stor" in " ".join(refused.value.messages)
    assert MODELS[kind].objects.count() == before


@pytest.mark.parametrize("kind", ["document", "attachment", "output"])
def test_stored_name_is_cleaned_and_type_comes_from_the_content(w, kind):
    stored = upload_via(kind, w, upload('../../"Årsplan"\r\nX-Evil: 1.pdf', PDF_BYTES, "text/html"))
    assert stored.filnavn.endswith(".pdf") and "Årsplan" in stored.filnavn
    assert not set(stored.filnavn) & set('/\\"\r\n: ')
    assert getattr(stored, "innholdstype", "application/pdf") == "application/pdf"
    assert Path(settings.MEDIA_ROOT) in Path(stored.fil.path).parents


# --- stored outside the web root, never routed --------------------------------------------------------------------


def test_media_root_is_outside_every_folder_served_as_static_files():
    media = Path(settings.MEDIA_ROOT).resolve()
    served = [Path(settings.STATIC_ROOT)] + [
        Path(d[1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS
    ]
    for folder in served:
        folder = folder.resolve()
        assert folder != media and folder not in media.parents and media not in folder.parents, folder
    # The default lives in the data folder beside the database, not in the code (where templates/static are).
    default_media = Path(settings.DATA_DIR) / "uploads"
    assert Path(settings.BASE_DIR / "static") not in default_media.parents


def test_uploaded_files_are_not_reachable_by_url(w, client):
    name = w.document.fil.name
    assert (Path(settings.MEDIA_ROOT) / name).is_file()
    for path in (f"{settings.MEDIA_URL}{name}", f"/media/{name}", f"/static/{name}", f"/{name}"):
        with pytest.raises(Resolver404):
            resolve(path)
        login(client, w.users["sf"])  # even someone who may read the document through the app
        assert client.get(path).status_code == 404, path
        client.logout()


# --- downloads ------------------------------------------------------------------------------------------------------

CASES = {
    # kind: (object in the world, a user who may read it, a user who may not)
    "document": ("document", "svc_leader", "svc_other"),
    "attachment": ("attachment", "svc_leader", "svc_other"),
    "output": ("output", "svc_leader", "sf_other"),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_downloads_are_permission_checked_attachments_with_nosniff(w, client, kind):
    attr, reader, outsider = CASES[kind]
    url = reverse(DOWNLOAD[kind], args=[getattr(w, attr).pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/konto/login/" in anonymous["Location"]
    login(client, w.users[outsider])
    assert client.get(url).status_code == 404  # no hint that the file exists
    client.logout()
    login(client, w.users[reader])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_decision_letter_is_generated_pdf_shown_inline_with_nosniff(w, client):
    """The one file shown inline: the decision letter the app generated itself (ReportLab), never an upload."""
    url = reverse("grants:decision_letter", args=[w.app_decided.pk])
    login(client, w.users["svc_other"])
    assert client.get(url).status_code == 404
    client.logout()
    login(client, w.users["svc_leader"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename")


NASTY_NAMES = [
    'rapport "endelig".pdf',  # quotes must not end the quoted string
    "plan.pdf\r\nSet-Cookie: sessionid=stjaalet",  # header injection
    "plan.pdf\nContent-Type: text/html",
    "Årsrapport – Bodø.pdf",  # non-ASCII
    "plan\\..\\..\\x.pdf",
]


@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.parametrize("nasty", NASTY_NAMES)
def test_any_stored_name_gives_one_safe_content_disposition(w, client, kind, nasty):
    """Even a name that never went through the upload service (written straight to the database) cannot break out
    of the Content-Disposition header."""
    attr, reader, _outsider = CASES[kind]
    obj = getattr(w, attr)
    MODELS[kind].objects.filter(pk=obj.pk).update(filnavn=nasty)
    login(client, w.users[reader])
    response = client.get(reverse(DOWNLOAD[kind], args=[obj.pk]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert "stjaalet" not in {m.value for m in response.cookies.values()}
    # Outputs take the type from the name's extension: an odd name gives octet-stream, never anything renderable.
    assert response["Content-Type"] in ("application/pdf", "application/octet-stream")
    parsed = Message()
    parsed["Content-Disposition"] = header
    assert parsed.get_content_disposition() == "attachment"
    # The browser gets back exactly the stored name (quoted or RFC 5987-encoded) or its cleaned form, never more.
    assert parsed.get_filename() in (nasty, safe_filename(nasty))
