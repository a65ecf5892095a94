"""The web UI for importing historical allocations: upload → preview → confirm → progress (Celery task, eager in
tests). Only Bufdir and superusers; the pending file is kept under MEDIA_ROOT and removed afterwards."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.models import Award
from networks.models import LearningNetwork
from reporting.selectors.national import published_rows
from reporting.services import allocations
from tests import factories

from .conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.usefixtures("reference_data", "no_mfa")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def bufdir(client):
    user = factories.bufdir_user()
    client.force_login(user)
    return user


def upload(client, data: bytes, name: str = "tildelinger.csv"):
    return client.post(reverse("reporting:allocations_upload"), {"fil": SimpleUploadedFile(name, data)})


def import_id_of(response) -> str:
    return re.search(r"/tildelinger/import/([0-9a-f]{32})/", response["Location"]).group(1)


def pending_files(media) -> list[Path]:
    folder = Path(media) / allocations.PENDING_DIR
    return sorted(folder.iterdir()) if folder.exists() else []


def test_bufdir_uploads_previews_and_imports_the_history(client, bufdir, history_bytes, media):
    page = client.get(reverse("reporting:allocations_upload"))
    assert page.status_code == 200 and "Importer historiske tildelinger" in page.content.decode()

    response = upload(client, history_bytes)
    assert response.status_code == 302
    import_id = import_id_of(response)
    [stored] = pending_files(media)  # kept outside the web root while the user decides
    assert stored.read_bytes() == history_bytes
    assert Award.objects.count() == 0  # the check writes nothing

    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "Filen er i orden. Importen vil gi 192 nye, 0 endrede og 0 uendrede tildelinger." in html
    assert "32\xa0500\xa0000\xa0kr" in html  # the 2023 total per year
    assert "Statsforvalteren i Oslo og Viken" in html  # embete names valid in that year
    assert "… og 142 rader til." in html

    done = client.post(reverse("reporting:allocations_confirm", args=[import_id]))
    assert done["Location"] == reverse("reporting:allocations_status", args=[import_id])
    assert Award.objects.count() == 192  # eager Celery: finished within the request
    assert published_rows(2023)[-1]["tildelt_kr"] == 32_500_000
    assert pending_files(media) == []  # the file is removed after the import

    status = client.get(done["Location"])
    html = status.content.decode()
    assert "Importen er fullført: 192 rader, 192 nye, 0 endrede og 0 uendrede tildelinger." in html
    assert 'http-equiv="refresh"' not in html
    poll = client.get(reverse("reporting:allocations_status_json", args=[import_id])).json()
    assert poll["status"] == "ferdig" and poll["percent"] == 100 and poll["opprettet"] == 192
    # confirming twice does not import twice
    client.post(reverse("reporting:allocations_confirm", args=[import_id]))
    assert Award.objects.count() == 192


def test_status_page_while_running_refreshes_and_has_an_accessible_progress_bar(client, bufdir):
    import_id = import_id_of(upload(client, csv_bytes("2021,agder,N,P,fosterhjem,1")))
    allocations.update_state(import_id, status="kjorer", done=40, total=160)
    html = client.get(reverse("reporting:allocations_status", args=[import_id])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<label for="importfremdrift"' in html
    assert '<progress id="importfremdrift" max="100" value="25">' in html
    assert "Importerer: 40 av 160 (25 %)." in html
    assert 'role="status"' in html


def test_a_file_with_errors_is_listed_with_line_numbers_and_cannot_be_imported(client, bufdir, media):
    data = csv_bytes("2021,agder,N,P,fosterhjem,1000", "2021,atlantis,N,P,fosterhjem,1000", "2021,agder,N,Q,x,1")
    response = upload(client, data)
    import_id = import_id_of(response)
    assert pending_files(media) == []  # a file with errors is not kept
    html = client.get(response["Location"]).content.decode()
    assert "Ingenting kan importeres. Filen har 2 feil:" in html
    assert "Linje 3: Ukjent embete «atlantis»." in html
    assert "Linje 4: Ugyldig kategori «x»: bruk egeninitiert eller fosterhjem." in html
    assert "Importer</button>" not in html
    client.post(reverse("reporting:allocations_confirm", args=[import_id]))
    assert Award.objects.count() == 0


def test_xlsx_upload(client, bufdir):
    raw = xlsx_bytes(
        [["aar", "embete", "nettverk", "prosjekt", "kategori", "tildelt_kr"], [2022, "agder", "N", "", "fosterhjem", 5]]
    )
    response = upload(client, raw, "tildelinger.xlsx")
    client.post(reverse("reporting:allocations_confirm", args=[import_id_of(response)]))
    assert Award.objects.get().belop == 5


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("a.pdf", b"%PDF-1.4", "Filtypen støttes ikke. Last opp en CSV- eller XLSX-fil."),
        ("a.xlsx", b"aar,embete\n", "Innholdet i filen stemmer ikke med filtypen."),
        ("a.csv", b"", "filen er tom"),  # Django's own message: «Den innsendte filen er tom.»
    ],
)
def test_upload_form_rejects_wrong_files(client, bufdir, name, data, message, media):
    response = upload(client, data, name)
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert pending_files(media) == []


def test_cancel_removes_the_file(client, bufdir, media):
    import_id = import_id_of(upload(client, csv_bytes("2021,agder,N,P,fosterhjem,1")))
    assert len(pending_files(media)) == 1
    response = client.post(reverse("reporting:allocations_cancel", args=[import_id]), follow=True)
    assert "Importen er avbrutt. Ingenting er importert, og filen er slettet." in response.content.decode()
    assert pending_files(media) == []
    client.post(reverse("reporting:allocations_confirm", args=[import_id]))
    assert Award.objects.count() == 0 and LearningNetwork.objects.count() == 0


def test_data_changed_after_the_preview_is_reported_on_the_status_page(client, bufdir):
    """The import checks again when it runs: a project created in the meantime with another category."""
    import_id = import_id_of(upload(client, csv_bytes("2021,agder,N,P,fosterhjem,1")))
    allocations.import_allocations(None, csv_bytes("2020,agder,N,P,egeninitiert,1"), "x.csv")
    client.post(reverse("reporting:allocations_confirm", args=[import_id]))
    html = client.get(reverse("reporting:allocations_status", args=[import_id])).content.decode()
    assert "Importen ble ikke gjennomført. Ingenting er importert." in html
    assert "Linje 2: Prosjektet «P» er registrert med kategori egeninitiert i Læringsnett" in html
    assert Award.objects.count() == 1


def test_superuser_may_import(client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = upload(client, csv_bytes("2021,agder,N,P,fosterhjem,1"))
    client.post(reverse("reporting:allocations_confirm", args=[import_id_of(response)]))
    assert Award.objects.count() == 1


# --- refusals -------------------------------------------------------------------------------------


@pytest.fixture
def pending(client, bufdir):
    import_id = import_id_of(upload(client, csv_bytes("2021,agder,N,P,fosterhjem,1")))
    client.logout()
    return import_id


def _urls(import_id):
    return [
        ("get", reverse("reporting:allocations_upload")),
        ("post", reverse("reporting:allocations_upload")),
        ("get", reverse("reporting:allocations_preview", args=[import_id])),
        ("post", reverse("reporting:allocations_confirm", args=[import_id])),
        ("post", reverse("reporting:allocations_cancel", args=[import_id])),
        ("get", reverse("reporting:allocations_status", args=[import_id])),
        ("get", reverse("reporting:allocations_status_json", args=[import_id])),
    ]


@pytest.mark.parametrize("who", ["statsforvalter", "statsforvalter_leder", "tjeneste_leder", "tjeneste_medarbeider"])
def test_statsforvalter_and_service_users_are_refused(client, pending, vestland_service, who, media):
    user = {
        "statsforvalter": lambda: factories.statsforvalter("agder"),
        "statsforvalter_leder": lambda: factories.statsforvalter("vestland", leder=True),
        "tjeneste_leder": lambda: factories.service_user(vestland_service),
        "tjeneste_medarbeider": lambda: factories.service_user(vestland_service, leder=False),
    }[who]()
    client.force_login(user)
    for method, url in _urls(pending):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
    assert Award.objects.count() == 0 and len(pending_files(media)) == 1


def test_anonymous_is_sent_to_login(client, pending):
    for method, url in _urls(pending):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_another_bufdir_user_cannot_see_or_run_someone_elses_import(client, pending):
    client.force_login(factories.bufdir_user())
    for method, url in _urls(pending)[2:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert Award.objects.count() == 0
    assert client.get(reverse("reporting:allocations_status", args=["0" * 32])).status_code == 404


def test_the_bufdir_start_page_links_to_the_import_and_the_statsforvalter_page_does_not(client, bufdir):
    link = reverse("reporting:allocations_upload")
    assert link in client.get(reverse("home")).content.decode()
    client.force_login(factories.statsforvalter("vestland"))
    assert link not in client.get(reverse("home")).content.decode()
