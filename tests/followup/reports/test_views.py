"""Report views: the project's form (draft, save, submit, autosave), the read view with versions, the
statsforvalter's review, the list, and who is refused (403 in scope, 404 outside it)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import SELF_ASSESSMENT_STATEMENTS, ProgressReport, ReportStatus
from followup.services import reports as services
from grants.models import RepaymentClaim
from tests.grants.conftest import make_assessed, make_submitted, set_frame
from tests.projects.conftest import award

from .conftest import fill

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]
WARNING = "Ikke skriv personopplysninger om barn eller familier."


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def form_post(report, handling="lagre", **overrides) -> dict:
    data = {
        "handling": handling,
        "aktiviteter": "Fire samlinger og veiledning.",
        "avvik": "",
        "resultater": "Felles rutine for oppfølging.",
        "partnerinvolvering": "RKBU Vest veiledet.",
        "forklaring_overforbruk": "",
        "neste_aar": "Spredning.",
        "fritekst": "",
    }
    for s in report.forbruk.all():
        data[f"brukt_{s.type}"] = "0"
        data[f"kommentar_{s.type}"] = ""
    data["brukt_stilling"] = "200 000"
    data["brukt_kompetanse"] = "80000"
    for p in report.deltakere.all():
        data[f"antall_ansatte_{p.tjeneste_id}"] = "3"
    for key in SELF_ASSESSMENT_STATEMENTS:
        data[f"egenvurdering_{key}"] = "stor"
    data.update(overrides)
    return data


def edit_url(requirement):
    return reverse("projects:report_edit", args=[requirement.pk])


def test_first_visit_creates_the_prefilled_draft_form(client, leader, requirement):
    response = login(client, leader).get(edit_url(requirement))
    assert response.status_code == 200
    report = ProgressReport.objects.get(krav=requirement)
    page = html(response)
    assert WARNING in page
    for text in ("Lagre utkast", "Send inn", "Forbruk per budsjettpost", "Egenvurdering", "262\u00a0500\u00a0kr"):
        assert text in page
    # One fieldset with a legend per self-assessment statement, each with the five-point scale.
    for text in SELF_ASSESSMENT_STATEMENTS.values():
        assert f'<legend class="ds-label">{text}' in page
    assert page.count('value="vet_ikke"') == len(SELF_ASSESSMENT_STATEMENTS)
    assert client.get(edit_url(requirement)).status_code == 200
    assert ProgressReport.objects.filter(krav=requirement).count() == 1
    assert report.opprettet_av == leader


def test_save_then_submit_with_errors_keeps_the_draft(client, leader, requirement):
    login(client, leader).get(edit_url(requirement))
    report = ProgressReport.objects.get(krav=requirement)
    response = client.post(edit_url(requirement), form_post(report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.forbruk.get(type="stilling").brukt == Decimal("200000")
    assert report.status == ReportStatus.UTKAST
    # Send inn without results: the draft is saved, the submission refused with the reason on the field.
    response = client.post(edit_url(requirement), form_post(report, "send", resultater="", avvik="Senere oppstart"))
    assert response.status_code == 200
    page = html(response)
    assert "Beskriv resultatene prosjektet har oppnådd." in page
    assert 'href="#id_resultater"' in page
    assert "Utkastet er lagret, men rapporten er ikke sendt inn ennå." in page
    report.refresh_from_db()
    assert report.avvik == "Senere oppstart" and report.status == ReportStatus.UTKAST


def test_bad_amount_is_shown_on_the_field_and_nothing_saved(client, leader, requirement):
    login(client, leader).get(edit_url(requirement))
    report = ProgressReport.objects.get(krav=requirement)
    response = client.post(edit_url(requirement), form_post(report, brukt_stilling="-10", aktiviteter="Nytt"))
    assert response.status_code == 200
    assert "Beløpet kan ikke være negativt." in html(response)
    assert 'href="#id_brukt_stilling"' in html(response)
    report.refresh_from_db()
    assert report.aktiviteter == ""


def test_submit_redirects_to_the_report_and_the_form_is_closed(client, leader, requirement):
    login(client, leader).get(edit_url(requirement))
    report = ProgressReport.objects.get(krav=requirement)
    response = client.post(edit_url(requirement), form_post(report, "send"))
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:report_detail", args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.versjon, report.ubrukt) == (ReportStatus.SENDT_INN, 1, Decimal("70000"))
    # Going back to the form shows the read view instead; a second POST changes nothing.
    response = client.post(edit_url(requirement), form_post(report, "send", aktiviteter="Dobbeltklikk"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.versjon == 1 and report.aktiviteter == "Fire samlinger og veiledning."


def test_autosave_answers_json(client, leader, requirement):
    login(client, leader).get(edit_url(requirement))
    report = ProgressReport.objects.get(krav=requirement)
    url = reverse("projects:report_autosave", args=[report.pk])
    response = client.post(url, form_post(report))
    assert response.status_code == 200
    assert response.json()["saved"] is True and response.json()["ubrukt"] == "70000.00"
    response = client.post(url, form_post(report, brukt_kompetanse="abc"))
    assert response.status_code == 400
    assert "brukt_kompetanse" in response.json()["errors"]


def test_refusals_on_the_form(client, requirement, sf, sf_agder, bufdir, sogndal_leader, agder_leader):
    # Staff who can see the requirement get 403; users outside the scope get 404.
    for user, status in ((sf, 403), (bufdir, 403), (sf_agder, 404), (sogndal_leader, 404), (agder_leader, 404)):
        client.force_login(user)
        assert client.get(edit_url(requirement)).status_code == status, user
    assert not ProgressReport.objects.exists()


def test_staff_do_not_see_drafts_and_outsiders_never(
    client, leader, requirement, sf, sf_agder, bufdir, sogndal_leader, colleague
):
    report = services.start_report(leader, requirement)
    url = reverse("projects:report_detail", args=[report.pk])
    assert login(client, colleague).get(url).status_code == 200
    for user in (sf, bufdir, sf_agder, sogndal_leader):
        client.force_login(user)
        assert client.get(url).status_code == 404
    services.submit(leader, fill(leader, report))
    for user, status in ((sf, 200), (bufdir, 200), (sf_agder, 404), (sogndal_leader, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_review_page_refusals(client, leader, requirement, sf, sf_agder, bufdir, colleague):
    report = services.submit(leader, fill(leader, services.start_report(leader, requirement)))
    url = reverse("projects:report_review", args=[report.pk])
    for user, status in ((leader, 403), (colleague, 403), (bufdir, 403), (sf_agder, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, {"utfall": "godkjent"}).status_code == status
    assert ProgressReport.objects.get().status == ReportStatus.SENDT_INN


def test_return_and_approve_through_the_review_page(client, leader, requirement, sf):
    report = services.submit(leader, fill(leader, services.start_report(leader, requirement)))
    url = reverse("projects:report_review", args=[report.pk])
    page = html(login(client, sf).get(url))
    assert "70\u00a0000\u00a0kr" in page
    assert "Det opprettes et tilbakebetalingskrav på 70\u00a0000\u00a0kr" in page
    response = client.post(url, {"utfall": "returnert", "kommentar": ""})
    assert response.status_code == 400
    assert "Skriv hva prosjektet må rette når du returnerer rapporten." in html(response)
    response = client.post(url, {"utfall": "returnert", "kommentar": "Mer om resultatene."})
    assert response.status_code == 302
    # The leader sees the comment on the form, edits and resubmits.
    page = html(login(client, leader).get(edit_url(requirement)))
    assert "Mer om resultatene." in page
    client.post(edit_url(requirement), form_post(report, "send", resultater="Rutinen er evaluert."))
    report.refresh_from_db()
    assert report.versjon == 2 and report.status == ReportStatus.SENDT_INN
    # The statsforvalter sees the changes between the versions and approves.
    detail = reverse("projects:report_detail", args=[report.pk])
    page = html(login(client, sf).get(detail))
    assert "Endringer fra versjon 1 til 2" in page and "Rutinen er evaluert." in page
    response = client.post(url, {"utfall": "godkjent", "kommentar": ""})  # first the confirmation (issue 17)
    assert response.status_code == 200 and "Bekreft godkjenningen" in html(response)
    assert not RepaymentClaim.objects.exists()
    response = client.post(url, {"utfall": "godkjent", "kommentar": "", "bekreftet": "1"})
    assert response.status_code == 302
    claim = RepaymentClaim.objects.get()
    assert claim.belop == Decimal("70000")  # paid 350 000, spent 280 000
    assert "70\u00a0000\u00a0kr" in html(client.get(detail))
    application_page = html(client.get(reverse("grants:application_detail", args=[requirement.vedtak.soknad_id])))
    assert "Tilbakebetalingskrav" in application_page and claim.begrunnelse in application_page


def test_report_list_is_scoped_and_has_constant_queries(
    client, leader, sf, sf_agder, bufdir, requirement, rnd, network, bergen, voss, vestland
):
    report = services.submit(leader, fill(leader, services.start_report(leader, requirement)))
    url = reverse("projects:report_list")
    login(client, sf)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert [r.pk for r in response.context["page"]] == [report.pk]
    assert response.context["awaiting"] == 1
    set_frame(bufdir, vestland, "3000000", begrunnelse="Flere prosjekter")
    for i in range(3):
        application = make_assessed(sf, make_submitted(leader, rnd, network, [bergen, voss], navn=f"Prosjekt {i}"))
        decision = award(sf, application)
        services.submit(leader, fill(leader, services.start_report(leader, decision.rapportkrav.get())))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"]) == 4
    assert len(many) == len(few)
    assert login(client, sf_agder).get(url).context["page"].paginator.count == 0
    assert login(client, bufdir).get(url).context["page"].paginator.count == 4
    filtered = login(client, sf).get(url, {"q": "Prosjekt 1"})
    assert filtered.context["page"].paginator.count == 1


def test_frames_page_shows_reported_spent_and_unspent(client, leader, sf, bufdir, requirement, vestland):
    report = services.submit(leader, fill(leader, services.start_report(leader, requirement)))
    url = reverse("grants:frames")
    login(client, bufdir).get(url, {"aar": 2026})
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"aar": 2026})
    row = lambda r: next(x for x in r.context["rows"] if x["embete"] == vestland and x["kategori"] == "fosterhjem")  # noqa: E731
    assert row(client.get(url, {"aar": 2026}))["rapportert_brukt"] == 0  # only approved reports count
    services.review(sf, report, utfall="godkjent")
    with CaptureQueriesContext(connection) as after:
        response = client.get(url, {"aar": 2026})
    assert row(response)["rapportert_brukt"] == Decimal("280000")
    assert row(response)["ubrukt"] == Decimal("70000")
    assert response.context["totals"]["ubrukt"] == Decimal("70000")
    assert "Rapportert brukt" in html(response)
    assert len(after) == len(before)


def test_autosaves_of_a_report_are_audited_once_per_session_and_a_4_mb_text_is_refused(
    client, leader, requirement, clock
):
    """Issue 20: one audit event per editing session, and no unbounded text into the audit trail."""
    import datetime

    from audit.models import AuditEvent
    from audit.services import AUTOSAVE_WINDOW
    from common import limits

    login(client, leader).get(edit_url(requirement))
    report = ProgressReport.objects.get(krav=requirement)
    url = reverse("projects:report_autosave", args=[report.pk])
    autosaved = AuditEvent.objects.filter(handling="rapport.utkast_autolagret", object_id=str(report.pk))
    for i in range(10):
        assert client.post(url, form_post(report, avvik=f"Avvik {i}")).status_code == 200
        clock.shift(datetime.timedelta(minutes=1))
    assert autosaved.all().count() == 1
    clock.shift(AUTOSAVE_WINDOW)
    assert client.post(url, form_post(report, avvik="Etter pausen")).status_code == 200
    assert autosaved.all().count() == 2

    events = AuditEvent.objects.count()
    response = client.post(url, form_post(report, resultater="R" * (4 * 1024 * 1024)))
    assert response.status_code == 400
    assert response.json()["errors"]["resultater"][0].startswith(
        f"Sørg for at denne verdien har {limits.LONG_TEXT} eller færre tegn"
    )
    report.refresh_from_db()
    assert report.avvik == "Etter pausen" and not report.resultater.startswith("RRR")
    assert AuditEvent.objects.count() == events
