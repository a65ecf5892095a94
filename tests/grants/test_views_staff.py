"""The statsforvalter's grant pages (grants.views_staff): every URL with its refusals, case work through the
services, the prioritisation board (live update, constant query count) and batch decision letters."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from common.money import kr
from grants import services
from grants.models import (
    Appeal,
    Application,
    ApplicationStatus,
    Assessment,
    Decision,
    ImpartialityDeclaration,
    Payment,
    RepaymentClaim,
    Score,
)
from tests import factories

from .conftest import APPLIED, make_assessed, make_round, make_submitted, set_frame

pytestmark = pytest.mark.usefixtures("tasks", "clock", "no_mfa")

ACCOUNT = "15031234562"  # valid MOD11 kontonummer


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def decided(sf, assessed, frame):
    """Bergen's application, partly approved: 300 000 of 350 000 kr (frame 1 000 000 kr)."""
    services.decide(sf, assessed, utfall="delvis_innvilget", belop="300000", begrunnelse="Budsjettet er for høyt.")
    return Application.objects.get(pk=assessed.pk)


@pytest.fixture
def appeal(leader, decided):
    return services.file_appeal(leader, decided.vedtak, "Vi trenger hele beløpet.")


def urls(application, rnd, appeal_pk):
    """(method, url) for every URL this module adds."""
    a, r = application.pk, rnd.pk
    return [
        ("get", reverse("grants:application_list")),
        ("post", reverse("grants:assign_officer", args=[a])),
        ("post", reverse("grants:impartiality", args=[a])),
        ("post", reverse("grants:score", args=[a])),
        ("post", reverse("grants:recommend", args=[a])),
        ("post", reverse("grants:decide", args=[a])),
        ("post", reverse("grants:register_payment", args=[a])),
        ("post", reverse("grants:repayment_claim", args=[a])),
        ("post", reverse("grants:carry_over", args=[a])),
        ("post", reverse("grants:appeal_create", args=[a])),
        ("post", reverse("grants:board_update", args=[a])),
        ("post", reverse("grants:resolve_appeal", args=[appeal_pk])),
        ("get", reverse("grants:board", args=[r, "fosterhjem"])),
        ("post", reverse("grants:round_letters", args=[r])),
        ("get", reverse("grants:round_letters_progress", args=[r])),
    ]


# --- refusals ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client, appeal, rnd, decided):
    for method, url in urls(decided, rnd, appeal.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("account_login") in response["Location"], url


def test_other_embetes_staff_gets_404_and_changes_nothing(client, sf_agder, appeal, rnd, decided):
    login(client, sf_agder)
    before = AuditEvent.objects.count()
    for method, url in urls(decided, rnd, appeal.pk):
        response = getattr(client, method)(url, {"x": "1"}) if method == "post" else client.get(url)
        if url == reverse("grants:application_list"):
            assert response.status_code == 200
            assert decided.referanse not in html(response)
        else:
            assert response.status_code == 404, url
    assert AuditEvent.objects.count() == before


def test_service_users_are_refused_staff_actions(client, leader, voss_leader, appeal, rnd, decided):
    before = AuditEvent.objects.count()
    for user in (leader, voss_leader):
        login(client, user)
        for method, url in urls(decided, rnd, appeal.pk):
            if url.endswith("/klage/"):
                continue  # leaders of the applying services may appeal (tested below)
            response = getattr(client, method)(url, {"x": "1"}) if method == "post" else client.get(url)
            assert response.status_code in (403, 404), (user, url)
    assert AuditEvent.objects.count() == before


def test_application_of_another_service_is_404_for_a_service_user(client, sogndal_leader, decided):
    login(client, sogndal_leader)
    assert client.post(reverse("grants:decide", args=[decided.pk])).status_code == 404


def test_bufdir_reads_but_cannot_write(client, bufdir, appeal, rnd, decided):
    login(client, bufdir)
    before = AuditEvent.objects.count()
    assert client.get(reverse("grants:application_list")).status_code == 200
    board = client.get(reverse("grants:board", args=[rnd.pk, "fosterhjem"]))
    assert board.status_code == 200
    assert "data-board-row" not in html(board)
    detail = client.get(reverse("grants:application_detail", args=[decided.pk]))
    assert "Du kan lese saksbehandlingen, men ikke endre den." in html(detail)
    assert 'name="utb-belop"' not in html(detail)
    for method, url in urls(decided, rnd, appeal.pk):
        if method == "post":
            assert client.post(url, {"x": "1"}).status_code == 403, url
    assert client.get(reverse("grants:round_letters_progress", args=[rnd.pk])).status_code == 403
    assert AuditEvent.objects.count() == before


# --- list ----------------------------------------------------------------------------------------


def test_list_filters_by_category_status_officer_and_text(client, sf, leader, rnd, network, bergen, voss):
    a = make_submitted(leader, rnd, network, [bergen, voss], navn="Fosterhjem i fellesskap")
    b = make_submitted(leader, rnd, network, [bergen, voss], navn="Tidlig innsats", kategori="egeninitiert")
    make_assessed(sf, a)
    login(client, sf)
    url = reverse("grants:application_list")
    page = html(client.get(url))
    assert a.referanse in page and b.referanse in page
    only = html(client.get(url, {"kategori": "egeninitiert"}))
    assert b.referanse in only and a.referanse not in only
    only = html(client.get(url, {"status": "under_behandling"}))
    assert a.referanse in only and b.referanse not in only
    only = html(client.get(url, {"saksbehandler": sf.pk}))
    assert a.referanse in only and b.referanse not in only
    only = html(client.get(url, {"q": "tidlig"}))
    assert b.referanse in only and a.referanse not in only
    only = html(client.get(url, {"utlysning": rnd.pk, "aar": 2026}))
    assert a.referanse in only and b.referanse in only
    assert a.referanse not in html(client.get(url, {"aar": 2025}))


def test_list_shows_the_newest_year_first_and_each_application_carries_its_rounds_year(
    client, sf, leader, rnd, network, bergen, voss, g2021
):
    older = make_submitted(leader, rnd, network, [bergen, voss], navn="Fjorårets prosjekt")
    later_round = make_round(sf, g2021, aar=2027)
    newer = make_submitted(leader, later_round, network, [bergen, voss], navn="Neste års prosjekt")
    assert (older.aar, newer.aar) == (2026, 2027)
    login(client, sf)
    page = html(client.get(reverse("grants:application_list")))
    assert page.index(newer.referanse) < page.index(older.referanse)
    only = html(client.get(reverse("grants:application_list"), {"aar": 2027}))
    assert newer.referanse in only and older.referanse not in only


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(client, sf, leader, rnd, network, bergen, voss, askoy):
    login(client, sf)
    url = reverse("grants:application_list")
    for i in range(3):
        make_submitted(leader, rnd, network, [bergen, voss], navn=f"Prosjekt {i}")
    few = _count(client, url)
    for i in range(3, 12):
        make_submitted(leader, rnd, network, [bergen, voss, askoy], navn=f"Prosjekt {i}")
    assert _count(client, url) == few


# --- case work -----------------------------------------------------------------------------------


def test_case_officer_is_assigned_through_the_service(client, sf, sf_leader, submitted):
    login(client, sf_leader)
    response = client.post(reverse("grants:assign_officer", args=[submitted.pk]), {"sb-saksbehandler": sf.pk})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.saksbehandler == sf
    assert submitted.status == ApplicationStatus.UNDER_BEHANDLING


def test_case_officer_from_another_embete_is_not_offered(client, sf, sf_agder, submitted):
    login(client, sf)
    response = client.post(reverse("grants:assign_officer", args=[submitted.pk]), {"sb-saksbehandler": sf_agder.pk})
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.saksbehandler is None


def test_forms_are_hidden_until_impartiality_is_declared(client, sf, submitted, frame):
    services.assign_case_officer(sf, submitted, sf)
    login(client, sf)
    detail = reverse("grants:application_detail", args=[submitted.pk])
    page = html(client.get(detail))
    assert 'name="hab-ugild"' in page
    assert 'name="vedtak-utfall"' not in page
    assert 'name="anb-anbefaling"' not in page
    # Posting the decision anyway is refused by the service, with its message, and nothing changes.
    response = client.post(
        reverse("grants:decide", args=[submitted.pk]),
        {"vedtak-utfall": "avslatt", "vedtak-begrunnelse": "Nei."},
    )
    assert response.status_code == 400
    assert "Erklær habilitet før du vurderer eller avgjør søknaden." in html(response)
    assert not Decision.objects.exists()
    response = client.post(reverse("grants:impartiality", args=[submitted.pk]), {"hab-ugild": "nei"})
    assert response.status_code == 302
    page = html(client.get(detail))
    assert 'name="vedtak-utfall"' in page and 'name="anb-anbefaling"' in page and 'name="poeng-poeng_' in page
    assert 'name="hab-ugild"' not in page


def test_disqualified_user_sees_why_and_cannot_decide(client, sf, submitted, frame):
    services.assign_case_officer(sf, submitted, sf)
    login(client, sf)
    url = reverse("grants:impartiality", args=[submitted.pk])
    refused = client.post(url, {"hab-ugild": "ja", "hab-begrunnelse": ""})
    assert refused.status_code == 400
    assert "Skriv kort hvorfor du er ugild." in html(refused)
    assert not ImpartialityDeclaration.objects.exists()
    client.post(url, {"hab-ugild": "ja", "hab-begrunnelse": "Søsteren min leder tjenesten."})
    page = html(client.get(reverse("grants:application_detail", args=[submitted.pk])))
    assert "Du har erklært deg ugild" in page and "Søsteren min leder tjenesten." in page
    assert 'name="vedtak-utfall"' not in page
    response = client.post(
        reverse("grants:decide", args=[submitted.pk]), {"vedtak-utfall": "avslatt", "vedtak-begrunnelse": "Nei."}
    )
    assert response.status_code == 400
    assert "Du har erklært deg ugild" in html(response)
    assert not Decision.objects.exists()


def test_the_page_gets_its_panel_and_only_the_usable_forms_from_the_view(client, sf, bufdir, assessed):
    from grants.selectors_panel import RoundPanel, StaffPanel

    response = login(client, sf).get(reverse("grants:application_detail", args=[assessed.pk]))
    assert isinstance(response.context["panel"], StaffPanel)
    assert set(response.context["panel_forms"]) == {"assign", "score", "recommend", "decide"}
    response = login(client, bufdir).get(reverse("grants:application_detail", args=[assessed.pk]))
    assert response.context["panel"].casework.read_only and response.context["panel_forms"] == {}
    round_page = client.get(reverse("grants:round_detail", args=[assessed.utlysning_id]))
    assert isinstance(round_page.context["round_panel"], RoundPanel)


def test_application_page_query_count_is_constant(client, sf, leader, decided):
    detail = reverse("grants:application_detail", args=[decided.pk])
    login(client, sf)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail).status_code == 200
        return len(queries)

    before = count()
    for belop in ("10000", "20000"):
        services.register_payment(sf, decided.vedtak, dato=datetime.date(2026, 2, 10), belop=belop, kontonummer=ACCOUNT)
    services.create_repayment_claim(
        sf, decided.vedtak, belop="1000", begrunnelse="Ubrukt.", forfall=datetime.date(2027, 4, 1)
    )
    services.file_appeal(leader, decided.vedtak, "Vi trenger hele beløpet.")
    for criterion in decided.utlysning.kriterieliste.all():
        Score.objects.create(soknad=decided, kriterium=criterion, vurderer=sf, poeng=3)
    assert count() == before


def test_scores_and_recommendation(client, sf, assessed):
    login(client, sf)
    criteria = list(assessed.utlysning.kriterieliste.all())
    data = {f"poeng-poeng_{c.pk}": str(i + 3) for i, c in enumerate(criteria)}
    data[f"poeng-kommentar_{criteria[0].pk}"] = "Godt samarbeid."
    assert client.post(reverse("grants:score", args=[assessed.pk]), data).status_code == 302
    assert sorted(Score.objects.values_list("poeng", flat=True)) == [3, 4, 5]
    # A score outside 1–5 is refused and no score changes.
    bad = {**data, f"poeng-poeng_{criteria[1].pk}": "7"}
    assert client.post(reverse("grants:score", args=[assessed.pk]), bad).status_code == 400
    assert sorted(Score.objects.values_list("poeng", flat=True)) == [3, 4, 5]
    response = client.post(
        reverse("grants:recommend", args=[assessed.pk]),
        {"anb-anbefaling": "delvis", "anb-begrunnelse": "Godt, men dyrt.", "anb-foreslatt_belop": "300 000"},
    )
    assert response.status_code == 302
    assert Assessment.objects.get().foreslatt_belop == Decimal("300000")


def test_decide_over_the_frame_is_refused_with_the_services_message(client, sf, bufdir, vestland, assessed):
    set_frame(bufdir, vestland, "200000")
    login(client, sf)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("grants:decide", args=[assessed.pk]),
        {"vedtak-utfall": "delvis_innvilget", "vedtak-belop": "250000", "vedtak-begrunnelse": "Delvis."},
    )
    assert response.status_code == 400
    assert "Vedtaket ville gått over rammen." in html(response)
    assert not Decision.objects.exists()
    assert AuditEvent.objects.count() == before
    assert Application.objects.get(pk=assessed.pk).status == ApplicationStatus.UNDER_BEHANDLING


def test_decide_partly_with_conditions_and_deadline(client, sf, assessed, frame, tasks):
    login(client, sf)
    response = client.post(
        reverse("grants:decide", args=[assessed.pk]),
        {
            "vedtak-utfall": "delvis_innvilget",
            "vedtak-belop": "300000",
            "vedtak-begrunnelse": "Reiseutgiftene er for høye.",
            "vedtak-vilkaar": "- Rapport om fosterhjemsveiledning",
            "vedtak-rapportfrist": "2027-02-15",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.utfall, decision.belop, decision.rapportfrist) == (
        "delvis_innvilget",
        Decimal("300000"),
        datetime.date(2027, 2, 15),
    )
    assert decision.vilkaar.startswith("- Rapport")


def test_payment_repayment_and_refusals(client, sf, decided):
    login(client, sf)
    pay = reverse("grants:register_payment", args=[decided.pk])
    bad_account = client.post(pay, {"utb-dato": "2026-02-10", "utb-belop": "100000", "utb-kontonummer": "12345678901"})
    assert bad_account.status_code == 400
    assert "Kontonummeret er ikke gyldig" in html(bad_account)
    too_much = client.post(pay, {"utb-dato": "2026-02-10", "utb-belop": "400000", "utb-kontonummer": ACCOUNT})
    assert "Utbetalingen ville overstige tildelt beløp" in html(too_much)
    assert not Payment.objects.exists()
    payment = {"utb-dato": "2026-02-10", "utb-belop": "300 000", "utb-kontonummer": "1503.12.34562"}
    confirm = client.post(pay, payment)  # first the confirmation (grants.views_repayments), nothing is paid yet
    assert confirm.status_code == 200 and "Bekreft utbetalingen" in html(confirm)
    assert not Payment.objects.exists()
    ok = client.post(pay, {**payment, "bekreft": "1"})
    assert ok.status_code == 302
    assert Payment.objects.get().kontonummer == ACCOUNT
    claim = reverse("grants:repayment_claim", args=[decided.pk])
    over = client.post(claim, {"krav-belop": "400000", "krav-forfall": "2027-04-01", "krav-begrunnelse": "Ubrukt."})
    assert over.status_code == 400
    assert "Kravet kan ikke være større enn det som er utbetalt" in html(over)
    data = {"krav-belop": "40000", "krav-forfall": "2027-04-01", "krav-begrunnelse": "Ubrukt."}
    confirm = client.post(claim, data)  # first the confirmation (grants.views_repayments), nothing is made yet
    assert confirm.status_code == 200 and "Bekreft og send kravet" in html(confirm)
    assert not RepaymentClaim.objects.exists()
    ok = client.post(claim, {**data, "bekreft": "1"})
    assert ok.status_code == 302
    assert RepaymentClaim.objects.get().belop == Decimal("40000")


def test_leader_appeals_and_staff_resolve(client, sf, leader, colleague, decided):
    detail = reverse("grants:application_detail", args=[decided.pk])
    login(client, colleague)  # a medarbeider may not appeal
    assert 'name="klage-begrunnelse"' not in html(client.get(detail))
    assert (
        client.post(reverse("grants:appeal_create", args=[decided.pk]), {"klage-begrunnelse": "x"}).status_code == 403
    )
    login(client, leader)
    assert 'name="klage-begrunnelse"' in html(client.get(detail))
    empty = client.post(reverse("grants:appeal_create", args=[decided.pk]), {"klage-begrunnelse": " "})
    assert empty.status_code == 400
    ok = client.post(reverse("grants:appeal_create", args=[decided.pk]), {"klage-begrunnelse": "Vi trenger alt."})
    assert ok.status_code == 302
    appeal = Appeal.objects.get()
    assert 'name="klage-begrunnelse"' not in html(client.get(detail))  # one open appeal at a time
    login(client, sf)
    page = html(client.get(detail))
    assert f'name="klage-{appeal.pk}-utfall"' in page
    data = {
        f"klage-{appeal.pk}-utfall": "medhold",
        f"klage-{appeal.pk}-nytt_belop": str(APPLIED),
        f"klage-{appeal.pk}-begrunnelse": "Rammen har rom.",
    }
    confirm = client.post(reverse("grants:resolve_appeal", args=[appeal.pk]), data)  # first the confirmation
    assert confirm.status_code == 200 and "Bekreft og send brevet" in html(confirm)
    assert Appeal.objects.get().utfall == ""
    response = client.post(reverse("grants:resolve_appeal", args=[appeal.pk]), {**data, "bekreft": "ja"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.utfall == "medhold" and appeal.nytt_belop == APPLIED


def test_appeal_after_the_deadline_is_refused(client, leader, decided, clock):
    clock.shift(datetime.timedelta(days=30))
    login(client, leader)
    page = html(client.get(reverse("grants:application_detail", args=[decided.pk])))
    assert "Klagefristen gikk ut" in page
    response = client.post(reverse("grants:appeal_create", args=[decided.pk]), {"klage-begrunnelse": "Sent."})
    assert response.status_code == 400
    assert "Klagefristen gikk ut" in html(response)
    assert not Appeal.objects.exists()


# --- prioritisation board ------------------------------------------------------------------------


def test_board_shows_frame_sum_and_remaining_and_updates_live(client, sf, leader, rnd, network, bergen, voss, frame):
    a = make_submitted(leader, rnd, network, [bergen, voss], navn="A")
    b = make_submitted(leader, rnd, network, [bergen, voss], navn="B")
    services.set_priority(sf, b, rangering=1, foreslatt_belop="200000")
    login(client, sf)
    board = reverse("grants:board", args=[rnd.pk, "fosterhjem"])
    page = html(client.get(board))
    assert page.index(b.referanse) < page.index(a.referanse)  # ranked
    assert "800\u00a0000\u00a0kr" in page  # remaining: 1 000 000 − 200 000
    update = reverse("grants:board_update", args=[a.pk])
    response = client.post(
        update,
        {f"r{a.pk}-rangering": "2", f"r{a.pk}-samlingsrangering": "1", f"r{a.pk}-foreslatt_belop": "350000"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert (
        data["ok"] and Decimal(data["igjen"]) == Decimal("450000") and Decimal(data["foreslatt"]) == Decimal("550000")
    )
    assert data["igjen_tekst"] == kr(450000)
    assessment = Assessment.objects.get(soknad=a)
    assert (assessment.rangering, assessment.samlingsrangering) == (2, 1)
    # Refused: a rank that is not a whole number. JSON carries the message; nothing changes.
    response = client.post(update, {f"r{a.pk}-rangering": "to"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "Rangering må være et helt tall, 1 eller høyere." in response.json()["errors"]
    assert Assessment.objects.get(soknad=a).rangering == 2
    # Without JavaScript: an ordinary post and a redirect back to the board.
    response = client.post(update, {f"r{a.pk}-rangering": "3", f"r{a.pk}-foreslatt_belop": "100000"})
    assert response.status_code == 302 and response["Location"] == board
    assert "700\u00a0000\u00a0kr" in html(client.get(board))


def test_board_query_count_is_constant(
    client, sf, leader, rnd, network, bergen, voss, frame, django_assert_max_num_queries
):
    login(client, sf)
    board = reverse("grants:board", args=[rnd.pk, "fosterhjem"])
    for i in range(3):
        a = make_submitted(leader, rnd, network, [bergen, voss], navn=f"P{i}")
        services.set_priority(sf, a, rangering=i + 1, foreslatt_belop="100000")
    few = _count(client, board)
    for i in range(3, 12):
        a = make_submitted(leader, rnd, network, [bergen, voss], navn=f"P{i}")
        services.set_priority(sf, a, rangering=i + 1, foreslatt_belop="50000")
    with django_assert_max_num_queries(few):
        response = client.get(board)
    assert html(response).count("data-board-row") == 12


# --- batch letters -------------------------------------------------------------------------------


def test_batch_letters_are_made_once(client, sf, leader, rnd, network, bergen, voss, frame, tasks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    apps = [make_submitted(leader, rnd, network, [bergen, voss], navn=f"Brev {i}") for i in range(2)]
    for a in apps:
        make_assessed(sf, a)
    services.decide(sf, apps[0], utfall="innvilget", belop=APPLIED, begrunnelse="Godt prosjekt.")
    services.decide(sf, apps[1], utfall="avslatt", begrunnelse="Rammen er brukt opp.")
    assert not Decision.objects.exclude(brev="").exists()  # the recorder stood in for deliver_decision
    login(client, sf)
    round_page = reverse("grants:round_detail", args=[rnd.pk])
    assert "2 vedtak mangler brev." in html(client.get(round_page))
    mail.outbox.clear()
    response = client.post(reverse("grants:round_letters", args=[rnd.pk]))
    assert response.status_code == 302
    assert not Decision.objects.filter(brev="").exists()
    assert len(mail.outbox) == 2
    assert cache.get(f"letters:{rnd.pk}") == {"done": 2, "total": 2}
    progress = client.get(reverse("grants:round_letters_progress", args=[rnd.pk])).json()
    assert progress["done"] == 2 and progress["total"] == 2 and progress["finished"]
    page = html(client.get(round_page))
    assert 'aria-live="polite"' in page and "2 av 2 vedtaksbrev er laget." in page
    letters = dict(Decision.objects.values_list("pk", "brev"))
    events = AuditEvent.objects.count()
    # Twice: nothing new.
    client.post(reverse("grants:round_letters", args=[rnd.pk]))
    from grants.tasks import generate_round_letters

    assert generate_round_letters.delay(rnd.pk).get() == 0
    assert len(mail.outbox) == 2
    assert dict(Decision.objects.values_list("pk", "brev")) == letters
    assert AuditEvent.objects.count() == events


def test_other_staff_cannot_start_batch_letters(client, sf_agder, bufdir, rnd):
    login(client, sf_agder)
    assert client.post(reverse("grants:round_letters", args=[rnd.pk])).status_code == 404
    login(client, bufdir)
    assert client.post(reverse("grants:round_letters", args=[rnd.pk])).status_code == 403
    assert cache.get(f"letters:{rnd.pk}") is None


def test_round_page_links_to_boards_for_staff_only(client, sf, leader, rnd):
    login(client, sf)
    assert reverse("grants:board", args=[rnd.pk, "fosterhjem"]) in html(
        client.get(reverse("grants:round_detail", args=[rnd.pk]))
    )
    login(client, leader)
    assert "prioritering" not in html(client.get(reverse("grants:round_detail", args=[rnd.pk])))


def test_partner_and_service_user_get_403_on_list(client, leader):
    login(client, leader)
    assert client.get(reverse("grants:application_list")).status_code == 403
    partner_user = factories.user_with_role("partner", partner=factories.PartnerFactory())
    login(client, partner_user)
    assert client.get(reverse("grants:application_list")).status_code == 403


def test_carry_over_form_shown_only_when_the_round_allows_it(client, sf, decided):
    from grants.models import ApplicationRound, CarryOver

    login(client, sf)
    detail = reverse("grants:application_detail", args=[decided.pk])
    pay = reverse("grants:register_payment", args=[decided.pk])
    client.post(pay, {"utb-dato": "2026-02-10", "utb-belop": "300000", "utb-kontonummer": ACCOUNT, "bekreft": "1"})
    assert 'name="overforing-belop"' not in html(client.get(detail))
    refused_ = client.post(
        reverse("grants:carry_over", args=[decided.pk]), {"overforing-belop": "1000", "overforing-begrunnelse": "x"}
    )
    assert refused_.status_code == 400
    assert "tillater ikke overføring" in html(refused_)
    ApplicationRound.objects.filter(pk=decided.utlysning_id).update(overforing_tillatt=True)
    assert 'name="overforing-belop"' in html(client.get(detail))
    ok = client.post(
        reverse("grants:carry_over", args=[decided.pk]),
        {"overforing-belop": "50000", "overforing-begrunnelse": "Piloten flyttes til neste år."},
    )
    assert ok.status_code == 302
    assert CarryOver.objects.get().belop == Decimal("50000")
