"""Fixtures for the learning-network tests: users per role, networks with members, tiny real documents."""

import datetime
import io
import zipfile

import pytest

from accounts.models import Role
from networks import services
from networks.models import LearningNetwork, Membership, MembershipStatus, NetworkStatusChange
from tests import factories

DAY = datetime.date(2024, 1, 15)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password for every user; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded documents go to a throw-away folder, never to var/uploads."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def sf_vestland(reference_data):
    return factories.statsforvalter("vestland")


@pytest.fixture
def sf_agder(reference_data):
    return factories.statsforvalter("agder")


@pytest.fixture
def bufdir(reference_data):
    return factories.bufdir_user()


@pytest.fixture
def vestland_leader(vestland_service):
    return factories.service_user(vestland_service)


@pytest.fixture
def second_service(reference_data):
    from organisations.models import Kommune

    return factories.ServiceFactory(navn="Barnevernstenesta i Voss", vertskommune=Kommune.objects.get(nummer="4621"))


@pytest.fixture
def third_service(reference_data):
    from organisations.models import Kommune

    return factories.ServiceFactory(navn="Barnevernstenesta i Askøy", vertskommune=Kommune.objects.get(nummer="4627"))


@pytest.fixture
def partner():
    return factories.PartnerFactory(navn="RKBU Vest testpartner")


@pytest.fixture
def partner_user(partner):
    return factories.user_with_role(Role.PARTNER, partner=partner)


@pytest.fixture
def login(client, no_mfa):
    """login(user) logs the test client in as user (MFA requirement off) and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


START = datetime.date(2024, 1, 2)


def make_network(actor, navn="Læringsnettverk Hordaland", **extra) -> LearningNetwork:
    """A network registered today but in "etablering" since 2 January 2024, so the tests' fixed dates
    after that are valid status dates."""
    embete = actor.roller.get().embete
    data = {"navn": navn, "etablert_aar": 2022, "orientering": "begge"}
    data.update(extra)
    network = services.create_network(actor, embete=embete, **data)
    NetworkStatusChange.objects.filter(network=network).update(fra_dato=START)
    LearningNetwork.objects.filter(pk=network.pk).update(status_fra=START)
    network.refresh_from_db()
    return network


def add_member(network, service, fra=DAY) -> Membership:
    return Membership.objects.create(network=network, tjeneste=service, status=MembershipStatus.AKTIV, fra_dato=fra)


@pytest.fixture
def network(sf_vestland) -> LearningNetwork:
    return make_network(sf_vestland)


@pytest.fixture
def active_network(sf_vestland, network, vestland_service, second_service) -> LearningNetwork:
    """A Vestland network with two member services (Bergen and Voss), status active."""
    add_member(network, vestland_service)
    add_member(network, second_service)
    return services.change_status(sf_vestland, network, "aktiv", DAY)


# --- tiny but real documents ------------------------------------------------------------------

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)
