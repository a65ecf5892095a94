"""The pages of repayment claims (grants.views_repayments): the claim from the panel with its confirmation
(amount, the kommune that gets the letter, the letter's language), the claim page with its receipts and the
confirmed receipt and waiver, the letter download, the list of open/overdue/paid/waived claims for the
statsforvalter (own embete) and Bufdir (all), and the denials."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import repayments, services
from grants.models import RepaymentClaim, RepaymentReceipt, RepaymentStatus
from organisations.models import Kommune

from .conftest import YEAR
from .test_views_applicant import html, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks", "clock", "no_mfa")]

ACCOUNT = "86011117947"
SF_ACCOUNT = "76940512057"
TODAY = datetime.date(2026, 2, 2)
DUE = datetime.date(YEAR + 1, 4, 1)


@pytest.fixture
def paid(sf, assessed, frame):
    decision = services.decide(sf, assessed, utfall="delvis_innvilget", belop="300000", begrunnelse="Delvis.")
    services.register_payment(sf, decision, dato=TODAY, belop="300000", kontonummer=ACCOUNT)
    return decision


@pytest.fixture
def claim(sf, paid):
    made = repayments.create_repayment_claim(
        sf, paid, belop="50000", begrunnelse="Ubrukte midler.", forfall=DUE, kontonummer=SF_ACCOUNT
    )
    made.brev.save("krav.pdf", ContentFile(b"%PDF-1.4 krav"), save=True)
    return made


def claim_post(**overrides) -> dict:
    data = {
        "krav-belop": "40 000",
        "krav-forfall": "2027-04-01",
        "krav-kontonummer": "7694.05.12057",
        "krav-begrunnelse": "Ubrukte midler etter sluttrapporten.",
    }
    data.update(overrides)
    return data


def test_claim_is_confirmed_before_it_is_made(client, sf, paid, bergen):
    Kommune.objects.filter(pk=bergen.vertskommune_id).update(maalform="nynorsk")
    url = reverse("grants:repayment_claim", args=[paid.soknad_id])
    login(client, sf)
    page = html(client.get(reverse("grants:application_detail", args=[paid.soknad_id])))
    assert 'name="krav-kontonummer"' in page and "Gå videre til bekreftelse" in page
    confirm = client.post(url, claim_post())
    text = html(confirm)
    assert confirm.status_code == 200 and not RepaymentClaim.objects.exists()
    assert "40\u00a0000\u00a0kr" in text  # the amount
    assert bergen.vertskommune.navn in text and "Nynorsk" in text  # the recipient kommune and the letter's language
    assert 'name="bekreft"' in text and 'type="hidden" name="krav-begrunnelse"' in text
    back = client.post(url, {**claim_post(), "endre": "1"})  # back to the form, nothing typed lost
    assert back.status_code == 200 and "Ubrukte midler etter sluttrapporten." in html(back)
    assert not RepaymentClaim.objects.exists()
    done = client.post(url, {**claim_post(), "bekreft": "1"})
    made = RepaymentClaim.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("grants:claim_detail", args=[made.pk])
    assert (made.belop, made.kontonummer, made.maalform) == (Decimal("40000"), SF_ACCOUNT, "nynorsk")


def test_claim_with_a_bad_date_is_refused_with_the_input_kept(client, sf, paid):
    login(client, sf)
    url = reverse("grants:repayment_claim", args=[paid.soknad_id])
    for forfall, message in (("9999-12-31", "Datoen må være mellom"), ("2032-01-01", "høyst fem år")):
        response = client.post(url, claim_post(**{"krav-forfall": forfall}))
        assert response.status_code == 400
        assert message in html(response) and "Ubrukte midler etter sluttrapporten." in html(response)
    bekreftet = client.post(url, {**claim_post(**{"krav-forfall": "2026-02-01"}), "bekreft": "1"})
    assert bekreftet.status_code == 400 and "Forfallsdatoen må være etter kravdatoen" in html(bekreftet)
    assert not RepaymentClaim.objects.exists()


def test_receipt_confirmed_then_recorded_and_status_follows(client, sf, claim):
    login(client, sf)
    detail = reverse("grants:claim_detail", args=[claim.pk])
    page = html(client.get(detail))
    assert "Registrer innbetaling" in page and "Ettergi resten av kravet" in page
    url = reverse("grants:claim_receipt", args=[claim.pk])
    data = {"innbetaling-dato": "2026-02-02", "innbetaling-belop": "20 000"}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and "Bekreft innbetalingen" in html(confirm)
    assert "30\u00a0000\u00a0kr" in html(confirm)  # left of the claim afterwards
    assert not RepaymentReceipt.objects.exists()
    assert client.post(url, {**data, "bekreft": "1"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == RepaymentStatus.DELVIS_BETALT
    future = client.post(url, {"innbetaling-dato": "2026-02-03", "innbetaling-belop": "1000", "bekreft": "1"})
    assert future.status_code == 400 and "fram i tid" in html(future)
    assert RepaymentReceipt.objects.count() == 1


def test_waiver_confirmed_then_recorded(client, sf, claim):
    login(client, sf)
    url = reverse("grants:claim_waive", args=[claim.pk])
    data = {"ettergivelse-dato": "2026-02-02", "ettergivelse-begrunnelse": "Kommunen har dokumentert bruken."}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and "Bekreft ettergivelsen" in html(confirm)
    assert "50\u00a0000\u00a0kr" in html(confirm) and "Kommunen har dokumentert bruken." in html(confirm)
    assert RepaymentClaim.objects.get().status == RepaymentStatus.KRAV_SENDT
    assert client.post(url, {**data, "bekreft": "1"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == RepaymentStatus.ETTERGITT and claim.ettergitt_belop == Decimal("50000")
    assert "Registrer innbetaling" not in html(client.get(reverse("grants:claim_detail", args=[claim.pk])))


def test_applicants_see_the_claim_and_its_letter_but_may_not_record(client, leader, colleague, claim):
    for user in (leader, colleague):
        login(client, user)
        page = html(client.get(reverse("grants:application_detail", args=[claim.vedtak.soknad_id])))
        assert reverse("grants:claim_letter", args=[claim.pk]) in page
        letter = client.get(reverse("grants:claim_letter", args=[claim.pk]))
        assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
        detail = client.get(reverse("grants:claim_detail", args=[claim.pk]))
        assert detail.status_code == 200 and "Registrer innbetaling" not in html(detail)
        receipt = {"innbetaling-dato": "2026-02-02", "innbetaling-belop": "1000", "bekreft": "1"}
        assert client.post(reverse("grants:claim_receipt", args=[claim.pk]), receipt).status_code == 403
        waiver = {"ettergivelse-dato": "2026-02-02", "ettergivelse-begrunnelse": "x", "bekreft": "1"}
        assert client.post(reverse("grants:claim_waive", args=[claim.pk]), waiver).status_code == 403
        assert client.get(reverse("grants:claim_list")).status_code == 403
    assert not RepaymentReceipt.objects.exists()
    assert RepaymentClaim.objects.get().status == RepaymentStatus.KRAV_SENDT


def test_other_embete_and_other_services_do_not_see_the_claim(client, sf_agder, sogndal_leader, claim):
    for user in (sf_agder, sogndal_leader):
        login(client, user)
        for name in ("grants:claim_detail", "grants:claim_letter"):
            assert client.get(reverse(name, args=[claim.pk])).status_code == 404
        receipt = {"innbetaling-dato": "2026-02-02", "innbetaling-belop": "1000", "bekreft": "1"}
        assert client.post(reverse("grants:claim_receipt", args=[claim.pk]), receipt).status_code == 404
    login(client, sf_agder)
    response = client.get(reverse("grants:claim_list"), {"vis": "alle"})
    assert response.status_code == 200 and response.context["rows"] == []
    assert not RepaymentReceipt.objects.exists()


def test_overdue_list_for_the_embete_and_bufdir(client, sf, bufdir, paid, clock):
    claims = [
        repayments.create_repayment_claim(
            sf, paid, belop=str(b), begrunnelse="Ubrukt.", forfall=DUE + datetime.timedelta(days=d)
        )
        for b, d in ((10000, 0), (20000, 60), (30000, 0))
    ]
    repayments.register_receipt(sf, claims[2], dato=TODAY, belop="30000")  # paid: not overdue
    clock.move_to(datetime.datetime(2027, 5, 1, 10, 0))  # after the first due date, before the second
    url = reverse("grants:claim_list")
    for user in (sf, bufdir):
        login(client, user)
        overdue = client.get(url, {"vis": "forfalte"})
        assert [r.claim for r in overdue.context["rows"]] == [claims[0]]
        assert "Forfalt" in html(overdue)
        assert [r.claim for r in client.get(url).context["rows"]] == [claims[0], claims[1]]  # open
        assert [r.claim for r in client.get(url, {"vis": "betalte"}).context["rows"]] == [claims[2]]
        assert client.get(url, {"vis": "ettergitte"}).context["rows"] == []
        assert dict((k, n) for k, _label, n in overdue.context["filters"]) == {
            "apne": 2,
            "forfalte": 1,
            "betalte": 1,
            "ettergitte": 0,
            "alle": 3,
        }


def test_list_query_count_does_not_grow(client, sf, paid):
    login(client, sf)
    url = reverse("grants:claim_list")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"vis": "alle"}).status_code == 200
        return len(queries)

    repayments.create_repayment_claim(sf, paid, belop="1000", begrunnelse="Ubrukt.", forfall=DUE)
    before = count()
    for n in range(3):
        claim = repayments.create_repayment_claim(sf, paid, belop="1000", begrunnelse="Ubrukt.", forfall=DUE)
        repayments.register_receipt(sf, claim, dato=TODAY, belop=str(100 + n))
    assert count() == before


def test_payment_out_is_confirmed_before_it_is_registered(client, sf, assessed, frame, bergen):
    from grants.models import Payment

    services.decide(sf, assessed, utfall="innvilget", belop="350000", begrunnelse="Godt.")
    login(client, sf)
    url = reverse("grants:register_payment", args=[assessed.pk])
    data = {"utb-dato": "2026-02-10", "utb-belop": "100 000", "utb-kontonummer": "8601.11.17947"}
    confirm = client.post(url, data)
    text = html(confirm)
    assert confirm.status_code == 200 and "Bekreft utbetalingen" in text
    assert "100\u00a0000\u00a0kr" in text and bergen.vertskommune.navn in text and "8601.11.17947" in text
    assert "250\u00a0000\u00a0kr" in text  # left to pay afterwards
    assert not Payment.objects.exists()
    early = client.post(url, {**data, "utb-dato": "2026-02-01", "bekreft": "1"})
    assert early.status_code == 400 and "Utbetalingen kan ikke dateres før vedtaket" in html(early)
    assert not Payment.objects.exists()
    assert client.post(url, {**data, "bekreft": "1"}).status_code == 302
    assert Payment.objects.get().belop == Decimal("100000")


def test_start_page_counts_overdue_claims_for_the_statsforvalter(client, sf, sf_agder, claim, clock):
    clock.move_to(datetime.datetime(2027, 5, 1, 10, 0))  # past the claim's due date (1 April 2027)
    login(client, sf)
    response = client.get(reverse("home"))
    assert response.context["overdue_claims"] == 1
    assert reverse("grants:claim_list") + "?vis=forfalte" in html(response)
    login(client, sf_agder)
    assert client.get(reverse("home")).context["overdue_claims"] == 0  # another embete's claim
