"""Who gets the grant e-mails: active users with an active role in the service, never deactivated (anonymised)
accounts."""

import pytest

from grants.tasks import _service_emails
from tests import factories

pytestmark = pytest.mark.django_db


def test_deactivated_users_get_no_grant_emails(vestland_service):
    active = factories.service_user(vestland_service)
    gone = factories.service_user(vestland_service, leder=False)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert _service_emails([vestland_service.pk]) == [active.email]
