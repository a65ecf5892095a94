"""Issue 20 for networks: an over-long description is refused by the form and by the service (the pre_save guard
of common.limits), names are normalised (no zero-width or bidi control characters) before the duplicate check."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from common import limits
from networks import services
from networks.forms import NetworkForm
from networks.models import LearningNetwork

from .conftest import make_network

pytestmark = pytest.mark.django_db

TOO_LONG = f"Sørg for at denne verdien har {limits.LONG_TEXT} eller færre tegn (den har nå {limits.LONG_TEXT + 1})."


def test_the_form_refuses_an_over_long_description_in_norwegian():
    form = NetworkForm(
        data={
            "navn": "Nettverk",
            "beskrivelse": "x" * (limits.LONG_TEXT + 1),
            "etablert_aar": 2024,
            "orientering": "begge",
        }
    )
    assert not form.is_valid()
    assert form.errors["beskrivelse"] == [TOO_LONG]


def test_the_service_refuses_an_over_long_goal_and_changes_nothing(sf_vestland, network):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.update_network(sf_vestland, network, maal="x" * (limits.LONG_TEXT + 1))
    assert exc.value.message_dict == {"maal": [TOO_LONG]}
    network.refresh_from_db()
    assert network.maal == "" and AuditEvent.objects.count() == events


def test_a_zero_width_space_does_not_make_a_network_name_new(sf_vestland, network):
    with pytest.raises(ValidationError) as exc:
        make_network(sf_vestland, navn="Læringsnettverk\u200b Hordaland")
    assert exc.value.message_dict["navn"] == ["Embetet har allerede et nettverk med dette navnet."]
    assert LearningNetwork.objects.count() == 1


def test_bidi_controls_are_removed_from_a_network_name(sf_vestland):
    network = make_network(sf_vestland, navn="\u202eNettverk\u202c\u200f  Sunnfjord\n")
    assert LearningNetwork.objects.get(pk=network.pk).navn == "Nettverk Sunnfjord"


def test_the_form_cleans_the_name_before_it_is_required(login, sf_vestland):
    count = LearningNetwork.objects.count()
    page = login(sf_vestland).post(
        reverse("networks:create"), {"navn": "\u200b\u202e", "etablert_aar": 2024, "orientering": "begge"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["navn"] == ["Feltet er påkrevet."]
    assert LearningNetwork.objects.count() == count
