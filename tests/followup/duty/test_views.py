"""Reporting-duty pages: the list (filters, overdue first, the statsforvalter's pending postponements, constant
query counts), one requirement, asking for and deciding a postponement, the start pages and the menu; and who
is refused (403 in scope, 404 outside it, login for anonymous)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import Postponement, PostponementStatus, ReportingRequirement, ReportReminder, ReportStatus
from followup.services import duty as services

from .conftest import DEADLINE, at, report_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]
LIST = reverse("projects:requirement_list")
WARNING = "Ikke skriv personopplysninger om barn eller familier."
REASON = "Prosjektlederen sluttet, og ny leder starter først i april."


def html(response) -> str:
    return response.content.decode()


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def detail_url(krav):
    return reverse("projects:requirement_detail", args=[krav.pk])


def ask_url(krav):
    return reverse("projects:postponement_request", args=[krav.pk])


def decide_url(postponement):
    return reverse("projects:postponement_decide", args=[postponement.pk])


def overdue(krav, days=10):
    ReportingRequirement.objects.filter(pk=krav.pk).update(
        frist=datetime.date(2026, 2, 2) - datetime.timedelta(days=days),
        opprinnelig_frist=datetime.date(2026, 2, 2) - datetime.timedelta(days=days),
    )
    krav.refresh_from_db()
    return krav


# --- list -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sf", "sf_leader", "bufdir", "leader", "colleague", "voss_leader"])
def test_the_list_shows_the_requirement_to_those_in_scope(client, request, who, requirement):
    page = html(get(client, request.getfixturevalue(who), LIST))
    assert "Fosterhjem i fellesskap" in page
    assert detail_url(requirement) in page
    assert "01.03.2027" in page
    assert "Venter på rapport" in page


@pytest.mark.parametrize("who", ["sf_agder", "sogndal_leader", "agder_leader", "partner_user"])
def test_the_list_is_empty_outside_the_scope(client, request, who, requirement):
    page = html(get(client, request.getfixturevalue(who), LIST))
    assert "Fosterhjem i fellesskap" not in page
    assert "Ingen rapporteringskrav." in page


def test_anonymous_is_sent_to_log_in(client, requirement):
    for url in (LIST, detail_url(requirement), ask_url(requirement)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "logg" in response["Location"]


def test_overdue_first_highlighted_and_filtered(client, sf, requirement, final_requirement):
    overdue(final_requirement)
    page = html(get(client, sf, LIST))
    assert page.index(detail_url(final_requirement)) < page.index(detail_url(requirement))
    assert '<span class="ds-tag" data-color="danger">Forfalt</span>' in page
    assert "1 rapport er forfalt." in page
    page = html(client.get(LIST, {"status": "forfalt"}))
    assert detail_url(final_requirement) in page and detail_url(requirement) not in page
    page = html(client.get(LIST, {"status": "venter", "type": "aarlig", "aar": "2026"}))
    assert detail_url(requirement) in page and detail_url(final_requirement) not in page
    page = html(client.get(LIST, {"aar": "2025"}))
    assert "Ingen rapporteringskrav." in page


def test_submitted_returned_and_approved_statuses(client, sf, leader, requirement, final_requirement):
    overdue(final_requirement)
    report_in(final_requirement, ReportStatus.RETURNERT, leader)
    report_in(requirement, ReportStatus.GODKJENT, leader)
    page = html(get(client, sf, LIST, status="returnert"))
    assert detail_url(final_requirement) in page and detail_url(requirement) not in page
    page = html(client.get(LIST, {"status": "godkjent"}))
    assert detail_url(requirement) in page and "Godkjent" in page
    assert "Ingen rapporteringskrav." in html(client.get(LIST, {"status": "forfalt"}))


def test_bufdir_may_filter_by_embete(client, bufdir, vestland, agder, requirement):
    page = html(get(client, bufdir, LIST))
    assert 'name="embete"' in page
    assert detail_url(requirement) in html(client.get(LIST, {"embete": vestland.pk}))
    assert detail_url(requirement) not in html(client.get(LIST, {"embete": agder.pk}))
    assert 'name="embete"' not in html(get(client, reuse_sf(vestland), LIST))


def reuse_sf(vestland):
    from tests import factories

    return factories.statsforvalter(vestland.slug)


def test_the_statsforvalter_sees_pending_postponements(client, sf, leader, requirement):
    postponement = services.request_postponement(leader, requirement, DEADLINE + datetime.timedelta(days=30), REASON)
    page = html(get(client, sf, LIST))
    assert "Søknader om utsettelse som venter på svar" in page
    assert decide_url(postponement) in page
    assert "31.03.2027" in page
    assert "Søknader om utsettelse som venter på svar" not in html(get(client, leader, LIST))


def test_list_query_count_is_constant(
    client, sf, leader, requirement, final_requirement, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(sf)
    ReportingRequirement.objects.filter(pk=final_requirement.pk).delete()
    one = count()
    ReportingRequirement.objects.create(
        vedtak=requirement.vedtak,
        prosjekt=requirement.prosjekt,
        type="slutt",
        aar=2026,
        frist=DEADLINE,
        opprinnelig_frist=DEADLINE,
    )
    for krav in ReportingRequirement.objects.all():
        services.request_postponement(leader, krav, DEADLINE + datetime.timedelta(days=20), REASON)
    assert count() == one  # rows, statuses and pending postponements come in the same queries, however many
    ReportingRequirement.objects.filter(type="slutt").update(
        frist=datetime.date(2026, 1, 1), opprinnelig_frist=datetime.date(2026, 1, 1)
    )
    with django_assert_max_num_queries(one):
        client.get(LIST, {"status": "forfalt"})


# --- one requirement --------------------------------------------------------------------------------------


def test_detail_for_the_leader(client, leader, requirement):
    page = html(get(client, leader, detail_url(requirement)))
    assert "Årlig rapport 2026: Fosterhjem i fellesskap" in page
    assert "350\u00a0000\u00a0kr" in page
    assert "01.03.2027" in page
    assert reverse("projects:report_edit", args=[requirement.pk]) in page
    assert "Skriv rapporten" in page
    assert ask_url(requirement) in page
    assert "Det er ikke søkt om utsettelse." in page


def test_detail_shows_postponements_decisions_and_reminders(client, clock, sf, leader, requirement):
    first = services.request_postponement(leader, requirement, DEADLINE + datetime.timedelta(days=10), REASON)
    services.decide_postponement(sf, first, False, "Ti dager hjelper ikke; søk om en frist som holder.")
    second = services.request_postponement(leader, requirement, DEADLINE + datetime.timedelta(days=45), REASON)
    services.decide_postponement(sf, second, True)
    from followup.tasks import send_report_reminders

    at(clock, datetime.date(2027, 3, 16))
    assert send_report_reminders() == 1
    page = html(get(client, sf, detail_url(requirement)))
    assert "15.04.2027" in page and "01.03.2027" in page and "fristen er utsatt" in page
    assert "Ti dager hjelper ikke" in page
    assert "Avslått" in page and "Innvilget" in page
    assert "30 dager før fristen" in page
    assert leader.email in page
    assert ask_url(requirement) not in page  # only the project asks


def test_detail_links_the_statsforvalter_to_a_submitted_report(client, sf, leader, requirement):
    report = report_in(requirement, ReportStatus.SENDT_INN, leader)
    page = html(get(client, sf, detail_url(requirement)))
    assert reverse("projects:report_detail", args=[report.pk]) in page
    assert ask_url(requirement) not in html(get(client, leader, detail_url(requirement)))


@pytest.mark.parametrize("who", ["sf_agder", "sogndal_leader", "agder_leader", "partner_user"])
def test_detail_is_404_outside_the_scope(client, request, who, requirement):
    assert get(client, request.getfixturevalue(who), detail_url(requirement)).status_code == 404


# --- asking for a postponement ----------------------------------------------------------------------------


def test_the_leader_asks_for_a_postponement(client, leader, requirement):
    response = get(client, leader, ask_url(requirement))
    assert response.status_code == 200
    page = html(response)
    assert WARNING in page
    assert 'value="2027-03-31"' in page  # a month after the deadline as a suggestion
    response = client.post(ask_url(requirement), {"ny_frist": "15.04.2027", "begrunnelse": REASON})
    assert response.status_code == 302
    assert response["Location"] == detail_url(requirement)
    postponement = Postponement.objects.get(krav=requirement)
    assert (postponement.ny_frist, postponement.status, postponement.bedt_av) == (
        datetime.date(2027, 4, 15),
        "venter",
        leader,
    )
    page = html(client.get(detail_url(requirement)))
    assert "Søknaden om utsettelse er sendt." in page
    assert "En søknad om utsettelse til 15.04.2027 venter på svar fra statsforvalteren." in page
    assert ask_url(requirement) not in page
    # Asking again while one is pending leads back with the reason.
    response = client.get(ask_url(requirement), follow=True)
    assert "venter på svar fra statsforvalteren" in html(response)


def test_bad_input_is_shown_in_norwegian(client, leader, requirement):
    client.force_login(leader)
    response = client.post(ask_url(requirement), {"ny_frist": "01.02.2027", "begrunnelse": ""})
    assert response.status_code == 400
    page = html(response)
    assert "Rett opp dette før du går videre:" in page
    assert "Skriv hvorfor dere trenger lengre frist." in page
    response = client.post(ask_url(requirement), {"ny_frist": "01.02.2027", "begrunnelse": REASON})
    assert "Ny frist må være etter gjeldende frist, 01.03.2027." in html(response)
    response = client.post(ask_url(requirement), {"ny_frist": "snart", "begrunnelse": REASON})
    assert "Oppgi ønsket ny frist som en dato, for eksempel 01.05.2027." in html(response)
    assert not Postponement.objects.exists()


@pytest.mark.parametrize("who", ["sf", "bufdir"])
def test_staff_may_not_ask(client, request, who, requirement):
    user = request.getfixturevalue(who)
    assert get(client, user, ask_url(requirement)).status_code == 403
    response = client.post(ask_url(requirement), {"ny_frist": "15.04.2027", "begrunnelse": REASON})
    assert response.status_code == 403
    assert not Postponement.objects.exists()


@pytest.mark.parametrize("who", ["sf_agder", "sogndal_leader", "partner_user"])
def test_asking_outside_the_scope_is_404(client, request, who, requirement):
    client.force_login(request.getfixturevalue(who))
    assert client.post(ask_url(requirement), {"ny_frist": "15.04.2027", "begrunnelse": REASON}).status_code == 404
    assert not Postponement.objects.exists()


def test_no_asking_once_the_report_is_in(client, leader, requirement):
    report_in(requirement, ReportStatus.SENDT_INN, leader)
    response = get(client, leader, ask_url(requirement))
    assert response.status_code == 302
    assert "Rapporten er allerede sendt inn. Fristen kan ikke utsettes." in html(client.get(response["Location"]))


# --- deciding ---------------------------------------------------------------------------------------------


@pytest.fixture
def pending(leader, requirement):
    return services.request_postponement(leader, requirement, datetime.date(2027, 4, 15), REASON)


def test_the_statsforvalter_approves(client, sf, pending, requirement):
    response = get(client, sf, decide_url(pending))
    assert response.status_code == 200
    page = html(response)
    assert REASON in page and "15.04.2027" in page and WARNING in page
    response = client.post(decide_url(pending), {"utfall": "innvilget", "svar": ""})
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.frist == datetime.date(2027, 4, 15)
    assert "Utsettelsen er innvilget. Ny frist er 15.04.2027." in html(client.get(response["Location"]))
    # Deciding again leads back to the requirement.
    assert client.get(decide_url(pending)).status_code == 302


def test_a_refusal_without_reason_is_refused(client, sf, pending, requirement):
    client.force_login(sf)
    response = client.post(decide_url(pending), {"utfall": "avslatt", "svar": ""})
    assert response.status_code == 400
    assert "Skriv en begrunnelse når utsettelsen avslås." in html(response)
    response = client.post(decide_url(pending), {"svar": "Nei"})
    assert "Velg om utsettelsen skal innvilges eller avslås." in html(response)
    pending.refresh_from_db()
    assert pending.status == PostponementStatus.VENTER
    response = client.post(decide_url(pending), {"utfall": "avslatt", "svar": "Fristen står."})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == PostponementStatus.AVSLATT


@pytest.mark.parametrize("who", ["leader", "voss_leader", "bufdir"])
def test_only_the_statsforvalter_decides(client, request, who, pending):
    client.force_login(request.getfixturevalue(who))
    assert client.get(decide_url(pending)).status_code == 403
    assert client.post(decide_url(pending), {"utfall": "innvilget"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == PostponementStatus.VENTER


@pytest.mark.parametrize("who", ["sf_agder", "sogndal_leader", "partner_user"])
def test_deciding_outside_the_scope_is_404(client, request, who, pending):
    client.force_login(request.getfixturevalue(who))
    assert client.post(decide_url(pending), {"utfall": "innvilget"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == PostponementStatus.VENTER


# --- start pages and menu ---------------------------------------------------------------------------------


def test_the_statsforvalters_start_page_counts_overdue_and_pending(client, sf, leader, requirement, final_requirement):
    overdue(final_requirement)
    services.request_postponement(leader, requirement, datetime.date(2027, 4, 15), REASON)
    page = html(get(client, sf, reverse("home")))
    assert f'<span class="stat">1</span><a class="ds-link" href="{LIST}?status=forfalt">forfalte rapporter</a>' in page
    assert f'<span class="stat">1</span><a class="ds-link" href="{LIST}#utsettelser-tittel">' in page
    assert "Rapportfrister" in page


def test_the_service_leaders_start_page_shows_deadlines(client, clock, leader, requirement, final_requirement):
    overdue(final_requirement)
    page = html(get(client, leader, reverse("home")))
    assert "forfalt 23.01.2026" in page
    assert detail_url(final_requirement) in page
    assert detail_url(requirement) not in page  # due in more than 60 days
    at(clock, datetime.date(2027, 2, 1))
    page = html(get(client, leader, reverse("home")))
    assert "frist 01.03.2027" in page


def test_the_menu_item(client, sf, partner_user, requirement):
    assert f'href="{LIST}"' in html(get(client, sf, reverse("home")))
    assert f'href="{LIST}"' not in html(get(client, partner_user, reverse("home")))


def test_reminders_sent_show_on_the_page_only_when_sent(client, leader, requirement):
    ReportReminder.objects.create(krav=requirement, slag="30", frist=DEADLINE, mottakere=["x@example.no"])
    assert "x@example.no" not in html(get(client, leader, detail_url(requirement)))
